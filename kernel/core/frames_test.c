#include "records.h"
#include "frames.h"

#define N 1000
static uint64_t got[N];

static bool in_usable_region(uint64_t pa)
{
	const struct boot_info *bi = boot_info();
	for (unsigned i = 0; i < bi->region_count; i++) {
		const struct mem_region *r = &bi->regions[i];
		if (r->type == MEM_USABLE && pa >= r->base && pa + PAGE_SIZE <= r->base + r->len)
			return true;
	}
	return false;
}

KTEST(frames_distinct, "frames.distinct")
{
	uint64_t before = frames_free_count();
	for (int i = 0; i < N; i++) {
		struct frame_result r = frames_alloc();
		KT_EXPECT_MSG(t, r.err == E_OK, "allocation %d failed", i);
		got[i] = r.value;
		KT_EXPECT_MSG(t, got[i] % PAGE_SIZE == 0, "frame %p unaligned", (void *)got[i]);
		KT_EXPECT_MSG(t, in_usable_region(got[i]), "frame %p not in usable RAM", (void *)got[i]);
		KT_EXPECT_MSG(t, !frames_is_reserved_range(got[i], PAGE_SIZE),
			      "frame %p overlaps the kernel, a module or low memory", (void *)got[i]);
		/* Fill each frame with its own index; overlap would corrupt one. */
		uint64_t *p = phys_to_virt(got[i]);
		for (int w = 0; w < 512; w++)
			p[w] = (uint64_t)i;
	}
	KT_EXPECT(t, frames_free_count() == before - N);
	for (int i = 0; i < N; i++) {
		const uint64_t *p = phys_to_virt(got[i]);
		KT_EXPECT_MSG(t, p[0] == (uint64_t)i && p[511] == (uint64_t)i,
			      "frame %p shared with another allocation", (void *)got[i]);
	}
	for (int i = 0; i < N; i++)
		KT_EXPECT(t, status_ok(frames_free(got[i])));
	KT_EXPECT(t, frames_free_count() == before);
}

KTEST(frames_reuse_and_double_free, "frames.reuse_and_double_free")
{
	struct frame_result a = frames_alloc();
	KT_EXPECT(t, a.err == E_OK);
	KT_EXPECT(t, status_ok(frames_free(a.value)));
	KT_EXPECT_MSG(t, frames_free(a.value).err == E_INVAL, "double free was accepted");
	KT_EXPECT(t, frames_free(a.value + 1).err == E_INVAL); /* unaligned */
	KT_EXPECT(t, frames_free(KERNEL_LOAD_PHYS).err == E_PERM); /* the nano-core image */
	struct frame_result b = frames_alloc();
	KT_EXPECT(t, b.err == E_OK);
	KT_EXPECT_MSG(t, b.value == a.value, "freed frame %p not reused (got %p)", (void *)a.value,
		      (void *)b.value);
	KT_EXPECT(t, status_ok(frames_free(b.value)));
}

KTEST(frames_exhaustion, "frames.exhaustion")
{
	/* Take every frame, see a clean E_NOMEM, give them all back. Freed
	 * frames are chained through their own first word. */
	uint64_t before = frames_free_count(), head = 0, n = 0;
	for (;;) {
		struct frame_result r = frames_alloc();
		if (r.err != E_OK) {
			KT_EXPECT(t, r.err == E_NOMEM);
			break;
		}
		*(uint64_t *)phys_to_virt(r.value) = head;
		head = r.value;
		n++;
	}
	KT_EXPECT_MSG(t, n == before, "got %lu frames, %lu were free", n, before);
	KT_EXPECT(t, frames_free_count() == 0);
	while (head) {
		uint64_t next = *(uint64_t *)phys_to_virt(head);
		KT_EXPECT(t, status_ok(frames_free(head)));
		head = next;
	}
	KT_EXPECT(t, frames_free_count() == before);
}
