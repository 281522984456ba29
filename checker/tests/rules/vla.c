// Variable-length arrays.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
int local_vla(unsigned n)
{
	// CHECK: vla.c:[[@LINE+1]]:12: error: variable-length array type 'int[n]'; hint: use an array with a compile-time bound, or typed allocation [safe-c-vla]
	int buffer[n];
	buffer[0] = 1;
	return buffer[0];
}

int inner_vla(unsigned n)
{
	// CHECK: vla.c:[[@LINE+1]]:14: error: variable-length array type 'char[n]'{{.*}} [safe-c-vla]
	char rows[4][n];
	return sizeof rows;
}

int through_typedef(unsigned n)
{
	// The type is reported where its bound is written.
	// CHECK: vla.c:[[@LINE+1]]:20: error: variable-length array type 'long[n]'{{.*}} [safe-c-vla]
	typedef long row_t[n];
	row_t row;
	return (int)sizeof row;
}

int const_is_not_constant(void)
{
	const int n = 8;
	// In C a const int is not a constant expression: this is a VLA.
	// CHECK: vla.c:[[@LINE+1]]:12: error: variable-length array type 'char[n]'{{.*}} [safe-c-vla]
	char bytes[n];
	return sizeof bytes;
}

unsigned long size_of_type(unsigned n)
{
	// The bound in sizeof(type) is evaluated: a VLA type anywhere is one.
	// CHECK: vla.c:[[@LINE+1]]:19: error: variable-length array type 'int[n]'{{.*}} [safe-c-vla]
	return sizeof(int[n]);
}

// CHECK: vla.c:[[@LINE+1]]:36: error: variable-length array type 'int[n]'{{.*}} [safe-c-vla]
int first(unsigned n, int (*matrix)[n])
{
	return (*matrix)[0] + (int)n;
}
