// Near misses: adding qualifiers, const on the pointer itself, value copies.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
const int *add_const(int *p)
{
	return (const int *)p;
}

int copy_the_value(const int *p)
{
	int mine = *p;
	mine++;
	return mine;
}

int const_pointer_object(int *p)
{
	int *const fixed = p;
	int *again = fixed; /* the pointee stays int: nothing discarded */
	return *again;
}

const volatile unsigned *add_volatile(const unsigned *p)
{
	return p;
}
