/* Trusted header: the halting operations, in one list.
 *
 * Each of these can stop the machine or keep it from ever running
 * anything else: powering off, disabling interrupts (after which a loop
 * never gives the CPU back, because the timer cannot preempt it), and
 * halting the CPU. Crate code may use one only when its crate is named
 * for that operation, with a reason, in checker/halt_allowlist.txt (safe-C
 * rule `halting`); every other crate gets a compile error, so a crate that
 * disables interrupts and then loops forever cannot pass the checker.
 *
 * cpu_irq_restore (re-enabling) and cpu_irq_enable are not halting: they
 * live in theseus/cpu.h. */
#ifndef THESEUS_HALTING_H
#define THESEUS_HALTING_H

#include <stdbool.h>
#include <stdint.h>

#define HALTING_OPERATION __attribute__((annotate("theseus.halting")))

/* Power off (ends QEMU). A user's request, not a crash: the shell's
 * `shutdown` command. Exported by the nano-core. */
HALTING_OPERATION void kernel_power_off(void);

/* Disable interrupts and return whether they were enabled; give that to
 * cpu_irq_restore (theseus/cpu.h). */
HALTING_OPERATION static inline bool cpu_irq_save(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
	return flags & (1u << 9);
}

/* Disable interrupts with nothing to restore them. */
HALTING_OPERATION static inline void cpu_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }

/* Halt the CPU until the next interrupt (interrupts are enabled
 * atomically with hlt). */
HALTING_OPERATION static inline void cpu_wait_for_interrupt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

#endif
