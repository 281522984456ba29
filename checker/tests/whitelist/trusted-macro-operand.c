// What a crate writes inside a trusted macro's operands is crate code.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#include <hw/span.h>

int at(struct int_span s, int *p, int *q)
{
	// CHECK: trusted-macro-operand.c:[[@LINE+1]]:23: error: pointer difference{{.*}} [safe-c-pointer-arithmetic]
	return SPAN_AT(s, (p - q)) + SPAN_AT(s, (size_t)q);
	// CHECK: trusted-macro-operand.c:[[@LINE-1]]:42: error: {{.*}}[safe-c-int-pointer-cast]
}

unsigned long bytes(char *c)
{
	// The cast in the trusted macro's body is applied straight to the
	// crate's operand: it is the crate's cast, judged there.
	// CHECK: trusted-macro-operand.c:[[@LINE+2]]:25: error: cast from 'char *' to 'unsigned long *' changes the pointee type{{.*}} [safe-c-pointer-cast]
	// CHECK: trusted-macro-operand.c:[[@LINE+1]]:25: error: pointer arithmetic{{.*}} [safe-c-pointer-arithmetic]
	return SPAN_RAW_WORD(c + 8);
}

size_t forged_dims(void)
{
	// A crate cannot fill a sealed kernel struct, even to hand it to a macro.
	// CHECK: trusted-macro-operand.c:[[@LINE+1]]:39: error: initializer that sets fields of sealed struct 'span_dims'{{.*}} [safe-c-sealed-field]
	return SPAN_FIELD(((struct span_dims){1, 2}), rows);
}
