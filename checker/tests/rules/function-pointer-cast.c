// Function pointer casts.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
int takes_int(int x);
void no_args(void);

typedef void (*callback_t)(void);

callback_t different_signature(void)
{
	// CHECK: function-pointer-cast.c:[[@LINE+1]]:9: error: cast from 'int (*)(int)' to 'callback_t' changes a function pointer type; hint: {{.*}} [safe-c-function-pointer-cast]
	return (callback_t)takes_int;
}

void *function_to_data(void)
{
	// CHECK: function-pointer-cast.c:[[@LINE+1]]:9: error: {{.*}}changes a function pointer type{{.*}} [safe-c-function-pointer-cast]
	return (void *)no_args;
}

callback_t data_to_function(void *p)
{
	// CHECK: function-pointer-cast.c:[[@LINE+1]]:9: error: cast from 'void *' to 'callback_t'{{.*}} [safe-c-function-pointer-cast]
	return (callback_t)p;
}

int call_through_other_type(int (*op)(int, int))
{
	// CHECK: function-pointer-cast.c:[[@LINE+1]]:10: error: {{.*}}[safe-c-function-pointer-cast]
	return ((int (*)(int))op)(1);
}
