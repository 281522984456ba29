/* In-kernel tests of user space's mechanism: the descriptors ring 3
 * needs, and the checks of a load plan. The ELF rules are the
 * program_loader crate's (its own tests); programs running in ring 3 are
 * tested under QEMU by testsuite/user/test_user_space.py. */
#include "kernel.h"
#include "arch/x86_64/x86.h"
#include "records.h" /* the nano-core's own KT_EXPECT_MSG (kprintf conversions) */
#include <theseus/user.h>

KTEST(user_descriptors, "user.descriptors")
{
	uint16_t tr;
	__asm__ volatile("str %0" : "=r"(tr));
	KT_EXPECT_MSG(t, tr == 0x28, "task register 0x%x", tr);
	/* LAR: the access rights of a selector, ZF set when it is valid. */
	for (unsigned sel = GDT_USER_DATA | 3; sel <= (GDT_USER_CODE | 3); sel += 8) {
		uint32_t rights = 0;
		uint8_t ok;
		__asm__ volatile("lar %2, %0; setz %1" : "=r"(rights), "=q"(ok) : "r"(sel) : "cc");
		KT_EXPECT_MSG(t, ok && ((rights >> 13) & 3) == 3, "selector 0x%x rights 0x%x", sel, rights);
	}
	KT_EXPECT(t, rdmsr(MSR_EFER) & EFER_SCE);
	KT_EXPECT(t, rdmsr(MSR_LSTAR) >= KERNEL_VMA);
	/* Outside a system call there is no process to copy from or map into. */
	char b[4];
	KT_EXPECT(t, kernel_user_copy_in((struct bytes){(unsigned char *)b, 4}, 0x400000).err == E_INVAL);
	KT_EXPECT(t, kernel_user_vars() == NULL);
}

static bool says(const struct user_result *r, enum kerr err, const char *part)
{
	size_t n = strlen(part);
	for (const char *w = r->what; *w; w++)
		if (strncmp(w, part, n) == 0)
			return r->end == USER_NOT_RUN && r->err == err;
	return false;
}

/* A load plan is checked range by range before anything is mapped. */
KTEST(user_load_plan_checked, "user.load_plan_checked")
{
	static struct user_load_plan plan;
	const struct user_load_plan good = {
		.program = 0, .segment_count = 1,
		.segments = {{.va = 0x400000, .size = 0x1000, .file_off = 0, .file_size = 64, .prot = USER_PROT_READ}},
		.entry = 0x400000, .brk = 0x401000, .stack_start = USER_STACK_IMAGE_MAX - 16, .name = "plan",
	};
	plan = good, plan.program = 1u << 30;
	struct user_result r = kernel_user_run(&plan);
	KT_EXPECT_MSG(t, says(&r, E_NOENT, "no such program"), "%s", r.what);
	plan = good, plan.segment_count = USER_SEGMENTS_MAX + 1;
	r = kernel_user_run(&plan);
	KT_EXPECT_MSG(t, says(&r, E_INVAL, "1 to 16 segments"), "%s", r.what);
	plan = good, plan.segments[0].va = 0xFFFF800000000000ull;
	r = kernel_user_run(&plan);
	KT_EXPECT_MSG(t, says(&r, E_INVAL, "segment 0 outside"), "%s", r.what);
	plan = good, plan.segments[0].va = USER_STACK_TOP - 0x1000; /* over the stack */
	r = kernel_user_run(&plan);
	KT_EXPECT_MSG(t, says(&r, E_INVAL, "segment 0 outside"), "%s", r.what);
	plan = good, plan.segments[0].file_off = UINT64_MAX - 8;
	r = kernel_user_run(&plan);
	KT_EXPECT_MSG(t, says(&r, E_INVAL, "segment 0 outside"), "%s", r.what);
	plan = good, plan.segments[0].file_size = 0x2000;
	r = kernel_user_run(&plan);
	KT_EXPECT_MSG(t, says(&r, E_INVAL, "segment 0 outside"), "%s", r.what);
	plan = good, plan.stack_start = 8;
	r = kernel_user_run(&plan);
	KT_EXPECT_MSG(t, says(&r, E_INVAL, "start-up stack"), "%s", r.what);
	plan = good, plan.stack_start = USER_STACK_IMAGE_MAX;
	r = kernel_user_run(&plan);
	KT_EXPECT_MSG(t, says(&r, E_INVAL, "start-up stack"), "%s", r.what);
	plan = good, plan.brk = 0x401001;
	r = kernel_user_run(&plan);
	KT_EXPECT_MSG(t, says(&r, E_INVAL, "entry or break"), "%s", r.what);
	KT_EXPECT(t, kernel_user_run(NULL).err == E_INVAL);
}
