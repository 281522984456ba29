// UNSAFE in a crate that is not on the allowlist: the marker is an error and
// lets nothing through.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
// Marker errors come from the preprocessor, before the AST rules: CHECK-DAG.
// Without any allowlist no crate may use UNSAFE.
// RUN: %not %clang %crate_flags -I%kernel_include -fno-caret-diagnostics -fplugin=%plugin_path -fplugin-arg-safec-trusted-dir=%kernel_include -fplugin-arg-safec-summary=0 -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %FileCheck %s --check-prefix=NOLIST
#include <theseus/unsafe.h>

int peek(unsigned long addr)
{
	// CHECK-DAG: unsafe-marker.c:[[@LINE+3]]:9: error: crate 't' may not use UNSAFE: it is not on the allowlist {{.*}}allowlist.txt; hint: name the crate with a reason in checker/allowlist.txt, or remove the unsafe operation [safe-c-unsafe-marker]
	// CHECK-DAG: unsafe-marker.c:[[@LINE+2]]:60: error: {{.*}}[safe-c-int-pointer-cast]
	// NOLIST: unsafe-marker.c:[[@LINE+1]]:9: error: crate 't' may not use UNSAFE: it is not on the allowlist (no allowlist given)
	return UNSAFE("device register mapped by the nano-core", *(volatile int *)addr);
}

void halt_cpu(void)
{
	// CHECK-DAG: unsafe-marker.c:[[@LINE+2]]:2: error: crate 't' may not use UNSAFE{{.*}} [safe-c-unsafe-marker]
	// CHECK-DAG: unsafe-marker.c:[[@LINE+1]]:33: error: inline assembly{{.*}} [safe-c-inline-asm]
	UNSAFE("stop until interrupt", __asm__ volatile("hlt"));
}

// A crate's own look-alike marker is no marker at all.
#define MY_UNSAFE(reason, ...) __VA_ARGS__
char *punned(int *p)
{
	// CHECK-DAG: unsafe-marker.c:[[@LINE+1]]:31: error: {{.*}}[safe-c-pointer-cast]
	return MY_UNSAFE("trust me", (char *)p);
}
