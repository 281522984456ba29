// Label addresses and computed goto.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
int dispatch(int op)
{
	// CHECK: computed-goto.c:[[@LINE+1]]:32: error: address of label 'add'; hint: use a switch statement or a table of function pointers [safe-c-computed-goto]
	static void *const table[] = {&&add, &&sub};
	// CHECK: computed-goto.c:[[@LINE-1]]:39: error: address of label 'sub'{{.*}} [safe-c-computed-goto]
	// CHECK: computed-goto.c:[[@LINE+1]]:2: error: computed goto{{.*}} [safe-c-computed-goto]
	goto *table[op & 1];
add:
	return 1;
sub:
	return -1;
}

void *leak_label(void)
{
	// CHECK: computed-goto.c:[[@LINE+1]]:9: error: address of label 'here'{{.*}} [safe-c-computed-goto]
	return &&here;
here:
	return 0;
}

int loop(int n)
{
	// CHECK: computed-goto.c:[[@LINE+1]]:19: error: address of label 'again'{{.*}} [safe-c-computed-goto]
	void *again_at = &&again;
again:
	if (n-- > 0)
		// CHECK: computed-goto.c:[[@LINE+1]]:3: error: computed goto{{.*}} [safe-c-computed-goto]
		goto *again_at;
	return n;
}
