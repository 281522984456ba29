/* The bitmap starts all-used; usable regions from the memory map are
 * freed, then everything the machine or the boot still needs is taken
 * back: the first MiB, the nano-core image, and the boot modules (the
 * crate archive lives in one). A set bit means "not available". */
#include "frames.h"
#include "export.h"

#define FRAME_COUNT (FRAMES_LIMIT / PAGE_SIZE)

static uint64_t bitmap[FRAME_COUNT / 64];
static uint64_t free_frames;
static uint64_t managed_frames;
static uint64_t next_hint;

static bool bit_test(uint64_t f) { return bitmap[f / 64] & (1ull << (f % 64)); }
static void bit_set(uint64_t f) { bitmap[f / 64] |= 1ull << (f % 64); }
static void bit_clear(uint64_t f) { bitmap[f / 64] &= ~(1ull << (f % 64)); }

static void mark_range(uint64_t start, uint64_t end, bool used)
{
	if (end > FRAMES_LIMIT)
		end = FRAMES_LIMIT;
	for (uint64_t f = start / PAGE_SIZE; f < end / PAGE_SIZE && start < end; f++) {
		if (used && !bit_test(f)) {
			bit_set(f);
			free_frames--;
		} else if (!used && bit_test(f)) {
			bit_clear(f);
			free_frames++;
		}
	}
}

/* Free the usable frames in [from, to), then take back what the machine
 * or the boot still needs. */
static void add_usable(const struct boot_info *bi, uint64_t from, uint64_t to)
{
	for (unsigned i = 0; i < bi->region_count; i++) {
		const struct mem_region *r = &bi->regions[i];
		if (r->type != MEM_USABLE)
			continue;
		uint64_t start = ALIGN_UP(r->base, PAGE_SIZE), end = ALIGN_DOWN(r->base + r->len, PAGE_SIZE);
		if (start < from)
			start = from;
		if (end > to)
			end = to;
		if (start < end)
			mark_range(start, end, false);
	}
	mark_range(0, 0x100000, true);
	mark_range(ALIGN_DOWN((uint64_t)__kernel_phys_start, PAGE_SIZE),
		   ALIGN_UP((uint64_t)__kernel_phys_end, PAGE_SIZE), true);
	for (unsigned i = 0; i < bi->module_count; i++)
		mark_range(ALIGN_DOWN(bi->modules[i].start, PAGE_SIZE),
			   ALIGN_UP(bi->modules[i].end, PAGE_SIZE), true);
	managed_frames = free_frames;
}

void frames_init(const struct boot_info *bi)
{
	memset(bitmap, 0xff, sizeof bitmap);
	free_frames = 0;
	next_hint = 0;
	add_usable(bi, 0, FRAMES_WINDOW_LIMIT);
}

uint64_t frames_usable_top(const struct boot_info *bi)
{
	uint64_t top = 0;
	for (unsigned i = 0; i < bi->region_count; i++) {
		const struct mem_region *r = &bi->regions[i];
		uint64_t end = ALIGN_DOWN(r->base + r->len, PAGE_SIZE);
		if (r->type == MEM_USABLE && end > top)
			top = end;
	}
	return top < FRAMES_LIMIT ? top : FRAMES_LIMIT;
}

void frames_add_above_window(const struct boot_info *bi)
{
	add_usable(bi, FRAMES_WINDOW_LIMIT, FRAMES_LIMIT);
	/* Hand out high frames first: the boot window's stay for the runs
	 * of contiguous frames, and a big machine uses the physmap from the
	 * start rather than only once the window is full. */
	next_hint = FRAMES_WINDOW_LIMIT / PAGE_SIZE / 64;
}

struct frame_result frames_alloc(void)
{
	for (uint64_t n = 0; n < FRAME_COUNT / 64; n++) {
		uint64_t w = (next_hint + n) % (FRAME_COUNT / 64);
		if (bitmap[w] == ~0ull)
			continue;
		uint64_t f = w * 64 + (uint64_t)__builtin_ctzll(~bitmap[w]);
		bit_set(f);
		free_frames--;
		next_hint = w;
		return (struct frame_result){E_OK, f * PAGE_SIZE};
	}
	return (struct frame_result){E_NOMEM, 0};
}

struct frame_result frames_alloc_contig(uint64_t n)
{
	if (n == 0 || n > FRAME_COUNT)
		return (struct frame_result){E_INVAL, 0};
	uint64_t run = 0;
	for (uint64_t f = 0; f < FRAME_COUNT; f++) {
		if (f % 64 == 0 && bitmap[f / 64] == ~0ull) {
			run = 0; /* a word of used frames */
			f += 63;
			continue;
		}
		/* A run may not straddle the window's end: its two halves would
		 * not be adjacent in virtual memory. */
		if (f == FRAMES_WINDOW_LIMIT / PAGE_SIZE)
			run = 0;
		run = bit_test(f) ? 0 : run + 1;
		if (run == n) {
			uint64_t first = f + 1 - n;
			for (uint64_t g = first; g <= f; g++)
				bit_set(g);
			free_frames -= n;
			return (struct frame_result){E_OK, first * PAGE_SIZE};
		}
	}
	return (struct frame_result){E_NOMEM, 0};
}

struct status frames_free(uint64_t pa)
{
	if (pa % PAGE_SIZE || pa >= FRAMES_LIMIT)
		return STATUS(E_INVAL);
	uint64_t f = pa / PAGE_SIZE;
	if (!bit_test(f))
		return STATUS(E_INVAL); /* double free */
	if (frames_is_reserved_range(pa, PAGE_SIZE))
		return STATUS(E_PERM);
	bit_clear(f);
	free_frames++;
	return STATUS_OK;
}

uint64_t frames_free_count(void) { return free_frames; }
uint64_t frames_managed_count(void) { return managed_frames; }

/* True when [pa, pa+len) touches memory the allocator must never hand out. */
bool frames_is_reserved_range(uint64_t pa, uint64_t len)
{
	uint64_t end = pa + len;
	if (pa < 0x100000)
		return true;
	if (pa < (uint64_t)__kernel_phys_end && end > (uint64_t)__kernel_phys_start)
		return true;
	const struct boot_info *bi = boot_info();
	for (unsigned i = 0; i < bi->module_count; i++)
		if (pa < bi->modules[i].end && end > bi->modules[i].start)
			return true;
	return false;
}
