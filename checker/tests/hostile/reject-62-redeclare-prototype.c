// A crate redeclares a trusted function with another prototype.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-62-redeclare-prototype.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}which the trusted header theseus/console.h declares{{.*}}; hint: {{.+}} [safe-c-trusted-redeclaration]
void kernel_console_write(const char *text, unsigned long len);
void say(void) { kernel_console_write("hi", 2); }
