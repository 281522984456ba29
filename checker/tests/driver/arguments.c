// Bad plugin arguments are compile errors: clang would silently drop a
// plugin whose argument parsing failed, and the checker must never vanish.
// RUN: %not %clang %crate_flags -fplugin=%plugin_path -fplugin-arg-safec-bogus=1 -fsyntax-only %s 2>&1 | %FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: safe-c checker: unknown or malformed argument 'bogus=1'
// RUN: %not %clang %crate_flags -fplugin=%plugin_path -fplugin-arg-safec-trusted-dir=%t.missing -fsyntax-only %s 2>&1 | %FileCheck %s --check-prefix=NODIR
// NODIR: error: safe-c checker: trusted-dir '{{.*}}.missing' is not a directory
// RUN: %not %clang %crate_flags -fplugin=%plugin_path -fplugin-arg-safec-crate=Bad-Name -fsyntax-only %s 2>&1 | %FileCheck %s --check-prefix=NAME
// NAME: error: safe-c checker: crate name 'Bad-Name' is not [a-z0-9_]+
// RUN: printf 'good: reason\nno reason here\nempty:\ngood: twice\n' > %t.allow
// RUN: %not %clang %crate_flags -fplugin=%plugin_path -fplugin-arg-safec-allowlist=%t.allow -fsyntax-only %s 2>&1 | %FileCheck %s --check-prefix=ALLOW
// ALLOW: error: safe-c checker: {{.*}}.allow:2: expected 'crate_name: reason'
// ALLOW: error: safe-c checker: {{.*}}.allow:3: expected 'crate_name: reason'
// ALLOW: error: safe-c checker: {{.*}}.allow:4: crate 'good' listed twice
// RUN: %not %clang %crate_flags -fplugin=%plugin_path -fplugin-arg-safec-allowlist=%t.nofile -fsyntax-only %s 2>&1 | %FileCheck %s --check-prefix=NOFILE
// NOFILE: error: safe-c checker: cannot read allowlist '{{.*}}.nofile'
// With good arguments the same file compiles.
// RUN: %clang %crate_flags -fplugin=%plugin_path -fplugin-arg-safec-trusted-dir=%kernel_include -fplugin-arg-safec-crate=ok -fplugin-arg-safec-summary=0 -fsyntax-only %s
int nothing(void) { return 0; }
