/* Four-level paging for the crate region and the nano-core's own W^X.
 * Only the top GiB (PML4[511], PDPT[511]) and the memory crate's mapping
 * region (PML4[384]) are managed with 4 KiB pages here; the physmap
 * (PML4[256]) maps RAM above the boot window with 2 MiB pages. Page-table
 * pages are frames, reached through phys_to_virt. */
#include "paging.h"
#include "frames.h"
#include "arch/x86_64/x86.h"
#include <theseus/pages.h>

extern uint64_t boot_pml4[512];
extern uint64_t boot_pdpt_high[512];

static uint64_t *table_at(uint64_t entry) { return phys_to_virt(entry & PTE_ADDR_MASK); }

static uint64_t perm_bits(enum page_perm perm)
{
	switch (perm) {
	case PAGE_WRITE: return PTE_PRESENT | PTE_WRITE | PTE_NX;
	case PAGE_EXEC: return PTE_PRESENT;
	case PAGE_READ:
	default: return PTE_PRESENT | PTE_NX;
	}
}

/* Frames that became page tables (they are never freed). */
static uint64_t table_frames;

static struct status new_table(uint64_t *entry)
{
	struct frame_result f = frames_alloc();
	if (f.err != E_OK)
		return STATUS(f.err);
	memset(phys_to_virt(f.value), 0, PAGE_SIZE);
	*entry = f.value | PTE_PRESENT | PTE_WRITE;
	table_frames++;
	return STATUS_OK;
}

uint64_t paging_table_frames(void) { return table_frames; }

/* Walk to the PTE of va, creating tables on the way when `create`. */
static uint64_t *pte_of(uint64_t va, bool create)
{
	uint64_t *pml4e = &boot_pml4[(va >> 39) & 511];
	if (!(*pml4e & PTE_PRESENT) && (!create || !status_ok(new_table(pml4e))))
		return NULL;
	uint64_t *pdpte = &table_at(*pml4e)[(va >> 30) & 511];
	if (!(*pdpte & PTE_PRESENT) && (!create || !status_ok(new_table(pdpte))))
		return NULL;
	if (*pdpte & PTE_HUGE)
		return NULL;
	uint64_t *pde = &table_at(*pdpte)[(va >> 21) & 511];
	if (!(*pde & PTE_PRESENT) && (!create || !status_ok(new_table(pde))))
		return NULL;
	if (*pde & PTE_HUGE)
		return NULL;
	return &table_at(*pde)[(va >> 12) & 511];
}

static bool in_crate_region(uint64_t va)
{
	return va >= CRATE_REGION_BASE && va - CRATE_REGION_BASE < CRATE_REGION_SIZE && va % PAGE_SIZE == 0;
}

/* The memory crate's data region (theseus/pages.h) is the other range
 * managed with 4 KiB pages. */
static bool in_mapping_region(uint64_t va)
{
	return va >= KERNEL_MAPPING_REGION_BASE && va - KERNEL_MAPPING_REGION_BASE < KERNEL_MAPPING_REGION_SIZE &&
	       va % PAGE_SIZE == 0;
}

static bool in_managed_region(uint64_t va) { return in_crate_region(va) || in_mapping_region(va); }

struct status paging_map(uint64_t va, uint64_t pa, enum page_perm perm)
{
	if (!in_managed_region(va) || pa % PAGE_SIZE)
		return STATUS(E_INVAL);
	uint64_t *pte = pte_of(va, true);
	if (!pte)
		return STATUS(E_NOMEM);
	if (*pte & PTE_PRESENT)
		return STATUS(E_EXIST);
	*pte = pa | perm_bits(perm);
	return STATUS_OK;
}

struct status paging_protect(uint64_t va, enum page_perm perm)
{
	if (!in_managed_region(va))
		return STATUS(E_INVAL);
	uint64_t *pte = pte_of(va, false);
	if (!pte || !(*pte & PTE_PRESENT))
		return STATUS(E_NOENT);
	*pte = (*pte & PTE_ADDR_MASK) | perm_bits(perm);
	invlpg(va);
	return STATUS_OK;
}

uint64_t paging_unmap(uint64_t va)
{
	if (!in_managed_region(va))
		return 0;
	uint64_t *pte = pte_of(va, false);
	if (!pte || !(*pte & PTE_PRESENT))
		return 0;
	uint64_t pa = *pte & PTE_ADDR_MASK;
	*pte = 0;
	invlpg(va);
	return pa;
}

uint64_t paging_entry(uint64_t va)
{
	uint64_t *pml4e = &boot_pml4[(va >> 39) & 511];
	if (!(*pml4e & PTE_PRESENT))
		return 0;
	uint64_t *pdpte = &table_at(*pml4e)[(va >> 30) & 511];
	if (!(*pdpte & PTE_PRESENT) || (*pdpte & PTE_HUGE))
		return *pdpte;
	uint64_t *pde = &table_at(*pdpte)[(va >> 21) & 511];
	if (!(*pde & PTE_PRESENT) || (*pde & PTE_HUGE))
		return *pde;
	return table_at(*pde)[(va >> 12) & 511];
}

uint64_t paging_lookup(uint64_t va)
{
	uint64_t e = paging_entry(va);
	if (!(e & PTE_PRESENT))
		return 0;
	uint64_t page = e & PTE_HUGE ? 0x200000 : PAGE_SIZE;
	return (e & PTE_ADDR_MASK & ~(page - 1)) + (va & (page - 1));
}

extern char boot_stack_guard[];

void paging_init(void)
{
	/* The boot window's page directory (PDPT[510]). */
	uint64_t *pd = table_at(boot_pdpt_high[510]);
	for (unsigned i = 1; i < 512; i++) /* pd[0] holds the code running now */
		pd[i] |= PTE_NX;

	/* The first 2 MiB hold the nano-core: split them into 4 KiB pages. */
	struct frame_result pt_frame = frames_alloc();
	if (pt_frame.err != E_OK)
		return; /* cannot happen this early; the window stays coarse */
	uint64_t *pt = phys_to_virt(pt_frame.value);
	uint64_t text = (uint64_t)__text_start, text_end = (uint64_t)__text_end;
	uint64_t ro = (uint64_t)__rodata_start, ro_end = (uint64_t)__rodata_end;
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t va = KERNEL_VMA + i * PAGE_SIZE;
		uint64_t bits = PTE_PRESENT | PTE_WRITE | PTE_NX;
		if (va >= ALIGN_DOWN(text, PAGE_SIZE) && va < text_end)
			bits = PTE_PRESENT;
		else if ((va >= ALIGN_DOWN(ro, PAGE_SIZE) && va < ro_end) ||
			 (va >= (uint64_t)__kernel_symbols_start && va < (uint64_t)__kernel_symbols_end))
			bits = PTE_PRESENT | PTE_NX;
		else if (va == (uint64_t)boot_stack_guard)
			bits = 0; /* running off the boot stack faults */
		pt[i] = bits ? (i * PAGE_SIZE) | bits : 0;
	}
	/* The .boot section (multiboot2 header, 32-bit entry) is never run again. */
	pd[0] = pt_frame.value | PTE_PRESENT | PTE_WRITE;
	write_cr3(read_cr3());
}

struct status paging_map_physmap(uint64_t from, uint64_t to)
{
	if (from % PAGE_2M || to % PAGE_2M || from > to || PHYSMAP_BASE + to < PHYSMAP_BASE)
		return STATUS(E_INVAL);
	for (uint64_t pa = from; pa < to; pa += PAGE_2M) {
		uint64_t va = PHYSMAP_BASE + pa;
		uint64_t *pml4e = &boot_pml4[(va >> 39) & 511];
		if (!(*pml4e & PTE_PRESENT) && !status_ok(new_table(pml4e)))
			return STATUS(E_NOMEM);
		uint64_t *pdpte = &table_at(*pml4e)[(va >> 30) & 511];
		if (!(*pdpte & PTE_PRESENT) && !status_ok(new_table(pdpte)))
			return STATUS(E_NOMEM);
		table_at(*pdpte)[(va >> 21) & 511] = pa | PTE_PRESENT | PTE_WRITE | PTE_HUGE | PTE_NX;
	}
	write_cr3(read_cr3());
	return STATUS_OK;
}

/* Unmap every 4 KiB page mapped in the memory crate's mapping region,
 * freeing its frame. Absent tables are skipped whole, so an empty region
 * costs a look at one PML4 entry; page tables stay for reuse. */
uint64_t paging_clear_mapping_region(void)
{
	uint64_t cleared = 0;
	uint64_t pml4e = boot_pml4[(KERNEL_MAPPING_REGION_BASE >> 39) & 511];
	if (!(pml4e & PTE_PRESENT))
		return 0;
	uint64_t first = (KERNEL_MAPPING_REGION_BASE >> 30) & 511;
	uint64_t gib = KERNEL_MAPPING_REGION_SIZE >> 30;
	for (uint64_t i = first; i < first + gib && i < 512; i++) {
		uint64_t pdpte = table_at(pml4e)[i];
		if (!(pdpte & PTE_PRESENT) || (pdpte & PTE_HUGE))
			continue;
		for (uint64_t j = 0; j < 512; j++) {
			uint64_t pde = table_at(pdpte)[j];
			if (!(pde & PTE_PRESENT) || (pde & PTE_HUGE))
				continue;
			uint64_t *pt = table_at(pde);
			for (uint64_t k = 0; k < 512; k++) {
				if (!(pt[k] & PTE_PRESENT))
					continue;
				(void)frames_free(pt[k] & PTE_ADDR_MASK);
				pt[k] = 0;
				cleared++;
			}
		}
	}
	if (cleared)
		write_cr3(read_cr3());
	return cleared;
}
