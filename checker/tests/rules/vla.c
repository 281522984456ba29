// Variable-length arrays.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
int local_vla(unsigned n)
{
	// CHECK: vla.c:[[@LINE+1]]:6: error: variable-length array 'buffer' of type 'int[n]'; hint: use an array with a compile-time bound, or typed allocation [safe-c-vla]
	int buffer[n];
	buffer[0] = 1;
	return buffer[0];
}

int inner_vla(unsigned n)
{
	// CHECK: vla.c:[[@LINE+1]]:7: error: variable-length array 'rows'{{.*}} [safe-c-vla]
	char rows[4][n];
	return sizeof rows;
}

int through_typedef(unsigned n)
{
	typedef long row_t[n];
	// CHECK: vla.c:[[@LINE+1]]:8: error: variable-length array 'row'{{.*}} [safe-c-vla]
	row_t row;
	return (int)sizeof row;
}

int const_is_not_constant(void)
{
	const int n = 8;
	// In C a const int is not a constant expression: this is a VLA.
	// CHECK: vla.c:[[@LINE+1]]:7: error: variable-length array 'bytes'{{.*}} [safe-c-vla]
	char bytes[n];
	return sizeof bytes;
}
