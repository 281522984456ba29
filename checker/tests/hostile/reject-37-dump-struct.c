// __builtin_dump_struct calls a printf-like function with pointers it makes.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
struct pair { int a, b; };
int show(const char *fmt, ...);
void dump(struct pair *p)
{
// CHECK-DAG: reject-37-dump-struct.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}'__builtin_dump_struct'{{.*}}; hint: {{.+}} [safe-c-builtin]
// CHECK-DAG: reject-37-dump-struct.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'PseudoObjectExpr'{{.*}}; hint: {{.+}} [safe-c-construct]
	__builtin_dump_struct(p, show);
}
