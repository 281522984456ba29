#include "records.h"
#include "frames.h"
#include "kheap.h"

KTEST(kheap_classes_and_large, "kheap.classes_and_large")
{
	static const size_t sizes[] = {1, 16, 17, 100, 2048, 2049, 5000, 70000};
	void *p[ARRAY_SIZE(sizes)];
	uint64_t before = kheap_bytes_in_use();
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kheap_alloc(sizes[i]);
		KT_EXPECT_MSG(t, p[i] != NULL, "alloc %zu failed", sizes[i]);
		KT_EXPECT(t, (uint64_t)p[i] % 16 == 0);
		memset(p[i], (int)i + 1, sizes[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		const uint8_t *b = p[i];
		KT_EXPECT_MSG(t, b[0] == i + 1 && b[sizes[i] - 1] == i + 1, "block %zu overlapped", i);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		kheap_free(p[i], sizes[i]);
	KT_EXPECT(t, kheap_bytes_in_use() == before);
	/* A freed block of a class is reused, and comes back zeroed. */
	void *a = kheap_alloc(64);
	memset(a, 0xab, 64);
	kheap_free(a, 64);
	uint8_t *b = kheap_alloc(60);
	KT_EXPECT(t, (void *)b == a);
	KT_EXPECT(t, b[0] == 0 && b[59] == 0);
	kheap_free(b, 60);
}

KTEST(frames_contiguous, "frames.contiguous")
{
	struct frame_result r = frames_alloc_contig(16);
	KT_EXPECT(t, r.err == E_OK);
	for (uint64_t i = 0; i < 16; i++)
		KT_EXPECT(t, !frames_is_reserved_range(r.value + i * PAGE_SIZE, PAGE_SIZE));
	for (uint64_t i = 0; i < 16; i++)
		KT_EXPECT(t, status_ok(frames_free(r.value + i * PAGE_SIZE)));
	KT_EXPECT(t, frames_alloc_contig(0).err == E_INVAL);
	KT_EXPECT(t, frames_alloc_contig(1ull << 40).err == E_INVAL);
}
