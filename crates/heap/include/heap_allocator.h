/* heap_allocator: the kernel heap's code, shared by its two versions.
 *
 * Size-class slabs per owner over mappings of the memory crate, and large
 * objects as mappings of their own. A slab is one aligned mapping of
 * HEAP_SLAB_BYTES, carved into blocks of one size class, all for one
 * owner: releasing an owner gives whole mappings back, and per-owner
 * figures cost nothing. Its descriptor lives outside it, as a heap object
 * of the kernel owner, so blocks fill the slab exactly and no client's
 * block borders on bookkeeping. Which blocks are taken is a bitmap in the
 * descriptor: a double free is seen, not believed.
 *
 * A block is found again from its address alone: slabs are aligned to
 * their size, so the slab's address is the block's address rounded down,
 * and a small hash of slab addresses leads to the descriptor.
 *
 * heap.c and heap_v2.c each include this once, after defining how a call
 * keeps every other one out of the records (struct heap_guard, with
 * heap_enter and heap_leave), what heap_init does first
 * (HEAP_INIT_FIRST), whether the block freed last is the next one handed
 * out (HEAP_REUSE_LAST), whether the common calls take the short paths
 * below (HEAP_FAST_PATHS, with the guard heap_enter_short and
 * heap_leave_short), and the names of both versions. Both keep the
 * records of heap_records.h, so a live swap either way hands them over
 * whole. */
#ifndef CRATE_HEAP_ALLOCATOR_H
#define CRATE_HEAP_ALLOCATOR_H

#include <theseus/alloc.h>
#include <theseus/crates.h>
#include "heap.h"
#include "heap_records.h"
#include "memory.h"

#if !defined(HEAP_REUSE_LAST) || !defined(HEAP_FAST_PATHS) || !defined(HEAP_INIT_FIRST) || \
	!defined(HEAP_THIS_VERSION) || !defined(HEAP_OTHER_VERSION)
#error "define HEAP_REUSE_LAST, HEAP_FAST_PATHS, HEAP_INIT_FIRST, HEAP_THIS_VERSION, HEAP_OTHER_VERSION (and heap_enter, heap_leave) first"
#endif

#define SLAB_PAGES (HEAP_SLAB_BYTES / MEMORY_PAGE_SIZE)
#define MAX_ALIGN MEMORY_PAGE_SIZE
#define MIN_SHIFT HEAP_MIN_SHIFT
#define CLASS_COUNT HEAP_CLASS_COUNT
#define LARGE HEAP_LARGE
#define INDEX_BUCKETS HEAP_INDEX_BUCKETS

_Static_assert((1u << HEAP_MAX_SHIFT) == HEAP_MAX_SMALL, "size classes end at HEAP_MAX_SMALL");

/* The size class of a small request: the smallest 2^(c + MIN_SHIFT) that
 * holds it. */
static unsigned class_of(size_t size)
{
	if (size <= (1u << MIN_SHIFT))
		return 0;
	return (unsigned)(64 - __builtin_clzll((uint64_t)size - 1)) - MIN_SHIFT;
}

/* Descriptors are blocks of this class of the kernel owner. */
#define DESCRIPTOR_CLASS (class_of(sizeof(struct heap_slab)))

/* The heap's own state, about 4.5 KiB; a live swap hands it over whole
 * (heap_save, heap_migrate). */
static struct heap_state heap;

/* A slab's owner record: the kernel's is named by NULL, because its
 * address changes with the version that holds it. */
static struct heap_owner *owner_of(const struct heap_slab *s) { return s->owner ? s->owner : &heap.kernel; }

static uint64_t pages_for(uint64_t bytes) { return (bytes + MEMORY_PAGE_SIZE - 1) / MEMORY_PAGE_SIZE; }

/* ---- the index: slab address -> descriptor ------------------------------ */

static size_t bucket_of(uint64_t address)
{
	return (size_t)(((address / MEMORY_PAGE_SIZE) * 0x9E3779B97F4A7C15ull) >> 55) % INDEX_BUCKETS;
}

static void index_insert(struct heap_slab *s)
{
	size_t b = bucket_of(s->address);
	s->index_next = heap.index[b];
	heap.index[b] = s;
}

static void index_remove(struct heap_slab *s)
{
	struct heap_slab **at = ARRAY_AT(heap.index, bucket_of(s->address));
	while (*at && *at != s)
		at = &(*at)->index_next;
	if (*at)
		*at = s->index_next;
}

static struct heap_slab *index_find(uint64_t address)
{
	for (struct heap_slab *s = heap.index[bucket_of(address)]; s; s = s->index_next)
		if (s->address == address)
			return s;
	return NULL;
}

/* ---- owners -------------------------------------------------------------- */

static struct heap_owner *owner_find(uint32_t owner)
{
	if (owner == HEAP_OWNER_KERNEL)
		return &heap.kernel;
	for (struct heap_owner *o = heap.others; o; o = o->next)
		if (o->owner == owner)
			return o;
	return NULL;
}

static struct heap_owner *owner_get(uint32_t owner)
{
	struct heap_owner *o = owner_find(owner);
	if (o)
		return o;
	if (!status_ok(HEAP_NEW(struct heap_owner, &o, HEAP_OWNER_KERNEL)))
		return NULL;
	o->owner = owner;
	o->next = heap.others;
	heap.others = o;
	return o;
}

static void count_taken(struct heap_owner *o, uint64_t bytes)
{
	o->bytes_in_use += bytes;
	o->objects++;
	if (o->bytes_in_use > o->peak_bytes)
		o->peak_bytes = o->bytes_in_use;
	heap.bytes_in_use += bytes;
	heap.objects++;
	if (heap.bytes_in_use > heap.peak_bytes)
		heap.peak_bytes = heap.bytes_in_use;
}

static void count_given_back(struct heap_owner *o, uint64_t bytes)
{
	o->bytes_in_use -= bytes;
	o->objects--;
	heap.bytes_in_use -= bytes;
	heap.objects--;
}

static bool over_limit(const struct heap_owner *o, uint64_t bytes)
{
	return o->limit && o->bytes_in_use + bytes > o->limit;
}

/* ---- slabs --------------------------------------------------------------- */

static void slab_link(struct heap_owner *o, unsigned list, struct heap_slab *s)
{
	s->next = o->slabs[list];
	o->slabs[list] = s;
	index_insert(s);
	o->slab_bytes += s->bytes.len;
}

static void slab_unlink(struct heap_owner *o, unsigned list, struct heap_slab *s)
{
	struct heap_slab **at = ARRAY_AT(o->slabs, list);
	while (*at && *at != s)
		at = &(*at)->next;
	if (*at)
		*at = s->next;
	index_remove(s);
	o->slab_bytes -= s->bytes.len;
}

/* Unmap an unlinked slab and free its descriptor. */
static struct status slab_destroy(struct heap_slab *s)
{
	struct status unmapped = memory_unmap(&s->map);
	struct status freed = HEAP_FREE(s);
	return status_ok(unmapped) ? freed : unmapped;
}

/* A descriptor for a new slab of (o, list). The kernel's descriptor class
 * takes the spare (and refills it once the new slab is linked); everyone
 * else gets one from that class. */
static struct status descriptor_for(struct heap_owner *o, unsigned list, struct heap_slab **out)
{
	if (o != &heap.kernel || list != DESCRIPTOR_CLASS)
		return HEAP_NEW(struct heap_slab, out, HEAP_OWNER_KERNEL);
	if (heap.spare) {
		*out = heap.spare;
		heap.spare = NULL;
	} else if (!heap.first_descriptor_used) {
		heap.first_descriptor_used = true;
		*out = &heap.first_descriptor;
	} else {
		return STATUS(E_NOMEM); /* the spare could not be refilled */
	}
	**out = (struct heap_slab){};
	return STATUS_OK;
}

static void descriptor_unused(struct heap_owner *o, unsigned list, struct heap_slab *d)
{
	if (o != &heap.kernel || list != DESCRIPTOR_CLASS) {
		if (!status_ok(HEAP_FREE(d)))
			return; /* cannot happen: it was just allocated */
	} else if (d == &heap.first_descriptor) {
		heap.first_descriptor_used = false;
	} else {
		heap.spare = d;
	}
}

/* A new empty slab of class c for o, linked first in its list. */
static struct status slab_new(struct heap_owner *o, unsigned c, struct heap_slab **out)
{
	struct heap_slab *s = NULL;
	struct status st = descriptor_for(o, c, &s);
	if (!status_ok(st))
		return st;
	struct mapping_result m = memory_map_aligned(SLAB_PAGES, SLAB_PAGES, MEMORY_READ_WRITE, MEMORY_OWNER_HEAP);
	if (m.err != E_OK) {
		descriptor_unused(o, c, s);
		return STATUS(m.err);
	}
	s->map = m.value;
	s->bytes = memory_bytes(&s->map);
	s->address = heap_address_of(s->bytes.ptr);
	s->owner = o == &heap.kernel ? NULL : o;
	s->block_shift = c + MIN_SHIFT;
	s->block_size = 1u << s->block_shift;
	s->capacity = HEAP_SLAB_BYTES / s->block_size;
	slab_link(o, c, s);
	*out = s;
	if (o == &heap.kernel && c == DESCRIPTOR_CLASS && !heap.spare)
		/* Served from the slab just linked, which has room. Were it
		 * to fail, the slab would stay linked and the next descriptor
		 * slab would be refused: an error value, nothing worse. */
		return HEAP_NEW(struct heap_slab, &heap.spare, HEAP_OWNER_KERNEL);
	return STATUS_OK;
}

/* The block freed last, still warm in the cache, if it is free: taken,
 * its index returned; UINT32_MAX otherwise. (HEAP_REUSE_LAST) */
static uint32_t take_freed_last(struct heap_slab *s)
{
	uint32_t i = s->next_free;
	if (i >= s->capacity)
		return UINT32_MAX;
	uint64_t bit = 1ull << (i % 64);
	/* i < capacity, so the word is in range; the % says so to the
	 * compiler, which then drops the bounds check from this hot path. */
	uint64_t *word = ARRAY_AT(s->taken, (i / 64) % (HEAP_MAX_BLOCKS / 64));
	if (*word & bit)
		return UINT32_MAX;
	*word |= bit;
	s->used++;
	s->next_free = UINT32_MAX;
	return i;
}

static uint32_t take_block(struct heap_slab *s)
{
	if (HEAP_REUSE_LAST) {
		uint32_t i = take_freed_last(s);
		if (i != UINT32_MAX)
			return i;
	}
	for (uint32_t w = 0; w < (s->capacity + 63) / 64; w++) {
		uint64_t free_bits = ~s->taken[w];
		if (!free_bits)
			continue;
		uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(free_bits);
		if (i >= s->capacity)
			break;
		s->taken[w] |= 1ull << (i % 64);
		s->used++;
		return i;
	}
	return UINT32_MAX; /* cannot happen: callers check used < capacity */
}

static const struct bytes no_bytes = {};

static struct heap_block_result alloc_small(struct heap_owner *o, unsigned c, size_t size)
{
	uint64_t block = 1ull << (c + MIN_SHIFT);
	if (over_limit(o, block))
		return (struct heap_block_result){E_NOMEM, no_bytes};
	struct heap_slab *s = o->slabs[c];
	while (s && s->used == s->capacity)
		s = s->next;
	if (!s) {
		struct status st = slab_new(o, c, &s);
		if (!status_ok(st))
			return (struct heap_block_result){st.err, no_bytes};
	}
	uint32_t i = take_block(s);
	if (i == UINT32_MAX)
		return (struct heap_block_result){E_NOMEM, no_bytes};
	struct bytes whole = bytes_carve(s->bytes, (size_t)i << s->block_shift, block);
	bytes_zero(whole); /* a block's last user may have left anything in it */
	struct bytes b = bytes_carve(whole, 0, size);
	count_taken(o, block);
	return (struct heap_block_result){E_OK, b};
}

static struct heap_block_result alloc_large(struct heap_owner *o, size_t size)
{
	uint64_t pages = pages_for(size);
	if (over_limit(o, pages * MEMORY_PAGE_SIZE))
		return (struct heap_block_result){E_NOMEM, no_bytes};
	struct heap_slab *s = NULL;
	struct status st = HEAP_NEW(struct heap_slab, &s, HEAP_OWNER_KERNEL);
	if (!status_ok(st))
		return (struct heap_block_result){st.err, no_bytes};
	struct mapping_result m = memory_map(pages, MEMORY_READ_WRITE, MEMORY_OWNER_HEAP);
	if (m.err != E_OK) {
		if (!status_ok(HEAP_FREE(s)))
			return (struct heap_block_result){E_NOMEM, no_bytes};
		return (struct heap_block_result){m.err, no_bytes};
	}
	s->map = m.value;
	s->bytes = memory_bytes(&s->map); /* fresh pages: zeroed already */
	s->address = heap_address_of(s->bytes.ptr);
	s->owner = o == &heap.kernel ? NULL : o;
	s->block_size = (uint32_t)size;
	s->capacity = s->used = 1;
	s->large = true;
	slab_link(o, LARGE, s);
	count_taken(o, s->bytes.len);
	return (struct heap_block_result){E_OK, bytes_carve(s->bytes, 0, size)};
}

#if HEAP_FAST_PATHS
/* ---- the short paths ------------------------------------------------------
 * The common calls: a small block for the kernel owner, with at most
 * 16-byte alignment, from the first slab of its class; and the free of a
 * small block whose slab is not left empty, or is the first of its class.
 * The same records and the same checks as the general path, without its
 * walks and re-checks; anything else, and every error, goes on to the
 * general path, which answers as version 1 does. */

/* 1, 2, 4, 8 or 16: a block of any class is aligned to all of them. */
static bool short_alignment(size_t align) { return align <= 16 && ((0x10116u >> align) & 1); }

/* Only with the guard entered, for 1 <= size <= HEAP_MAX_SMALL. The
 * block, or an empty view: not served here. */
static struct bytes alloc_short(size_t size)
{
	struct heap_owner *o = &heap.kernel;
	struct heap_slab *s = o->slabs[class_of(size)];
	if (!s || s->used == s->capacity || o->limit)
		return no_bytes;
	/* What comes and goes finds the block freed last; any other search
	 * is the general path's. */
	uint32_t i = take_freed_last(s);
	if (i == UINT32_MAX)
		return no_bytes;
	struct bytes whole = bytes_carve(s->bytes, (size_t)i << s->block_shift, s->block_size);
	bytes_zero_block(whole);
	count_taken(o, s->block_size);
	return bytes_carve(whole, 0, size);
}
#endif

/* Every request the short path does not serve, and every error. */
__attribute__((noinline)) static struct heap_block_result alloc_general(size_t size, size_t align, uint32_t owner)
{
	/* A power of two: written with ctz, which is one instruction, where
	 * clang makes `align & (align - 1)` a popcount and, with no POPCNT in
	 * the crates' target, fifteen. */
	if (size == 0 || align == 0 || align > MAX_ALIGN || align != 1ull << __builtin_ctzll(align))
		return (struct heap_block_result){E_INVAL, no_bytes};
	if (size > UINT32_MAX)
		return (struct heap_block_result){E_NOMEM, no_bytes};
	struct heap_guard g = heap_enter();
	if (!g.entered)
		return (struct heap_block_result){E_AGAIN, no_bytes};
	struct heap_block_result r = {E_NOMEM, no_bytes};
	struct heap_owner *o = owner_get(owner);
	if (o) {
		size_t need = size > align ? size : align;
		r = need > HEAP_MAX_SMALL ? alloc_large(o, size) : alloc_small(o, class_of(need), size);
		if (r.err == E_NOMEM)
			o->failed++;
	}
	if (r.err == E_NOMEM)
		heap.failed++;
	heap_leave(g);
	return r;
}

CRATE_EXPORT struct heap_block_result heap_alloc(size_t size, size_t align, uint32_t owner)
{
#if HEAP_FAST_PATHS
	if (owner == HEAP_OWNER_KERNEL && size - 1 < HEAP_MAX_SMALL && short_alignment(align) && heap_enter_short()) {
		struct bytes b = alloc_short(size);
		heap_leave_short();
		if (b.len)
			return (struct heap_block_result){E_OK, b};
	}
#endif
	return alloc_general(size, align, owner);
}

/* The slab a block lies in: a large object's is found at its own address,
 * a small block's at its address rounded down to the slab size. */
static struct heap_slab *slab_of(uint64_t address)
{
	/* A small slab covers its whole aligned span, so no other mapping
	 * starts inside it: the rounded address is tried first. */
	struct heap_slab *s = index_find(address & ~((uint64_t)HEAP_SLAB_BYTES - 1));
	if (s && (!s->large || s->address == address))
		return s;
	return index_find(address);
}

/* A slab left empty goes back to memory unless it is the first of its
 * class list (where allocations look first) or the only room its owner
 * has left in that class; kept for that, it moves to the front. So one
 * object coming and going does not map and unmap a slab each time, and an
 * owner keeps at most one empty slab per class: the first. The kernel's
 * descriptor slabs stay. */
static struct status maybe_release(struct heap_slab *s, unsigned c)
{
	struct heap_owner *o = owner_of(s);
	struct heap_slab **head = ARRAY_AT(o->slabs, c);
	if (s->used || *head == s || (o == &heap.kernel && c == DESCRIPTOR_CLASS))
		return STATUS_OK;
	struct heap_slab **at = NULL;
	bool other_room = false;
	for (struct heap_slab **t = head; *t && !other_room; t = &(*t)->next) {
		if (*t == s)
			at = t;
		else
			other_room = (*t)->used < (*t)->capacity;
	}
	if (other_room) {
		slab_unlink(o, c, s);
		return slab_destroy(s);
	}
	if (at) { /* to the front */
		*at = s->next;
		s->next = *head;
		*head = s;
	}
	return STATUS_OK;
}

/* The index of the live small block of s at `address` that a free of
 * `size` bytes gives back, or UINT32_MAX: none (never given out, freed
 * already, a pointer into a block, more bytes than it holds, or 0). */
static uint32_t live_block_index(const struct heap_slab *s, uint64_t address, size_t size)
{
	uint64_t offset = address - s->address;
	if (size - 1 >= s->block_size || offset & (s->block_size - 1))
		return UINT32_MAX; /* size 0 wraps round */
	uint64_t i = offset >> s->block_shift;
	if (i >= s->capacity || !(*ARRAY_AT(s->taken, (i / 64) % (HEAP_MAX_BLOCKS / 64)) & (1ull << (i % 64))))
		return UINT32_MAX; /* (the % as in take_freed_last) */
	return (uint32_t)i;
}

/* Give back block i of s, a live_block_index; o is owner_of(s). */
static void give_back_block(struct heap_owner *o, struct heap_slab *s, uint32_t i)
{
	*ARRAY_AT(s->taken, (i / 64) % (HEAP_MAX_BLOCKS / 64)) &= ~(1ull << (i % 64));
	s->used--;
	s->next_free = i;
	count_given_back(o, s->block_size);
}

static struct status free_block(struct heap_slab *s, uint64_t address, size_t size)
{
	struct heap_owner *o = owner_of(s);
	if (s->large) {
		if (address != s->address || size > s->block_size)
			return STATUS(E_INVAL);
		count_given_back(o, s->bytes.len);
		slab_unlink(o, LARGE, s);
		return slab_destroy(s);
	}
	uint32_t i = live_block_index(s, address, size);
	if (i == UINT32_MAX)
		return STATUS(E_INVAL);
	give_back_block(o, s, i);
	return s->used ? STATUS_OK : maybe_release(s, s->block_shift - MIN_SHIFT);
}

#if HEAP_FAST_PATHS
/* Only with the guard entered. False: the general path decides (a large
 * object, a slab left empty that may go back, or an error). */
static bool free_short(uint64_t address, size_t size)
{
	struct heap_slab *s = index_find(address & ~((uint64_t)HEAP_SLAB_BYTES - 1));
	if (!s || s->large)
		return false;
	uint32_t i = live_block_index(s, address, size);
	struct heap_owner *o = owner_of(s);
	if (i == UINT32_MAX || (s->used == 1 && o->slabs[s->block_shift - MIN_SHIFT] != s))
		return false;
	give_back_block(o, s, i);
	return true;
}
#endif

/* Every free the short path does not take, and every error. */
__attribute__((noinline)) static struct status free_general(const void *block, size_t size)
{
	if (!block || size == 0)
		return STATUS(E_INVAL);
	uint64_t address = heap_address_of(block);
	struct heap_guard g = heap_enter();
	if (!g.entered)
		return STATUS(E_AGAIN);
	struct heap_slab *s = slab_of(address);
	struct status st = s ? free_block(s, address, size) : STATUS(E_INVAL);
	heap_leave(g);
	return st;
}

CRATE_EXPORT struct status heap_free(const void *block, size_t size)
{
#if HEAP_FAST_PATHS
	if (block && heap_enter_short()) {
		bool done = free_short(heap_address_of(block), size);
		heap_leave_short();
		if (done)
			return STATUS_OK;
	}
#endif
	return free_general(block, size);
}

CRATE_EXPORT struct status heap_release_owner(uint32_t owner)
{
	if (owner == HEAP_OWNER_KERNEL)
		return STATUS(E_PERM);
	struct status result = STATUS_OK;
	struct heap_guard g = heap_enter();
	if (!g.entered)
		return STATUS(E_AGAIN);
	struct heap_owner *o = owner_find(owner);
	if (o) {
		for (unsigned list = 0; list <= LARGE; list++) {
			while (o->slabs[list]) {
				struct heap_slab *s = o->slabs[list];
				slab_unlink(o, list, s);
				struct status st = slab_destroy(s);
				if (!status_ok(st))
					result = st;
			}
		}
		heap.bytes_in_use -= o->bytes_in_use;
		heap.objects -= o->objects;
		struct heap_owner **at = &heap.others;
		while (*at != o)
			at = &(*at)->next;
		*at = o->next;
		struct status st = HEAP_FREE(o);
		if (!status_ok(st))
			result = st;
	}
	heap_leave(g);
	return result;
}

CRATE_EXPORT struct status heap_set_limit(uint32_t owner, uint64_t bytes)
{
	if (owner == HEAP_OWNER_KERNEL)
		return STATUS(E_PERM); /* the heap's own records are the kernel's */
	struct heap_guard g = heap_enter();
	if (!g.entered)
		return STATUS(E_AGAIN);
	struct heap_owner *o = owner_get(owner);
	if (o)
		o->limit = bytes;
	heap_leave(g);
	return o ? STATUS_OK : STATUS(E_NOMEM);
}

static struct heap_stats owner_figures(const struct heap_owner *o)
{
	return (struct heap_stats){o->bytes_in_use, o->peak_bytes, o->objects, o->slab_bytes,
				   o->failed,       o->limit,      1};
}

CRATE_EXPORT struct heap_stats heap_stats(uint32_t owner)
{
	struct heap_stats st = {};
	struct heap_guard g = heap_enter();
	if (!g.entered)
		return st; /* from an interrupt handler, while the heap is busy */
	if (owner == HEAP_ALL_OWNERS) {
		st = (struct heap_stats){heap.bytes_in_use, heap.peak_bytes, heap.objects, heap.kernel.slab_bytes,
					 heap.failed,       0,               1};
		for (const struct heap_owner *o = heap.others; o; o = o->next) {
			st.slab_bytes += o->slab_bytes;
			st.owners++;
		}
	} else {
		const struct heap_owner *o = owner_find(owner);
		if (o)
			st = owner_figures(o);
	}
	heap_leave(g);
	return st;
}

/* ---- live update ----------------------------------------------------------
 * A swap (to heap_v2 and back, or a restart) hands the heap's record over
 * whole, with interrupts off from the save hook to the migrate hook: every
 * slab, owner record and live object stays where it is, and the new
 * version carries on from the same record. Only the first descriptor
 * lives in this version's .bss; it moves into a heap object first. */

/* Point whatever refers to `from` (its class list and its index bucket) at
 * `to`, a copy of it. */
static void relink_descriptor(struct heap_slab *from, struct heap_slab *to)
{
	for (struct heap_slab **at = ARRAY_AT(heap.kernel.slabs, DESCRIPTOR_CLASS); *at; at = &(*at)->next)
		if (*at == from) {
			*at = to;
			break;
		}
	for (struct heap_slab **at = ARRAY_AT(heap.index, bucket_of(from->address)); *at; at = &(*at)->index_next)
		if (*at == from) {
			*at = to;
			break;
		}
}

/* Move the first descriptor into a heap object of the kernel owner, so that
 * no record points into this version. The heap stays consistent whether
 * or not the swap goes on. */
static struct status rehome_first_descriptor(void)
{
	if (!heap.first_descriptor_used)
		return STATUS_OK;
	struct heap_slab *copy = NULL;
	struct status st = HEAP_NEW(struct heap_slab, &copy, HEAP_OWNER_KERNEL);
	if (!status_ok(st))
		return st;
	*copy = heap.first_descriptor;
	relink_descriptor(&heap.first_descriptor, copy);
	heap.first_descriptor = (struct heap_slab){};
	heap.first_descriptor_used = false;
	return STATUS_OK;
}

CRATE_EXPORT struct status heap_save(void)
{
	struct heap_guard g = heap_enter();
	if (!g.entered)
		return STATUS(E_AGAIN);
	struct status st = rehome_first_descriptor();
	if (status_ok(st))
		st = HANDOVER_PUT_RECORD(struct heap_state, &heap, HEAP_RECORDS_CHECK);
	heap_leave(g);
	return st;
}

/* The whole record, or nothing: a version that cannot read the handover
 * refuses it, and the swap puts the old version back with it. */
CRATE_EXPORT struct status heap_migrate(uint32_t from_major)
{
	(void)from_major; /* the record's own format says what it holds */
	struct heap_guard g = heap_enter();
	if (!g.entered)
		return STATUS(E_AGAIN);
	struct status st = HANDOVER_GET_RECORD(struct heap_state, &heap, HEAP_RECORDS_CHECK);
	heap_leave(g);
	return st.err == E_NOENT ? STATUS_OK : st;
}

/* Is another version of the heap loaded and serving? Its slabs are this
 * one's to leave alone. */
static bool another_version_serves(void)
{
	struct crate_handle other;
	struct crate_summary about;
	struct crate_error why;
	return status_ok(kernel_crate_find(STR(HEAP_OTHER_VERSION), &other, &why)) &&
	       status_ok(kernel_crate_describe(&other, &about)) && about.loaded &&
	       !str_eq(STR_FROM_CSTR_ARRAY(about.name), STR(HEAP_THIS_VERSION));
}

/* Named in the CRATE record. A swap's new version starts with nothing and
 * takes the record in heap_migrate. Otherwise a fresh instance knows no
 * slab, and gives back whatever an unloaded earlier one still had mapped -
 * unless a heap is still serving: loaded beside it (`load heap_v2` while
 * heap runs), or in a fresh restart, which would hand no record over,
 * that would free every live object under its holder. Refused instead. */
struct status heap_init(void);
struct status heap_init(void)
{
	HEAP_INIT_FIRST();
	if (kernel_swap_handover_get((struct bytes){}).err == E_RANGE)
		return STATUS_OK;
	if (kernel_swap_in_progress() || another_version_serves())
		return STATUS(E_BUSY);
	return memory_release_owner(MEMORY_OWNER_HEAP);
}

#endif
