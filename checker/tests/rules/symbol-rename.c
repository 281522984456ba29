// Binding a declaration to another symbol: it would bypass the name-based
// rules (memcpy under another name) and the crate namespace.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#include <stddef.h>

// CHECK-DAG: symbol-rename.c:[[@LINE+1]]:64: error: asm label binds 'copy_bytes' to symbol 'memcpy'; hint: call functions by their own names; export with CRATE_EXPORT [safe-c-symbol-rename]
void *copy_bytes(void *dst, const void *src, size_t n) __asm__("memcpy");

// CHECK-DAG: symbol-rename.c:[[@LINE+1]]:23: error: asm label binds 'mirror' to symbol 'other_state'{{.*}} [safe-c-symbol-rename]
extern int mirror asm("other_state");

int real_function(void) { return 1; }
// CHECK-DAG: symbol-rename.c:[[@LINE+2]]:41: error: attribute 'alias' is not allowed in crate code{{.*}} [safe-c-attribute]
// CHECK-DAG: symbol-rename.c:[[@LINE+1]]:41: error: 'alias_function' is an alias of 'real_function'{{.*}} [safe-c-symbol-rename]
int alias_function(void) __attribute__((alias("real_function")));

// CHECK-DAG: symbol-rename.c:[[@LINE+2]]:69: error: attribute 'weakref' is not allowed in crate code{{.*}} [safe-c-attribute]
// CHECK-DAG: symbol-rename.c:[[@LINE+1]]:69: error: 'weak_copy' is a weak reference to 'memmove'{{.*}} [safe-c-symbol-rename]
static void *weak_copy(void *, const void *, size_t) __attribute__((weakref("memmove")));

int use(void) { return mirror + (weak_copy != 0); }
