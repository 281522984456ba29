// Dropping a result type. -Wno-unused-result turns clang's own check off to
// show that the plugin catches every form by itself, (void) casts included.
// RUN: %not %safec -Wno-unused-result -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/result.h>

RESULT_TYPE(result_u64, unsigned long);

struct status start(void);
struct result_u64 read_counter(void);
[[nodiscard]] int must_use(void);

void statement(void)
{
	// CHECK: discarded-result.c:[[@LINE+1]]:2: error: result of type 'struct status' returned by 'start' is discarded; hint: check the result (status_ok) or return it to the caller [safe-c-discarded-result]
	start();
}

void void_cast(void)
{
	// CHECK: discarded-result.c:[[@LINE+1]]:2: error: result of type 'struct result_u64' returned by 'read_counter' is discarded by a cast to void{{.*}} [safe-c-discarded-result]
	(void)read_counter();
}

int comma(void)
{
	// CHECK: discarded-result.c:[[@LINE+1]]:10: error: {{.*}}returned by 'start' is discarded{{.*}} [safe-c-discarded-result]
	return (start(), 1);
}

void loop(int n)
{
	// CHECK: discarded-result.c:[[@LINE+1]]:25: error: {{.*}}returned by 'start' is discarded{{.*}} [safe-c-discarded-result]
	for (int i = 0; i < n; start())
		i++;
}

void conditional(int c)
{
	// CHECK: discarded-result.c:[[@LINE+1]]:6: error: {{.*}}returned by 'start' is discarded{{.*}} [safe-c-discarded-result]
	c ? start() : start();
	// CHECK: discarded-result.c:[[@LINE-1]]:16: error: {{.*}}returned by 'start' is discarded{{.*}} [safe-c-discarded-result]
}

void through_pointer(struct status (*op)(void))
{
	if (op)
		// CHECK: discarded-result.c:[[@LINE+1]]:3: error: result of type 'struct status' returned by a call is discarded{{.*}} [safe-c-discarded-result]
		op();
}

void nodiscard_function(void)
{
	// CHECK: discarded-result.c:[[@LINE+1]]:2: error: result of type 'int' returned by 'must_use' is discarded by a cast to void{{.*}} [safe-c-discarded-result]
	(void)must_use();
}
