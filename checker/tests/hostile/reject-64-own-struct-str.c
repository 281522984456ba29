// A crate defines its own unsealed struct str.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-64-own-struct-str.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}type 'struct str'{{.*}}; hint: {{.+}} [safe-c-trusted-redeclaration]
struct str {
	const char *ptr;
	unsigned long len;
};
// CHECK-DAG: reject-64-own-struct-str.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}which the trusted header theseus/console.h declares{{.*}}; hint: {{.+}} [safe-c-trusted-redeclaration]
void kernel_console_write(struct str text);
void shout(const char *p) { kernel_console_write((struct str){p, 1000000}); }
