// Which crate a file belongs to: the crate argument for the main file;
// otherwise the path crates/NAME/... (below crates-dir when given).
//
// No crate argument: derived from the main file's path.
// RUN: %clang %crate_flags -I%kernel_include -I%inputs/crates/server/include -fplugin=%plugin_path -fplugin-arg-safec-trusted-dir=%kernel_include -fsyntax-only %inputs/crates/server/src/impl.c 2>&1 | %FileCheck %s --check-prefix=DERIVED
// DERIVED: remark: safe-c: crate 'server': 0 unsafe sites, 0 violations in impl.c [safe-c-summary]
//
// A client named by argument may not touch the server's fields.
// RUN: %not %clang %crate_flags -I%kernel_include -I%inputs/crates/server/include -fplugin=%plugin_path -fplugin-arg-safec-trusted-dir=%kernel_include -fplugin-arg-safec-crate=client -fsyntax-only %inputs/client.c 2>&1 | %FileCheck %s --check-prefix=CLIENT
// CLIENT: client.c:6:5: error: access to field 'hits' of sealed struct 'counter', owned by crate 'server'{{.*}} [safe-c-sealed-field]
// CLIENT: remark: safe-c: crate 'client': 0 unsafe sites, 1 violation in client.c [safe-c-summary]
//
// With crates-dir the owner is the folder right below it.
// RUN: %not %clang %crate_flags -I%kernel_include -I%inputs/crates/server/include -fplugin=%plugin_path -fplugin-arg-safec-trusted-dir=%kernel_include -fplugin-arg-safec-crates-dir=%inputs/crates -fplugin-arg-safec-crate=client -fsyntax-only %inputs/client.c 2>&1 | %FileCheck %s --check-prefix=CLIENT
//
// A crates-dir that does not hold the definition: the owner is unknown, so
// nobody but trusted code may touch the fields.
// RUN: %not %clang %crate_flags -I%kernel_include -I%inputs/crates/server/include -fplugin=%plugin_path -fplugin-arg-safec-trusted-dir=%kernel_include -fplugin-arg-safec-crates-dir=%inputs/untrusted -fplugin-arg-safec-crate=server -fsyntax-only %inputs/crates/server/src/impl.c 2>&1 | %FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: impl.c:7:5: error: access to field 'hits' of sealed struct 'counter', owned by a file outside any crate folder{{.*}} [safe-c-sealed-field]
