// Only the real path of the trusted folder counts.  A line marker that
// claims a system header, even one naming a file in the trusted folder,
// #line naming one, and "#pragma clang system_header" in a crate header
// whitelist nothing.  (sed puts the real trusted path into the markers.)
// RUN: sed -e 's|@TRUSTED@|%trusted|g' %s > %t.c
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only -I%inputs/untrusted %t.c 2>&1 | %check_rules
#include <pragma-system.h>
// The pragma itself is refused too: crate code may only say '#pragma once'.
// CHECK: pragma-system.h:2:1: error: pragma 'clang' in crate code{{.*}} [safe-c-pragma]
// CHECK: pragma-system.h:6:13: error: pointer arithmetic ('+'){{.*}} [safe-c-pointer-arithmetic]

# 1 "/usr/include/string.h" 1 3
static inline int third(const int *p) { return *(p + 2); }
// CHECK: /usr/include/string.h:1:52: error: pointer arithmetic ('+'){{.*}} [safe-c-pointer-arithmetic]
# 14 "forged-system-header.c" 2

# 1 "@TRUSTED@/hw/port.h" 1 3
static inline void fake_out(void) { __asm__ volatile("outb %al, $0x80"); }
// CHECK: Inputs/trusted/hw/port.h:1:37: error: inline assembly{{.*}} [safe-c-inline-asm]
# 19 "forged-system-header.c" 2

#line 1 "@TRUSTED@/hw/span.h"
static inline char *fourth(char *p) { return p + 4; }
// CHECK: Inputs/trusted/hw/span.h:1:48: error: pointer arithmetic ('+'){{.*}} [safe-c-pointer-arithmetic]
