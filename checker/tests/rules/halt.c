// Calls that can stop the machine.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fplugin-arg-safec-halt-functions=kernel_die,stop_cpu -fsyntax-only %s 2>&1 | %check_rules
#include <hw/port.h>
void abort(void);
void kernel_die(const char *why);

void give_up(void)
{
	// CHECK: halt.c:[[@LINE+1]]:2: error: use of 'abort', which can halt the machine; hint: return an error through a result type; the nano-core contains crate faults [safe-c-halt]
	abort();
}

int trap(int x)
{
	if (x < 0)
		// CHECK: halt.c:[[@LINE+1]]:3: error: use of '__builtin_trap'{{.*}} [safe-c-halt]
		__builtin_trap();
	if (x > 100)
		// CHECK: halt.c:[[@LINE+1]]:3: error: use of '__builtin_unreachable'{{.*}} [safe-c-halt]
		__builtin_unreachable();
	return x;
}

void marked_in_trusted_header(void)
{
	// nano_halt carries HALTS (annotate "theseus.halts") in hw/port.h.
	// CHECK: halt.c:[[@LINE+1]]:2: error: use of 'nano_halt'{{.*}} [safe-c-halt]
	nano_halt();
}

void configured_name(void)
{
	// CHECK: halt.c:[[@LINE+1]]:2: error: use of 'kernel_die'{{.*}} [safe-c-halt]
	kernel_die("no");
}

void debug_trap(void)
{
	// CHECK: halt.c:[[@LINE+1]]:2: error: use of '__builtin_debugtrap'{{.*}} [safe-c-halt]
	__builtin_debugtrap();
}
