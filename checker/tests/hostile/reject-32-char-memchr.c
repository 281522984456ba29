// __builtin_char_memchr reads memory by a count nobody checks.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
const char *find(const char *s, unsigned long n)
{
// CHECK-DAG: reject-32-char-memchr.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'__builtin_char_memchr'{{.*}}; hint: {{.+}} [safe-c-builtin]
	return __builtin_char_memchr(s, 'x', n);
}
