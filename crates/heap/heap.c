/* The kernel heap: size-class slabs per owner over mappings of the memory
 * crate, and large objects as mappings of their own.
 *
 * A slab is one aligned mapping of HEAP_SLAB_BYTES, carved into blocks of
 * one size class, all for one owner: releasing an owner gives whole
 * mappings back, and per-owner figures cost nothing. Its descriptor lives
 * outside it, as a heap object of the kernel owner, so blocks fill the slab
 * exactly and no client's block borders on bookkeeping. Which blocks are
 * taken is a bitmap in the descriptor: a double free is seen, not believed.
 *
 * A block is found again from its address alone: slabs are aligned to
 * their size, so the slab's address is the block's address rounded down,
 * and a small hash of slab addresses leads to the descriptor. Interrupts
 * are off while the heap's lists are touched (tasks are preempted). */
#include <theseus/alloc.h>
#include <theseus/cpu.h>
#include <theseus/crate.h>
#include "heap.h"
#include "memory.h"

CRATE("heap", "1.0.0", "typed kernel heap: size-class slabs per owner, large objects as mappings", "heap_init",
      "", "memory");

#define MIN_SHIFT 4  /* 16-byte blocks */
#define MAX_SHIFT 11 /* 2048-byte blocks */
#define CLASS_COUNT (MAX_SHIFT - MIN_SHIFT + 1)
#define LARGE CLASS_COUNT /* list index of large objects */
#define SLAB_PAGES (HEAP_SLAB_BYTES / MEMORY_PAGE_SIZE)
#define MAX_BLOCKS (HEAP_SLAB_BYTES >> MIN_SHIFT)
#define INDEX_BUCKETS 512
#define MAX_ALIGN MEMORY_PAGE_SIZE

_Static_assert((1u << MAX_SHIFT) == HEAP_MAX_SMALL, "size classes end at HEAP_MAX_SMALL");

struct owner_heap;

struct slab {
	struct mapping map;       /* the pages, held by the heap */
	struct bytes bytes;       /* memory_bytes(&map), kept to save a look-up per block */
	uint64_t address;         /* of bytes: the index key */
	struct slab *next;        /* in the owner's list for this class */
	struct slab *index_next;  /* in the index bucket */
	struct owner_heap *owner;
	uint32_t block_size;      /* the class; for a large object, the bytes asked for */
	uint32_t capacity, used;  /* blocks */
	bool large;
	uint64_t taken[MAX_BLOCKS / 64];
};

struct owner_heap {
	uint32_t owner;
	struct owner_heap *next;
	struct slab *slabs[CLASS_COUNT + 1]; /* per class, and [LARGE] */
	uint64_t bytes_in_use, peak_bytes, objects, slab_bytes, failed, limit;
};

static unsigned class_of(size_t size)
{
	unsigned c = 0;
	while (c < CLASS_COUNT && (1ull << (c + MIN_SHIFT)) < size)
		c++;
	return c;
}

/* Descriptors are blocks of this class of the kernel owner. */
#define DESCRIPTOR_CLASS (class_of(sizeof(struct slab)))

/* The heap's own state. The kernel owner's record and the first descriptor
 * are static because every other record and descriptor is allocated from
 * the heap itself; `spare` is one descriptor kept free so that the kernel's
 * descriptor class can always grow without needing a descriptor first. The
 * index is how a block's address leads back to its slab. About 4.5 KiB. */
static struct {
	struct owner_heap kernel;
	struct owner_heap *others;
	struct slab *index[INDEX_BUCKETS];
	struct slab first_descriptor;
	bool first_descriptor_used;
	struct slab *spare;
	uint64_t bytes_in_use, peak_bytes, objects, failed;
} heap;

static uint64_t pages_for(uint64_t bytes) { return (bytes + MEMORY_PAGE_SIZE - 1) / MEMORY_PAGE_SIZE; }

/* ---- the index: slab address -> descriptor ------------------------------ */

static size_t bucket_of(uint64_t address)
{
	return (size_t)(((address / MEMORY_PAGE_SIZE) * 0x9E3779B97F4A7C15ull) >> 55) % INDEX_BUCKETS;
}

static void index_insert(struct slab *s)
{
	size_t b = bucket_of(s->address);
	s->index_next = heap.index[b];
	heap.index[b] = s;
}

static void index_remove(struct slab *s)
{
	struct slab **at = ARRAY_AT(heap.index, bucket_of(s->address));
	while (*at && *at != s)
		at = &(*at)->index_next;
	if (*at)
		*at = s->index_next;
}

static struct slab *index_find(uint64_t address)
{
	for (struct slab *s = heap.index[bucket_of(address)]; s; s = s->index_next)
		if (s->address == address)
			return s;
	return NULL;
}

/* ---- owners -------------------------------------------------------------- */

static struct owner_heap *owner_find(uint32_t owner)
{
	if (owner == HEAP_OWNER_KERNEL)
		return &heap.kernel;
	for (struct owner_heap *o = heap.others; o; o = o->next)
		if (o->owner == owner)
			return o;
	return NULL;
}

static struct owner_heap *owner_get(uint32_t owner)
{
	struct owner_heap *o = owner_find(owner);
	if (o)
		return o;
	if (!status_ok(HEAP_NEW(struct owner_heap, &o, HEAP_OWNER_KERNEL)))
		return NULL;
	o->owner = owner;
	o->next = heap.others;
	heap.others = o;
	return o;
}

static void count_taken(struct owner_heap *o, uint64_t bytes)
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

static void count_given_back(struct owner_heap *o, uint64_t bytes)
{
	o->bytes_in_use -= bytes;
	o->objects--;
	heap.bytes_in_use -= bytes;
	heap.objects--;
}

static bool over_limit(const struct owner_heap *o, uint64_t bytes)
{
	return o->limit && o->bytes_in_use + bytes > o->limit;
}

/* ---- slabs --------------------------------------------------------------- */

static void slab_link(struct owner_heap *o, unsigned list, struct slab *s)
{
	s->next = o->slabs[list];
	o->slabs[list] = s;
	index_insert(s);
	o->slab_bytes += s->bytes.len;
}

static void slab_unlink(struct owner_heap *o, unsigned list, struct slab *s)
{
	struct slab **at = ARRAY_AT(o->slabs, list);
	while (*at && *at != s)
		at = &(*at)->next;
	if (*at)
		*at = s->next;
	index_remove(s);
	o->slab_bytes -= s->bytes.len;
}

/* Unmap an unlinked slab and free its descriptor. */
static struct status slab_destroy(struct slab *s)
{
	struct status unmapped = memory_unmap(&s->map);
	struct status freed = HEAP_FREE(s);
	return status_ok(unmapped) ? freed : unmapped;
}

/* A descriptor for a new slab of (o, list). The kernel's descriptor class
 * takes the spare (and refills it once the new slab is linked); everyone
 * else gets one from that class. */
static struct status descriptor_for(struct owner_heap *o, unsigned list, struct slab **out)
{
	if (o != &heap.kernel || list != DESCRIPTOR_CLASS)
		return HEAP_NEW(struct slab, out, HEAP_OWNER_KERNEL);
	if (heap.spare) {
		*out = heap.spare;
		heap.spare = NULL;
	} else if (!heap.first_descriptor_used) {
		heap.first_descriptor_used = true;
		*out = &heap.first_descriptor;
	} else {
		return STATUS(E_NOMEM); /* the spare could not be refilled */
	}
	**out = (struct slab){};
	return STATUS_OK;
}

static void descriptor_unused(struct owner_heap *o, unsigned list, struct slab *d)
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
static struct status slab_new(struct owner_heap *o, unsigned c, struct slab **out)
{
	struct slab *s = NULL;
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
	s->owner = o;
	s->block_size = 1u << (c + MIN_SHIFT);
	s->capacity = HEAP_SLAB_BYTES / s->block_size;
	slab_link(o, c, s);
	*out = s;
	if (o == &heap.kernel && c == DESCRIPTOR_CLASS && !heap.spare)
		/* Served from the slab just linked, which has room. Were it
		 * to fail, the slab would stay linked and the next descriptor
		 * slab would be refused: an error value, nothing worse. */
		return HEAP_NEW(struct slab, &heap.spare, HEAP_OWNER_KERNEL);
	return STATUS_OK;
}

static uint32_t take_block(struct slab *s)
{
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

static void zero(struct bytes b)
{
	for (size_t i = 0; i < b.len; i++)
		bytes_set(b, i, 0);
}

static const struct bytes no_bytes = {};

static struct heap_block_result alloc_small(struct owner_heap *o, unsigned c, size_t size)
{
	uint64_t block = 1ull << (c + MIN_SHIFT);
	if (over_limit(o, block))
		return (struct heap_block_result){E_NOMEM, no_bytes};
	struct slab *s = o->slabs[c];
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
	struct bytes b = bytes_carve(s->bytes, (size_t)i * block, size);
	zero(b); /* a block's last user may have left anything in it */
	count_taken(o, block);
	return (struct heap_block_result){E_OK, b};
}

static struct heap_block_result alloc_large(struct owner_heap *o, size_t size)
{
	uint64_t pages = pages_for(size);
	if (over_limit(o, pages * MEMORY_PAGE_SIZE))
		return (struct heap_block_result){E_NOMEM, no_bytes};
	struct slab *s = NULL;
	struct status st = HEAP_NEW(struct slab, &s, HEAP_OWNER_KERNEL);
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
	s->owner = o;
	s->block_size = (uint32_t)size;
	s->capacity = s->used = 1;
	s->large = true;
	slab_link(o, LARGE, s);
	count_taken(o, s->bytes.len);
	return (struct heap_block_result){E_OK, bytes_carve(s->bytes, 0, size)};
}

CRATE_EXPORT struct heap_block_result heap_alloc(size_t size, size_t align, uint32_t owner)
{
	if (size == 0 || align == 0 || (align & (align - 1)) || align > MAX_ALIGN)
		return (struct heap_block_result){E_INVAL, no_bytes};
	if (size > UINT32_MAX)
		return (struct heap_block_result){E_NOMEM, no_bytes};
	bool irq = cpu_irq_save();
	struct heap_block_result r = {E_NOMEM, no_bytes};
	struct owner_heap *o = owner_get(owner);
	if (o) {
		size_t need = size > align ? size : align;
		r = need > HEAP_MAX_SMALL ? alloc_large(o, size) : alloc_small(o, class_of(need), size);
		if (r.err == E_NOMEM)
			o->failed++;
	}
	if (r.err == E_NOMEM)
		heap.failed++;
	cpu_irq_restore(irq);
	return r;
}

/* The slab a block lies in: a large object's is found at its own address,
 * a small block's at its address rounded down to the slab size. */
static struct slab *slab_of(uint64_t address)
{
	struct slab *s = index_find(address);
	if (s)
		return s;
	return index_find(address & ~((uint64_t)HEAP_SLAB_BYTES - 1));
}

/* A slab left empty goes back to memory unless it is the only room its
 * owner has left in that class (so one object coming and going does not
 * map and unmap a slab each time). The kernel's descriptor slabs stay. */
static struct status maybe_release(struct slab *s, unsigned c)
{
	struct owner_heap *o = s->owner;
	if (s->used || (o == &heap.kernel && c == DESCRIPTOR_CLASS))
		return STATUS_OK;
	bool other_room = false;
	for (struct slab *t = o->slabs[c]; t && !other_room; t = t->next)
		other_room = t != s && t->used < t->capacity;
	if (!other_room)
		return STATUS_OK;
	slab_unlink(o, c, s);
	return slab_destroy(s);
}

static struct status free_block(struct slab *s, uint64_t address, size_t size)
{
	struct owner_heap *o = s->owner;
	if (s->large) {
		if (address != s->address || size > s->block_size)
			return STATUS(E_INVAL);
		count_given_back(o, s->bytes.len);
		slab_unlink(o, LARGE, s);
		return slab_destroy(s);
	}
	uint64_t offset = address - s->address;
	if (size > s->block_size || offset % s->block_size)
		return STATUS(E_INVAL);
	uint64_t i = offset / s->block_size;
	if (i >= s->capacity || !(s->taken[i / 64] & (1ull << (i % 64))))
		return STATUS(E_INVAL); /* never given out, or freed already */
	s->taken[i / 64] &= ~(1ull << (i % 64));
	s->used--;
	count_given_back(o, s->block_size);
	return maybe_release(s, class_of(s->block_size));
}

CRATE_EXPORT struct status heap_free(const void *block, size_t size)
{
	if (!block || size == 0)
		return STATUS(E_INVAL);
	uint64_t address = heap_address_of(block);
	bool irq = cpu_irq_save();
	struct slab *s = slab_of(address);
	struct status st = s ? free_block(s, address, size) : STATUS(E_INVAL);
	cpu_irq_restore(irq);
	return st;
}

CRATE_EXPORT struct status heap_release_owner(uint32_t owner)
{
	if (owner == HEAP_OWNER_KERNEL)
		return STATUS(E_PERM);
	struct status result = STATUS_OK;
	bool irq = cpu_irq_save();
	struct owner_heap *o = owner_find(owner);
	if (o) {
		for (unsigned list = 0; list <= LARGE; list++) {
			while (o->slabs[list]) {
				struct slab *s = o->slabs[list];
				slab_unlink(o, list, s);
				struct status st = slab_destroy(s);
				if (!status_ok(st))
					result = st;
			}
		}
		heap.bytes_in_use -= o->bytes_in_use;
		heap.objects -= o->objects;
		struct owner_heap **at = &heap.others;
		while (*at != o)
			at = &(*at)->next;
		*at = o->next;
		struct status st = HEAP_FREE(o);
		if (!status_ok(st))
			result = st;
	}
	cpu_irq_restore(irq);
	return result;
}

CRATE_EXPORT struct status heap_set_limit(uint32_t owner, uint64_t bytes)
{
	if (owner == HEAP_OWNER_KERNEL)
		return STATUS(E_PERM); /* the heap's own records are the kernel's */
	bool irq = cpu_irq_save();
	struct owner_heap *o = owner_get(owner);
	if (o)
		o->limit = bytes;
	cpu_irq_restore(irq);
	return o ? STATUS_OK : STATUS(E_NOMEM);
}

static struct heap_stats owner_figures(const struct owner_heap *o)
{
	return (struct heap_stats){o->bytes_in_use, o->peak_bytes, o->objects, o->slab_bytes,
				   o->failed,       o->limit,      1};
}

CRATE_EXPORT struct heap_stats heap_stats(uint32_t owner)
{
	struct heap_stats st = {};
	bool irq = cpu_irq_save();
	if (owner == HEAP_ALL_OWNERS) {
		st = (struct heap_stats){heap.bytes_in_use, heap.peak_bytes, heap.objects, heap.kernel.slab_bytes,
					 heap.failed,       0,               1};
		for (const struct owner_heap *o = heap.others; o; o = o->next) {
			st.slab_bytes += o->slab_bytes;
			st.owners++;
		}
	} else {
		const struct owner_heap *o = owner_find(owner);
		if (o)
			st = owner_figures(o);
	}
	cpu_irq_restore(irq);
	return st;
}

/* A swap or a restart asks before replacing the heap. Its records hold
 * pointers into this instance (slabs to owners, the index to slabs), which
 * no other instance could take over, and a fresh heap would free every
 * live object under its holders: refused while any object lives. */
CRATE_EXPORT struct status heap_save(void)
{
	bool irq = cpu_irq_save();
	uint64_t objects = heap.objects;
	cpu_irq_restore(irq);
	return objects ? STATUS(E_BUSY) : STATUS_OK;
}

/* Named in the CRATE record. A fresh instance knows no slab: whatever an
 * unloaded earlier one still had mapped is given back first. */
struct status heap_init(void);
struct status heap_init(void) { return memory_release_owner(MEMORY_OWNER_HEAP); }
