/* Power-of-two size classes from 16 to 2048 bytes, each a free list
 * threaded through free blocks, refilled a frame at a time; larger
 * requests take physically contiguous frames. Callers pass the size back
 * on free, so blocks carry no header. */
#include "kheap.h"
#include "frames.h"

#define MIN_SHIFT 4
#define MAX_SHIFT 11
#define CLASSES (MAX_SHIFT - MIN_SHIFT + 1)

struct free_block {
	struct free_block *next;
};

static struct free_block *free_lists[CLASSES];
static uint64_t in_use;

static unsigned class_of(size_t size)
{
	unsigned c = 0;
	while ((1ull << (c + MIN_SHIFT)) < size)
		c++;
	return c;
}

static bool refill(unsigned c)
{
	struct frame_result f = frames_alloc();
	if (f.err != E_OK)
		return false;
	size_t block = 1ull << (c + MIN_SHIFT);
	uint8_t *page = phys_to_virt(f.value);
	for (size_t off = 0; off + block <= PAGE_SIZE; off += block) {
		struct free_block *b = (struct free_block *)(page + off);
		b->next = free_lists[c];
		free_lists[c] = b;
	}
	return true;
}

void *kheap_alloc(size_t size)
{
	if (size == 0)
		size = 1;
	void *p;
	if (size > (1u << MAX_SHIFT)) {
		uint64_t pages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
		struct frame_result f = frames_alloc_contig(pages);
		if (f.err != E_OK)
			return NULL;
		p = phys_to_virt(f.value);
		memset(p, 0, pages * PAGE_SIZE);
		in_use += pages * PAGE_SIZE;
		return p;
	}
	unsigned c = class_of(size);
	if (!free_lists[c] && !refill(c))
		return NULL;
	struct free_block *b = free_lists[c];
	free_lists[c] = b->next;
	p = b;
	memset(p, 0, 1ull << (c + MIN_SHIFT));
	in_use += 1ull << (c + MIN_SHIFT);
	return p;
}

void kheap_free(void *ptr, size_t size)
{
	if (!ptr)
		return;
	if (size == 0)
		size = 1;
	if (size > (1u << MAX_SHIFT)) {
		uint64_t pages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
		uint64_t pa = virt_to_phys(ptr);
		for (uint64_t i = 0; i < pages; i++)
			(void)frames_free(pa + i * PAGE_SIZE);
		in_use -= pages * PAGE_SIZE;
		return;
	}
	unsigned c = class_of(size);
	struct free_block *b = ptr;
	b->next = free_lists[c];
	free_lists[c] = b;
	in_use -= 1ull << (c + MIN_SHIFT);
}

uint64_t kheap_bytes_in_use(void) { return in_use; }
