/* In-kernel tests of the heap crate, run by the nano-core's test runner
 * from this crate's .ktests section. They allocate for owners no task will
 * have and release those owners at the start (in case an earlier run
 * failed half-way) and at the end. */
#include <theseus/alloc.h>
#include <theseus/context.h>
#include <theseus/ktest.h>
#include "heap.h"
#include "memory.h"

#define OWNER_A 0x7e580001u
#define OWNER_B 0x7e580002u

struct pair {
	uint64_t key;
	struct pair *next;
};

struct hundred {
	unsigned char b[100];
};

struct big {
	unsigned char b[5000];
};

struct aligned64 {
	alignas(64) uint32_t v;
};

HEAP_ARRAY_TYPE(u64_array, uint64_t);

static bool fresh_owners(void)
{
	return status_ok(heap_release_owner(OWNER_A)) && status_ok(heap_release_owner(OWNER_B));
}

/* Live objects of owners other than the kernel (the kernel owner holds
 * the heap's own records, which come and go with the tests' slabs). */
static uint64_t client_objects(void)
{
	return heap_stats(HEAP_ALL_OWNERS).objects - heap_stats(HEAP_OWNER_KERNEL).objects;
}

/* Frames not held by any mapping (page tables are kept once made). */
static uint64_t frames_free(void)
{
	struct memory_stats st = memory_stats(MEMORY_ALL_OWNERS);
	return st.frames_free + st.page_table_frames;
}

KTEST(heap_typed_round_trip, "heap.typed_round_trip")
{
	KT_EXPECT(t, fresh_owners());
	uint64_t objects0 = client_objects();
	struct pair *p = NULL, *q = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct pair, &p, OWNER_A)));
	KT_EXPECT(t, p != NULL && p->key == 0 && p->next == NULL);
	p->key = 7;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct pair, &q, OWNER_A)));
	KT_EXPECT(t, q != p);
	q->next = p;
	KT_EXPECT(t, q->next->key == 7);
	struct heap_stats a = heap_stats(OWNER_A);
	KT_EXPECT_MSG(t, a.objects == 2 && a.bytes_in_use == 2 * sizeof(struct pair), "%lu objects, %lu bytes",
		      a.objects, a.bytes_in_use);
	KT_EXPECT(t, client_objects() == objects0 + 2);

	KT_EXPECT(t, status_ok(HEAP_FREE(q)));
	KT_EXPECT(t, q == NULL);
	KT_EXPECT(t, status_ok(HEAP_FREE(p)));
	KT_EXPECT(t, heap_stats(OWNER_A).objects == 0 && heap_stats(OWNER_A).bytes_in_use == 0);

	struct aligned64 *al = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct aligned64, &al, OWNER_A)));
	KT_EXPECT(t, heap_address_of(al) % 64 == 0);
	struct big *b = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct big, &b, OWNER_A)));
	KT_EXPECT(t, heap_address_of(b) % MEMORY_PAGE_SIZE == 0 && b->b[4999] == 0);
	b->b[4999] = 1;
	KT_EXPECT(t, heap_stats(OWNER_A).bytes_in_use == 64 + 2 * MEMORY_PAGE_SIZE);
	KT_EXPECT(t, status_ok(HEAP_FREE(b)));
	KT_EXPECT(t, status_ok(HEAP_FREE(al)));
	KT_EXPECT(t, client_objects() == objects0);
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_A)));
}

KTEST(heap_freed_memory_is_reused, "heap.freed_memory_is_reused")
{
	KT_EXPECT(t, fresh_owners());
	struct pair *p = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct pair, &p, OWNER_A)));
	uint64_t where = heap_address_of(p);
	p->key = 99;
	KT_EXPECT(t, status_ok(HEAP_FREE(p)));
	KT_EXPECT(t, status_ok(HEAP_NEW(struct pair, &p, OWNER_A)));
	KT_EXPECT(t, heap_address_of(p) == where);
	KT_EXPECT(t, p->key == 0); /* and zeroed again */
	KT_EXPECT(t, status_ok(HEAP_FREE(p)));

	struct big *b = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct big, &b, OWNER_A)));
	where = heap_address_of(b);
	KT_EXPECT(t, status_ok(HEAP_FREE(b)));
	KT_EXPECT(t, status_ok(HEAP_NEW(struct big, &b, OWNER_A)));
	KT_EXPECT(t, heap_address_of(b) == where);
	KT_EXPECT(t, status_ok(HEAP_FREE(b)));

	/* Many objects over several slabs, twice: the second round takes no
	 * more memory than the first left behind. */
	uint64_t frames_after[2];
	for (int round = 0; round < 2; round++) {
		struct pair *list = NULL;
		for (int i = 0; i < 3000; i++) {
			struct pair *n = NULL;
			KT_EXPECT(t, status_ok(HEAP_NEW(struct pair, &n, OWNER_A)));
			n->key = (uint64_t)i;
			n->next = list;
			list = n;
		}
		KT_EXPECT(t, heap_stats(OWNER_A).slab_bytes >= 3 * HEAP_SLAB_BYTES);
		for (int i = 2999; i >= 0; i--) {
			KT_EXPECT(t, list && list->key == (uint64_t)i);
			struct pair *next = list->next;
			KT_EXPECT(t, status_ok(HEAP_FREE(list)));
			list = next;
		}
		/* One empty slab stays cached for the next allocation. */
		KT_EXPECT_MSG(t, heap_stats(OWNER_A).slab_bytes == HEAP_SLAB_BYTES, "%lu slab bytes left",
			      heap_stats(OWNER_A).slab_bytes);
		frames_after[round] = frames_free();
	}
	KT_EXPECT_MSG(t, frames_after[1] == frames_after[0], "%lu then %lu frames", frames_after[0], frames_after[1]);
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_A)));
	KT_EXPECT(t, heap_stats(OWNER_A).slab_bytes == 0);
}

KTEST(heap_double_free_and_foreign_pointers_are_errors, "heap.double_free_and_foreign_pointers_are_errors")
{
	KT_EXPECT(t, fresh_owners());
	struct pair *p = NULL, *copy = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct pair, &p, OWNER_A)));
	copy = p;
	KT_EXPECT(t, status_ok(HEAP_FREE(p)));
	KT_EXPECT(t, HEAP_FREE(copy).err == E_INVAL);
	KT_EXPECT(t, copy != NULL); /* left as it was */
	KT_EXPECT(t, HEAP_FREE(p).err == E_INVAL); /* NULL */

	struct pair local = {1, NULL};
	struct pair *not_heap = &local;
	KT_EXPECT(t, HEAP_FREE(not_heap).err == E_INVAL);
	KT_EXPECT(t, local.key == 1);

	struct u64_array *a = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW_ARRAY(struct u64_array, 4, &a, OWNER_A)));
	uint64_t *inside = HEAP_ARRAY_AT(a, 1);
	KT_EXPECT(t, HEAP_FREE(inside).err == E_INVAL);
	/* Freeing through a bigger type than was allocated. */
	struct pair *small = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct pair, &small, OWNER_A)));
	KT_EXPECT(t, heap_free(small, sizeof(struct hundred)).err == E_INVAL);
	KT_EXPECT(t, status_ok(HEAP_FREE(small)));
	KT_EXPECT(t, status_ok(HEAP_FREE_ARRAY(a)));

	struct big *b = NULL, *b_copy = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct big, &b, OWNER_A)));
	b_copy = b;
	KT_EXPECT(t, status_ok(HEAP_FREE(b)));
	KT_EXPECT(t, HEAP_FREE(b_copy).err == E_INVAL);

	KT_EXPECT(t, heap_alloc(0, 1, OWNER_A).err == E_INVAL);
	KT_EXPECT(t, heap_alloc(16, 3, OWNER_A).err == E_INVAL);
	KT_EXPECT(t, heap_alloc(16, 8192, OWNER_A).err == E_INVAL);
	KT_EXPECT(t, heap_stats(OWNER_A).objects == 0);
	KT_EXPECT(t, heap_release_owner(HEAP_OWNER_KERNEL).err == E_PERM);
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_A)));
}

KTEST(heap_stats_track_in_use_and_peak, "heap.stats_track_in_use_and_peak")
{
	KT_EXPECT(t, fresh_owners());
	uint64_t all_before = heap_stats(HEAP_ALL_OWNERS).bytes_in_use;
	struct hundred *objs[10] = {};
	for (int i = 0; i < 10; i++)
		KT_EXPECT(t, status_ok(HEAP_NEW(struct hundred, ARRAY_AT(objs, i), OWNER_B)));
	struct heap_stats b = heap_stats(OWNER_B);
	/* 100 bytes are a 128-byte block. */
	KT_EXPECT_MSG(t, b.bytes_in_use == 1280 && b.objects == 10 && b.peak_bytes == 1280, "%lu in use, peak %lu",
		      b.bytes_in_use, b.peak_bytes);
	KT_EXPECT(t, b.slab_bytes == HEAP_SLAB_BYTES);
	for (int i = 0; i < 5; i++)
		KT_EXPECT(t, status_ok(HEAP_FREE(*ARRAY_AT(objs, i))));
	b = heap_stats(OWNER_B);
	KT_EXPECT(t, b.bytes_in_use == 640 && b.objects == 5 && b.peak_bytes == 1280);
	KT_EXPECT(t, status_ok(HEAP_NEW(struct hundred, &objs[0], OWNER_B)));
	KT_EXPECT(t, heap_stats(OWNER_B).bytes_in_use == 768 && heap_stats(OWNER_B).peak_bytes == 1280);
	struct heap_stats all = heap_stats(HEAP_ALL_OWNERS);
	KT_EXPECT(t, all.bytes_in_use >= all_before + 768 && all.peak_bytes >= all.bytes_in_use && all.owners >= 2);
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_B)));
	b = heap_stats(OWNER_B);
	KT_EXPECT(t, b.bytes_in_use == 0 && b.objects == 0 && b.slab_bytes == 0 && b.owners == 0);
}

/* Objects of every kind for owner, as a task might leave them. */
static bool scatter(uint32_t owner)
{
	for (int i = 0; i < 500; i++) {
		struct pair *p = NULL;
		if (!status_ok(HEAP_NEW(struct pair, &p, owner)))
			return false;
	}
	for (int i = 0; i < 50; i++) {
		struct hundred *h = NULL;
		if (!status_ok(HEAP_NEW(struct hundred, &h, owner)))
			return false;
	}
	for (int i = 0; i < 20; i++) {
		struct u64_array *a = NULL;
		if (!status_ok(HEAP_NEW_ARRAY(struct u64_array, 300, &a, owner)))
			return false;
	}
	for (int i = 0; i < 3; i++) {
		struct big *b = NULL;
		if (!status_ok(HEAP_NEW(struct big, &b, owner)))
			return false;
	}
	return true;
}

/* Owner B keeps an object while owner A's are all released. */
static void release_one_of_two(struct ktest_ctx *t)
{
	struct pair *survivor = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct pair, &survivor, OWNER_B)));
	survivor->key = 0xabc;
	struct pair *victim = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct pair, &victim, OWNER_A)));
	KT_EXPECT(t, scatter(OWNER_A));
	KT_EXPECT(t, heap_stats(OWNER_A).objects == 574);
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_A)));

	struct heap_stats a = heap_stats(OWNER_A);
	KT_EXPECT(t, a.objects == 0 && a.bytes_in_use == 0 && a.slab_bytes == 0);
	/* Freeing what was released is an error, not a second free. */
	KT_EXPECT(t, HEAP_FREE(victim).err == E_INVAL);
	/* The other owner's objects are untouched. */
	KT_EXPECT(t, survivor->key == 0xabc);
	KT_EXPECT(t, status_ok(HEAP_FREE(survivor)));
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_B)));
}

KTEST(heap_release_owner_frees_everything, "heap.release_owner_frees_everything")
{
	KT_EXPECT(t, fresh_owners());
	/* Once through first: the heap's own records (the kernel owner's
	 * descriptors, which it keeps) grow to what this needs; from then on
	 * every round must give back all it took. */
	release_one_of_two(t);
	KT_EXPECT(t, !t->failed);
	uint64_t frames = frames_free();
	struct heap_stats all = heap_stats(HEAP_ALL_OWNERS);
	release_one_of_two(t);
	KT_EXPECT(t, !t->failed);
	KT_EXPECT_MSG(t, frames_free() == frames, "%ld frames not returned", (int64_t)(frames - frames_free()));
	struct heap_stats all_after = heap_stats(HEAP_ALL_OWNERS);
	KT_EXPECT(t, all_after.objects == all.objects && all_after.bytes_in_use == all.bytes_in_use);
}

KTEST(heap_owner_limit_is_an_error_value, "heap.owner_limit_is_an_error_value")
{
	KT_EXPECT(t, fresh_owners());
	KT_EXPECT(t, status_ok(heap_set_limit(OWNER_A, 4096)));
	KT_EXPECT(t, heap_set_limit(HEAP_OWNER_KERNEL, 4096).err == E_PERM);
	int made = 0;
	for (;;) {
		struct hundred *h = NULL;
		struct status s = HEAP_NEW(struct hundred, &h, OWNER_A);
		if (!status_ok(s)) {
			KT_EXPECT(t, s.err == E_NOMEM && h == NULL);
			break;
		}
		made++;
	}
	KT_EXPECT_MSG(t, made == 32, "%d blocks of 128 bytes under a 4096-byte limit", made);
	KT_EXPECT(t, heap_stats(OWNER_A).failed == 1 && heap_stats(OWNER_A).limit == 4096);
	/* Everyone else goes on. */
	struct pair *p = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct pair, &p, OWNER_B)));
	KT_EXPECT(t, status_ok(HEAP_FREE(p)));
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_A)));
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_B)));
}

/* Large arrays, then small objects, until the heap says E_NOMEM; returns
 * the bytes obtained. */
static uint64_t allocate_until_full(uint32_t owner, struct ktest_ctx *t)
{
	uint64_t bytes = 0;
	for (;;) {
		struct u64_array *a = NULL;
		struct status s = HEAP_NEW_ARRAY(struct u64_array, 128 * 1024, &a, owner);
		if (!status_ok(s)) {
			if (s.err != E_NOMEM)
				KT_FAIL(t, "large allocation: error %d", s.err);
			break;
		}
		bytes += sizeof(struct u64_array) + 128 * 1024 * sizeof(uint64_t);
	}
	for (;;) {
		struct hundred *h = NULL;
		struct status s = HEAP_NEW(struct hundred, &h, owner);
		if (!status_ok(s)) {
			if (s.err != E_NOMEM)
				KT_FAIL(t, "small allocation: error %d", s.err);
			break;
		}
		bytes += sizeof(struct hundred);
	}
	return bytes;
}

KTEST(heap_exhaustion_is_an_error_and_memory_is_reused, "heap.exhaustion_is_an_error_and_memory_is_reused")
{
	KT_EXPECT(t, fresh_owners());
	uint64_t failed = heap_stats(HEAP_ALL_OWNERS).failed;
	uint64_t free_bytes = memory_stats(MEMORY_ALL_OWNERS).frames_free * MEMORY_PAGE_SIZE;
	uint64_t first = allocate_until_full(OWNER_A, t);
	KT_EXPECT(t, !t->failed);
	KT_EXPECT_MSG(t, first > free_bytes / 2, "only %lu bytes of %lu free before E_NOMEM", first, free_bytes);
	KT_EXPECT(t, heap_stats(HEAP_ALL_OWNERS).failed >= failed + 2);
	/* Out of memory for everyone now, and still an error value. */
	struct pair *p = NULL;
	struct status s = HEAP_NEW(struct pair, &p, OWNER_B);
	KT_EXPECT_MSG(t, s.err == E_NOMEM || status_ok(s), "error %d", s.err);
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_A)));
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_B)));
	uint64_t frames = frames_free();

	/* The system goes on: the same memory can be had again, and it comes
	 * back again - all but, at most, one more slab of the heap's own
	 * descriptors, which it keeps (the second round may end a block or so
	 * further than the first). */
	uint64_t second = allocate_until_full(OWNER_A, t);
	KT_EXPECT(t, !t->failed);
	KT_EXPECT_MSG(t, second + (1u << 20) >= first, "first %lu bytes, then %lu", first, second);
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_A)));
	KT_EXPECT_MSG(t, frames_free() + HEAP_SLAB_BYTES / MEMORY_PAGE_SIZE >= frames, "%ld frames not returned",
		      (int64_t)(frames - frames_free()));
	KT_EXPECT(t, status_ok(HEAP_NEW(struct pair, &p, OWNER_B)));
	KT_EXPECT(t, status_ok(HEAP_FREE(p)));
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_B)));
}

static void write_one_past_the_end(uint64_t n)
{
	struct u64_array *a = NULL;
	if (!status_ok(HEAP_NEW_ARRAY(struct u64_array, n, &a, OWNER_A)))
		return;
	a->items[n] = 1; /* traps */
}

KTEST(heap_arrays_are_bounds_checked, "heap.arrays_are_bounds_checked")
{
	KT_EXPECT(t, fresh_owners());
	struct u64_array *a = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW_ARRAY(struct u64_array, 100, &a, OWNER_A)));
	KT_EXPECT(t, a->count == 100);
	for (size_t i = 0; i < a->count; i++)
		KT_EXPECT(t, a->items[i] == 0);
	a->items[99] = 5;
	KT_EXPECT(t, heap_stats(OWNER_A).bytes_in_use == 1024); /* 8 + 800 bytes */
	KT_EXPECT(t, status_ok(HEAP_FREE_ARRAY(a)));
	KT_EXPECT(t, a == NULL && heap_stats(OWNER_A).objects == 0);

	struct fault_report report;
	struct status s = kernel_run_protected(write_one_past_the_end, 100, &report);
	KT_EXPECT_MSG(t, s.err == E_FAULT && report.vector == 6, "error %d, vector %lu", s.err, report.vector);
	KT_EXPECT(t, heap_stats(OWNER_A).objects == 1); /* left by the faulting code */
	KT_EXPECT(t, HEAP_NEW_ARRAY(struct u64_array, SIZE_MAX / 4, &a, OWNER_A).err == E_NOMEM);
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_A)));

	struct bytes buf = {};
	KT_EXPECT(t, status_ok(heap_new_bytes(100, OWNER_A, &buf)));
	KT_EXPECT(t, buf.len == 100 && bytes_get(buf, 99) == 0);
	bytes_set(buf, 99, 1);
	KT_EXPECT(t, status_ok(heap_free_bytes(&buf)));
	KT_EXPECT(t, buf.len == 0);
	KT_EXPECT(t, heap_new_bytes(0, OWNER_A, &buf).err == E_INVAL);
	KT_EXPECT(t, status_ok(heap_release_owner(OWNER_A)));
}
