/* Page tables of the one kernel address space. */
#ifndef THESEUS_PAGING_H
#define THESEUS_PAGING_H

#include "kernel.h"

enum page_perm {
	PAGE_READ = 0,       /* read only, no execute */
	PAGE_WRITE = 1,      /* read + write, no execute */
	PAGE_EXEC = 2,       /* read + execute */
};

/* Split the nano-core's own 2 MiB boot page into 4 KiB pages with W^X
 * permissions (text RX, rodata R, data RW) and make the rest of the boot
 * window non-executable. */
void paging_init(void);

/* Map one 4 KiB page in the crate region; page tables come from frames. */
struct status paging_map(uint64_t va, uint64_t pa, enum page_perm perm);
struct status paging_protect(uint64_t va, enum page_perm perm);
/* Unmaps and returns the physical address that was mapped (0 if none). */
uint64_t paging_unmap(uint64_t va);
/* The physical address va is mapped to, or 0. */
uint64_t paging_lookup(uint64_t va);
/* Page-table entry of va (0 when any level is absent): tests read flags. */
uint64_t paging_entry(uint64_t va);
/* Unmap everything in the memory crate's mapping region (theseus/pages.h)
 * and free the frames; returns the number of pages. */
uint64_t paging_clear_mapping_region(void);
/* Frames taken for page tables so far (page tables are kept for reuse). */
uint64_t paging_table_frames(void);

#define PTE_PRESENT (1ull << 0)
#define PTE_WRITE (1ull << 1)
#define PTE_HUGE (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull

/* Map physical [from, to) (2 MiB aligned) at PHYSMAP_BASE + pa, read-write,
 * never executable, with 2 MiB pages. */
struct status paging_map_physmap(uint64_t from, uint64_t to);

#endif
