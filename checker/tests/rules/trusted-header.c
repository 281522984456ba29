// Crate code may not change what trusted header code means: no defining
// macros the headers expand, no undefining or redefining their macros, no
// defining functions they declare.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules

// Neutering the bounds check of span_at_checked() in <hw/span.h>.
#define __builtin_trap() ((void)0)
#include <hw/span.h>
// CHECK: span.h:{{[0-9]+}}:{{[0-9]+}}: error: trusted header code expands macro '__builtin_trap', which is defined outside the trusted headers; hint: do not define, undefine or redefine names that trusted headers use [safe-c-trusted-header]

#include <hw/port.h>
#include <theseus/crate.h>

// CHECK: trusted-header.c:[[@LINE+1]]:8: error: crate code undefines macro 'SPAN_AT' of a trusted header{{.*}} [safe-c-trusted-header]
#undef SPAN_AT

// CHECK: trusted-header.c:[[@LINE+1]]:9: error: crate code redefines macro 'SPAN_OF' of a trusted header{{.*}} [safe-c-trusted-header]
#define SPAN_OF(array) 0

// A definition would replace, for this crate, what trusted code calls; an
// exported one would compete with the real provider. Crate code declares
// nothing a trusted header declares.
// CHECK: trusted-header.c:[[@LINE+1]]:6: error: crate code declares 'nano_halt', which the trusted header hw/port.h declares; hint: include <hw/port.h> and use its declaration; a declaration of your own could differ from it [safe-c-trusted-redeclaration]
void nano_halt(void)
{
}

// CHECK: trusted-header.c:[[@LINE+1]]:28: error: crate code declares 'hw_word_read', which the trusted header hw/port.h declares{{.*}} [safe-c-trusted-redeclaration]
CRATE_EXPORT union hw_word hw_word_read(void)
{
	return (union hw_word){};
}
