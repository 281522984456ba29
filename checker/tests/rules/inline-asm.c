// Inline assembly in any form, in crate code.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules

// CHECK: inline-asm.c:[[@LINE+1]]:1: error: file-scope assembly; hint: {{.*}} [safe-c-inline-asm]
__asm__(".globl crate_marker");

void pause(void)
{
	// CHECK: inline-asm.c:[[@LINE+1]]:2: error: inline assembly; hint: use the port I/O, register and interrupt helpers of the trusted headers [safe-c-inline-asm]
	__asm__ volatile("pause");
}

unsigned long read_cr3(void)
{
	unsigned long value;
	// CHECK: inline-asm.c:[[@LINE+1]]:2: error: inline assembly{{.*}} [safe-c-inline-asm]
	asm volatile("mov %%cr3, %0" : "=r"(value));
	return value;
}

int asm_goto(int x)
{
	// CHECK: inline-asm.c:[[@LINE+1]]:2: error: inline assembly{{.*}} [safe-c-inline-asm]
	asm goto("test %0, %0; jz %l1" : : "r"(x) : "cc" : zero);
	return 1;
zero:
	return 0;
}

#define CLI() __asm__ volatile("cli")
void crate_macro(void)
{
	// A macro of the crate is crate code.
	// CHECK: inline-asm.c:[[@LINE+1]]:2: error: inline assembly{{.*}} [safe-c-inline-asm]
	CLI();
}
