// Near misses: adding qualifiers, decay, erasing to void *, same types.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
typedef int counter_t;
struct pair { int a, b; };

int sum(const int *values, int n);
void release(const void *object);

int add_qualifiers(int *p, int **pp)
{
	const int *cp = p;
	const volatile int *cvp = p;
	int *const *cpp = pp;
	return *cp + *cvp + **cpp;
}

int decay(void)
{
	int values[4] = {1, 2, 3, 4};
	return sum(values, 4);
}

void erase(struct pair *p, const struct pair *cp)
{
	release(p);
	release(cp);
	void *v = p;
	(void)v;
}

counter_t *typedef_is_same_type(int *p)
{
	return (counter_t *)p;
}

int address_of_member(struct pair *p)
{
	int *a = &p->a;
	return *a;
}
