/* The nano-core's page primitives as exports for the memory crate. The
 * declarations, and why they are this narrow, are in
 * kernel/include/theseus/pages.h. */
#include "kernel.h"
#include "export.h"
#include "frames.h"
#include "paging.h"
#include <theseus/pages.h>

static bool mapping_range_ok(uint64_t va, size_t pages)
{
	if (va % PAGE_SIZE || pages == 0 || va < KERNEL_MAPPING_REGION_BASE)
		return false;
	uint64_t offset = va - KERNEL_MAPPING_REGION_BASE;
	return offset < KERNEL_MAPPING_REGION_SIZE && pages <= (KERNEL_MAPPING_REGION_SIZE - offset) / PAGE_SIZE;
}

static bool page_perm_of(enum kernel_page_perm perm, enum page_perm *out)
{
	switch (perm) {
	case KERNEL_PAGES_READ: *out = PAGE_READ; return true;
	case KERNEL_PAGES_READ_WRITE: *out = PAGE_WRITE; return true;
	}
	return false;
}

/* Undo the first `mapped` pages of a kernel_pages_map that failed. */
static void unmap_first(uint64_t va, size_t mapped)
{
	for (size_t p = 0; p < mapped; p++) {
		uint64_t pa = paging_unmap(va + p * PAGE_SIZE);
		if (pa)
			(void)frames_free(pa);
	}
}

KERNEL_EXPORT struct kernel_pages_result kernel_pages_map(uint64_t va, size_t pages, enum kernel_page_perm perm)
{
	enum page_perm pp;
	if (!mapping_range_ok(va, pages) || !page_perm_of(perm, &pp))
		return (struct kernel_pages_result){E_INVAL, {NULL, 0}};
	for (size_t p = 0; p < pages; p++) {
		struct frame_result f = frames_alloc();
		if (f.err != E_OK) {
			unmap_first(va, p);
			return (struct kernel_pages_result){f.err, {NULL, 0}};
		}
		/* Zeroed before it becomes reachable: nothing of the frame's last
		 * user leaks to the next. */
		memset(phys_to_virt(f.value), 0, PAGE_SIZE);
		struct status s = paging_map(va + p * PAGE_SIZE, f.value, pp);
		if (!status_ok(s)) {
			(void)frames_free(f.value);
			unmap_first(va, p);
			return (struct kernel_pages_result){s.err, {NULL, 0}};
		}
	}
	return (struct kernel_pages_result){E_OK, {(unsigned char *)va, pages * PAGE_SIZE}};
}
KEXPORT(kernel_pages_map);

KERNEL_EXPORT struct status kernel_pages_unmap(uint64_t va, size_t pages)
{
	if (!mapping_range_ok(va, pages))
		return STATUS(E_INVAL);
	bool all_mapped = true;
	for (size_t p = 0; p < pages; p++) {
		uint64_t pa = paging_unmap(va + p * PAGE_SIZE);
		if (pa)
			(void)frames_free(pa);
		else
			all_mapped = false;
	}
	return all_mapped ? STATUS_OK : STATUS(E_NOENT);
}
KEXPORT(kernel_pages_unmap);

KERNEL_EXPORT struct status kernel_pages_protect(uint64_t va, size_t pages, enum kernel_page_perm perm)
{
	enum page_perm pp;
	if (!mapping_range_ok(va, pages) || !page_perm_of(perm, &pp))
		return STATUS(E_INVAL);
	for (size_t p = 0; p < pages; p++)
		if (!paging_lookup(va + p * PAGE_SIZE))
			return STATUS(E_NOENT);
	for (size_t p = 0; p < pages; p++) {
		struct status s = paging_protect(va + p * PAGE_SIZE, pp);
		if (!status_ok(s))
			return s;
	}
	return STATUS_OK;
}
KEXPORT(kernel_pages_protect);

KERNEL_EXPORT uint64_t kernel_mapping_region_reset(void) { return paging_clear_mapping_region(); }
KEXPORT(kernel_mapping_region_reset);

KERNEL_EXPORT struct kernel_frame_counts kernel_frame_counts(void)
{
	return (struct kernel_frame_counts){frames_managed_count(), frames_free_count(), paging_table_frames()};
}
KEXPORT(kernel_frame_counts);
