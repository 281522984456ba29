// Pre-defining a trusted header's include guard would replace its
// definitions with crate-made ones.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#define TEST_HW_PORT_H
#include <hw/port.h>
// CHECK: port.h:2:9: error: trusted header tests macro 'TEST_HW_PORT_H', which crate code defined{{.*}} [safe-c-trusted-header]

// Configuration a crate passes into a trusted header is tested the same way.
#define NDEBUG 1
#include <hw/debug.h>
// CHECK: debug.h:{{[0-9]+}}:{{[0-9]+}}: error: trusted header tests macro 'NDEBUG', which crate code defined{{.*}} [safe-c-trusted-header]
