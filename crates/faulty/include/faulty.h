/* faulty: an application that faults on request, for the fault tests and
 * the fault campaign. Checker-clean: its faults are the ones safe C still
 * allows a crate to make (a bounds trap, running off the stack), not code
 * corruption, so a repair of its code changes nothing.
 *
 *   run faulty bounds     an out-of-range index into a true array: the
 *                         bounds check traps (#UD)
 *   run faulty recurse    recursion until the task's stack runs out: the
 *                         guard page below it, then a double fault
 *   spawn faulty spin     loops in faulty_main for good (a runaway loop:
 *                         once the scrubber repairs code of faulty_main,
 *                         the task is unwound; kill ends it too)
 *   run faulty spin-irqs-off
 *                         the same loop with interrupts off: no tick
 *                         reaches it; the lockup watchdog's NMI ends it
 *   spawn faulty kill-session
 *                         FAULTY_KILL_DELAY_TICKS later, kills the shell's
 *                         console session wherever it is (reading a line,
 *                         say): a session ended from outside, at a time a
 *                         test picks
 *   spawn faulty late     FAULTY_KILL_DELAY_TICKS later, prints its line:
 *                         output from another task while a line is typed
 *   run faulty            prints how many times it ran (in its own .bss:
 *                         a restart starts the count again) */
#ifndef CRATE_FAULTY_H
#define CRATE_FAULTY_H

#include <theseus/result.h>
#include <theseus/slice.h>

#define FAULTY_KILL_DELAY_TICKS 500

struct status faulty_main(struct str args);

#endif
