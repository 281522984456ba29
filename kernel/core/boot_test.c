/* Tests of the state boot.S and kmain leave behind. */
#include "records.h"
#include "arch/x86_64/x86.h"

KTEST(boot_long_mode, "boot.long_mode")
{
	uint64_t efer = rdmsr(MSR_EFER);
	KT_EXPECT_MSG(t, efer & EFER_LMA, "EFER.LMA is clear (efer=0x%lx)", efer);
	KT_EXPECT(t, read_cr0() & (1ull << 31)); /* paging */
	KT_EXPECT(t, read_cr4() & (1ull << 5));  /* PAE */
	uint16_t cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	KT_EXPECT_MSG(t, cs == GDT_KERNEL_CODE, "cs=0x%x", cs);
}

KTEST(boot_higher_half, "boot.higher_half")
{
	uint64_t rip;
	__asm__ volatile("lea 0(%%rip), %0" : "=r"(rip));
	KT_EXPECT_MSG(t, rip >= KERNEL_VMA, "running at %p", (void *)rip);
	KT_EXPECT((t), (uint64_t)&rip >= KERNEL_VMA); /* the stack too */
	KT_EXPECT(t, (uint64_t)__kernel_phys_start == KERNEL_LOAD_PHYS);
}

KTEST(boot_nx_enabled, "boot.nx_enabled")
{
	KT_EXPECT(t, rdmsr(MSR_EFER) & EFER_NXE);
	KT_EXPECT(t, read_cr0() & (1ull << 16)); /* WP: supervisor writes honour read-only pages */
}
