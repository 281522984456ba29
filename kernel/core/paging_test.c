#include "records.h"
#include "frames.h"
#include "paging.h"
#include "arch/x86_64/trap.h"

static void write_byte(void *arg) { *(volatile uint8_t *)arg = 0x90; }

static void call_ret_at(void *arg)
{
	void (*fn)(void) = (void (*)(void))arg;
	fn();
}

static uint8_t data_page[4096] __attribute__((aligned(4096)));

KTEST(paging_nano_core_wx, "paging.nano_core_wx")
{
	struct fault_point fp;
	/* Text is not writable ... */
	KT_EXPECT(t, kfault_try(&fp, write_byte, (void *)&write_byte) == 14 + 1);
	KT_EXPECT_MSG(t, (fp.error_code & 3) == 3, "error code 0x%lx: want a protection write", fp.error_code);
	/* ... read-only data is not writable ... */
	KT_EXPECT(t, kfault_try(&fp, write_byte, (void *)__rodata_start) == 14 + 1);
	/* ... and data does not execute. */
	data_page[0] = 0xC3; /* ret */
	KT_EXPECT(t, kfault_try(&fp, call_ret_at, data_page) == 14 + 1);
	KT_EXPECT_MSG(t, fp.error_code & 16, "error code 0x%lx: want an instruction fetch", fp.error_code);
	KT_EXPECT(t, fp.fault_addr == (uint64_t)data_page);
}

KTEST(paging_crate_region_map_protect_unmap, "paging.crate_region_map_protect_unmap")
{
	struct frame_result f = frames_alloc();
	KT_EXPECT(t, f.err == E_OK);
	uint64_t va = CRATE_REGION_BASE + 0x3F000000; /* far from where crates are placed */
	KT_EXPECT(t, status_ok(paging_map(va, f.value, PAGE_WRITE)));
	KT_EXPECT(t, paging_map(va, f.value, PAGE_WRITE).err == E_EXIST);
	KT_EXPECT(t, paging_lookup(va + 12) == f.value + 12);
	*(volatile uint8_t *)va = 0xC3;
	KT_EXPECT(t, *(volatile uint8_t *)phys_to_virt(f.value) == 0xC3);

	struct fault_point fp;
	KT_EXPECT(t, kfault_try(&fp, call_ret_at, (void *)va) == 14 + 1); /* RW is NX */
	KT_EXPECT(t, status_ok(paging_protect(va, PAGE_EXEC)));
	KT_EXPECT(t, kfault_try(&fp, call_ret_at, (void *)va) == 0);       /* RX runs */
	KT_EXPECT(t, kfault_try(&fp, write_byte, (void *)va) == 14 + 1);   /* RX is not writable */
	KT_EXPECT(t, status_ok(paging_protect(va, PAGE_READ)));
	KT_EXPECT(t, kfault_try(&fp, call_ret_at, (void *)va) == 14 + 1);
	KT_EXPECT(t, kfault_try(&fp, write_byte, (void *)va) == 14 + 1);

	KT_EXPECT(t, paging_unmap(va) == f.value);
	KT_EXPECT(t, paging_lookup(va) == 0);
	KT_EXPECT(t, kfault_try(&fp, write_byte, (void *)va) == 14 + 1);
	KT_EXPECT(t, fp.fault_addr == va && !(fp.error_code & 1)); /* not present */
	KT_EXPECT(t, status_ok(frames_free(f.value)));

	/* Outside the crate region nothing is mapped through this API. */
	KT_EXPECT(t, paging_map(KERNEL_VMA, f.value, PAGE_WRITE).err == E_INVAL);
}

KTEST(paging_physmap_addresses, "paging.physmap_addresses")
{
	/* Below the boot window's end: the window; above: the physmap. */
	KT_EXPECT(t, (uint64_t)phys_to_virt(0x200000) == KERNEL_VMA + 0x200000);
	KT_EXPECT(t, (uint64_t)phys_to_virt(KERNEL_WINDOW_SIZE) == PHYSMAP_BASE + KERNEL_WINDOW_SIZE);
	KT_EXPECT(t, virt_to_phys(phys_to_virt(0x3000)) == 0x3000);
	KT_EXPECT(t, virt_to_phys(phys_to_virt(5ull << 30)) == 5ull << 30);
	KT_EXPECT(t, paging_map_physmap(0x1000, PAGE_2M).err == E_INVAL);   /* unaligned */
	KT_EXPECT(t, paging_map_physmap(4 * PAGE_2M, 2 * PAGE_2M).err == E_INVAL); /* backwards */
	KT_EXPECT(t, status_ok(paging_map_physmap(PAGE_2M, PAGE_2M)));      /* empty */
}
