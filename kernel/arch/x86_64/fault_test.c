/* Exceptions are caught, attributed and reported rather than hanging. */
#include "core/records.h"
#include "x86.h"
#include "trap.h"

extern struct fault_point *fault_point_current;

static void do_ud2(void *arg) { (void)arg; __asm__ volatile("ud2"); }

static void do_null_read(void *arg)
{
	(void)arg;
	volatile uint64_t *p = (volatile uint64_t *)0x8;
	(void)*p;
}

static void do_write_unmapped(void *arg)
{
	(void)arg;
	volatile uint8_t *p = (volatile uint8_t *)0xFFFF900000000000;
	*p = 1;
}

static void do_divide(void *arg)
{
	(void)arg;
	__asm__ volatile("xorl %%edx, %%edx; movl $10, %%eax; divl %0" ::"r"(0) : "eax", "edx");
}

static void do_nothing(void *arg) { *(int *)arg = 7; }

KTEST(fault_invalid_opcode, "fault.invalid_opcode")
{
	struct fault_point fp;
	int v = kfault_try(&fp, do_ud2, NULL);
	KT_EXPECT_MSG(t, v == 6 + 1, "kfault_try returned %d", v);
	KT_EXPECT(t, fp.vector == 6);
	KT_EXPECT(t, fp.fault_rip >= (uint64_t)__text_start && fp.fault_rip < (uint64_t)__text_end);
}

KTEST(fault_page_fault_reports_address, "fault.page_fault_reports_address")
{
	struct fault_point fp;
	int v = kfault_try(&fp, do_null_read, NULL);
	KT_EXPECT_MSG(t, v == 14 + 1, "kfault_try returned %d", v);
	KT_EXPECT_MSG(t, fp.fault_addr == 0x8, "cr2=%p", (void *)fp.fault_addr);
	KT_EXPECT(t, !(fp.error_code & 2)); /* a read */

	v = kfault_try(&fp, do_write_unmapped, NULL);
	KT_EXPECT(t, v == 14 + 1);
	KT_EXPECT(t, fp.fault_addr == 0xFFFF900000000000);
	KT_EXPECT(t, fp.error_code & 2); /* a write */
}

KTEST(fault_divide_error, "fault.divide_error")
{
	struct fault_point fp;
	KT_EXPECT(t, kfault_try(&fp, do_divide, NULL) == 0 + 1);
	KT_EXPECT(t, fp.vector == 0);
}

KTEST(fault_normal_return_and_nesting, "fault.normal_return_and_nesting")
{
	struct fault_point outer, inner;
	int x = 0;
	struct fault_point *before = fault_point_current;
	KT_EXPECT(t, kfault_try(&outer, do_nothing, &x) == 0 && x == 7);
	KT_EXPECT(t, fault_point_current == before);
	/* An inner recovery point catches its own fault; the outer stays armed. */
	KT_EXPECT(t, kfault_try(&inner, do_ud2, NULL) == 7);
	KT_EXPECT(t, fault_point_current == before);
	/* Callee-saved registers survive a recovered fault. */
	register uint64_t keep __asm__("r12") = 0x1234567890abcdef;
	__asm__ volatile("" : "+r"(keep));
	KT_EXPECT(t, kfault_try(&inner, do_null_read, NULL) == 15);
	__asm__ volatile("" : "+r"(keep));
	KT_EXPECT(t, keep == 0x1234567890abcdef);
}

struct soundness {
	bool armed_point_sound;
	struct fault_point copy;
	uint64_t rsp;
};

static void check_armed_point(void *arg)
{
	struct soundness *s = arg;
	uint64_t rsp;
	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	s->rsp = rsp;
	s->armed_point_sound = trap_fault_point_sound(fault_point_current, rsp);
	s->copy = *fault_point_current;
}

/* What the trap layer resumes must look like a recovery point: one that a
 * stack overrun zeroed or scrambled ends the task instead (a jump to
 * nowhere would halt the machine). */
KTEST(fault_overwritten_point_is_refused, "fault.overwritten_recovery_point_is_refused")
{
	struct fault_point fp;
	struct soundness s = {};
	KT_EXPECT(t, kfault_try(&fp, check_armed_point, &s) == 0);
	KT_EXPECT(t, s.armed_point_sound);
	struct fault_point bad = s.copy;
	/* Judged as if it lay where the armed one did: only its fields vary. */
	uint64_t below = (uint64_t)&bad < s.rsp ? (uint64_t)&bad - 64 : s.rsp;
	KT_EXPECT(t, trap_fault_point_sound(&bad, below));
	bad = (struct fault_point){};
	KT_EXPECT(t, !trap_fault_point_sound(&bad, below));
	bad = s.copy;
	bad.rip = 0x1000;
	KT_EXPECT(t, !trap_fault_point_sound(&bad, below));
	bad = s.copy;
	bad.rsp = below - 8; /* below the fault: not a caller's frame */
	KT_EXPECT(t, !trap_fault_point_sound(&bad, below));
	KT_EXPECT(t, !trap_fault_point_sound(&s.copy, (uint64_t)&bad + 4096 * 64)); /* the point below the fault */
}

/* Manual tests, run only when named: the harness checks that an
 * unrecoverable fault is reported and ends the run with the failure code,
 * and that a hang is killed by its timeout. */
KTEST_FLAGS(fault_unhandled, "fault.unhandled", KTEST_MANUAL)
{
	fault_point_current = NULL; /* step outside the runner's recovery point */
	do_null_read(NULL);
	KT_EXPECT_MSG(t, false, "the page fault did not happen");
}

KTEST_FLAGS(debug_hang, "debug.hang", KTEST_MANUAL)
{
	for (;;)
		cpu_relax();
}

/* Recursion with a frame the compiler cannot fold away. */
static uint64_t recurse(uint64_t depth)
{
	volatile uint8_t frame[256];
	frame[depth % sizeof frame] = (uint8_t)depth;
	return depth ? recurse(depth - 1) + frame[0] : 0;
}

static void overflow_the_stack(void *arg) { *(uint64_t *)arg = recurse(1u << 20); }

extern char boot_stack_bottom[];

/* Running off the end of the stack hits the unmapped guard page below
 * it; the page fault cannot push its frame there, so it becomes a double
 * fault, which runs on its own stack (IST) and is recovered at the
 * enclosing recovery point like any fault. The stack works afterwards. */
KTEST(fault_stack_overflow_is_recovered, "fault.stack_overflow_is_recovered")
{
	struct fault_point fp;
	uint64_t result = 0;
	int v = kfault_try(&fp, overflow_the_stack, &result);
	KT_EXPECT_MSG(t, v == 8 + 1, "kfault_try returned %d", v);
	int x = 0;
	KT_EXPECT(t, kfault_try(&fp, do_nothing, &x) == 0 && x == 7); /* the stack works */
	uint64_t rsp;
	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	KT_EXPECT(t, rsp > (uint64_t)boot_stack_bottom);
}

static void cli_then_ud2(void *arg)
{
	(void)arg;
	__asm__ volatile("cli; ud2");
}

/* A fault inside a cli section: the caller gets its interrupt flag back
 * with the unwind, not the faulting code's. */
KTEST(fault_unwind_restores_the_interrupt_flag, "fault.unwind_restores_the_interrupt_flag")
{
	uint64_t before;
	__asm__ volatile("pushfq; popq %0; sti" : "=r"(before));
	struct fault_point fp;
	int v = kfault_try(&fp, cli_then_ud2, NULL);
	uint64_t after;
	__asm__ volatile("pushfq; popq %0" : "=r"(after));
	if (!(before & RFLAGS_IF))
		__asm__ volatile("cli");
	KT_EXPECT_MSG(t, v == 6 + 1, "kfault_try returned %d", v);
	KT_EXPECT_MSG(t, after & RFLAGS_IF, "interrupts stayed off after the unwind (rflags %lx)", after);
}
