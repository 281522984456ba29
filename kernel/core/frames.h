/* Early physical frame allocator: one bit per 4 KiB frame. */
#ifndef THESEUS_FRAMES_H
#define THESEUS_FRAMES_H

#include "bootinfo.h"

RESULT_TYPE(frame_result, uint64_t);

/* Frames the allocator manages lie below this address; RAM above it is
 * left unused (the bitmap is 512 KiB of .bss). */
#define FRAMES_LIMIT (16ull << 30)
/* Frames below this are reached through the boot window, the others
 * through the physmap (kernel.h). */
#define FRAMES_WINDOW_LIMIT KERNEL_WINDOW_SIZE

/* The usable frames below FRAMES_WINDOW_LIMIT. */
void frames_init(const struct boot_info *bi);
/* End of the usable RAM the allocator can manage (<= FRAMES_LIMIT). */
uint64_t frames_usable_top(const struct boot_info *bi);
/* Once the physmap reaches them: the usable frames above the window. */
void frames_add_above_window(const struct boot_info *bi);
struct frame_result frames_alloc(void);
/* n physically contiguous frames (for the nano-core's own tables). */
struct frame_result frames_alloc_contig(uint64_t n);
struct status frames_free(uint64_t pa);
uint64_t frames_free_count(void);
uint64_t frames_managed_count(void);
bool frames_is_reserved_range(uint64_t pa, uint64_t len);

#endif
