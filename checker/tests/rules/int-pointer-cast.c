// Integer <-> pointer casts, either direction, function pointers included.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#include <stdint.h>

void handler(void);

uintptr_t pointer_to_integer(int *p)
{
	// CHECK: int-pointer-cast.c:[[@LINE+1]]:9: error: cast from 'int *' to 'uintptr_t' converts between an integer and a pointer; hint: {{.*}} [safe-c-int-pointer-cast]
	return (uintptr_t)p;
}

volatile unsigned *integer_to_pointer(void)
{
	// CHECK: int-pointer-cast.c:[[@LINE+1]]:9: error: {{.*}}converts between an integer and a pointer{{.*}} [safe-c-int-pointer-cast]
	return (volatile unsigned *)0xfee00000ul;
}

long function_address(void)
{
	// CHECK: int-pointer-cast.c:[[@LINE+1]]:9: error: cast from 'void (*)(void)' to 'long'{{.*}} [safe-c-int-pointer-cast]
	return (long)handler;
}

void call_absolute(unsigned long addr)
{
	// CHECK: int-pointer-cast.c:[[@LINE+1]]:24: error: {{.*}} to 'void (*)(void)'{{.*}} [safe-c-int-pointer-cast]
	void (*entry)(void) = (void (*)(void))addr;
	entry();
}

unsigned long bits_of(int *p)
{
	// CHECK: int-pointer-cast.c:[[@LINE+1]]:9: error: bit cast from 'int *' to 'unsigned long' reinterprets pointer bits{{.*}} [safe-c-int-pointer-cast]
	return __builtin_bit_cast(unsigned long, p);
}

int *nonzero_constant(void)
{
	// CHECK: int-pointer-cast.c:[[@LINE+1]]:9: error: {{.*}}[safe-c-int-pointer-cast]
	return (int *)(2 - 1);
}
