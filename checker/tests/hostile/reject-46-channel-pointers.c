// Receiving bytes into a struct that holds pointers forges them.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/result.h>
#include <theseus/slice.h>
struct message { int kind; int *payload; };
struct status receive(struct bytes into, unsigned long *len);
struct status get(struct message *m, unsigned long *len)
{
// CHECK-DAG: reject-46-channel-pointers.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}field 'payload'{{.*}}; hint: {{.+}} [safe-c-macro-operand]
	return receive(BYTES_OF(*m), len);
}
