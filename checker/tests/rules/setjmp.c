// Non-local jumps: setjmp/longjmp, their builtins and relatives.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
typedef long jmp_buf[8];
int setjmp(jmp_buf env);
void longjmp(jmp_buf env, int value);

static jmp_buf recovery;

int try_it(void)
{
	// CHECK: setjmp.c:[[@LINE+1]]:6: error: use of 'setjmp', a non-local jump; hint: return a result type and let callers propagate the error [safe-c-setjmp]
	if (setjmp(recovery))
		return -1;
	return 0;
}

void bail_out(void)
{
	// CHECK: setjmp.c:[[@LINE+1]]:2: error: use of 'longjmp', a non-local jump{{.*}} [safe-c-setjmp]
	longjmp(recovery, 1);
}

static void *frame[5];
int builtin_setjmp(void)
{
	// CHECK: setjmp.c:[[@LINE+1]]:9: error: use of '__builtin_setjmp'{{.*}} [safe-c-setjmp]
	return __builtin_setjmp(frame);
}

void builtin_longjmp(void)
{
	// CHECK: setjmp.c:[[@LINE+1]]:2: error: use of '__builtin_longjmp'{{.*}} [safe-c-setjmp]
	__builtin_longjmp(frame, 1);
}

int (*saved)(jmp_buf) = setjmp;
// CHECK: setjmp.c:[[@LINE-1]]:25: error: use of 'setjmp'{{.*}} [safe-c-setjmp]
