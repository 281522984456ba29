// Local addresses used inside the function and passed down, never kept.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
void work(int *x, int n);
int total(void)
{
	int values[4] = {1, 2, 3, 4};
	int *cursor = &values[0];
	work(values, 4);
	work(cursor, 1);
	return values[3];
}
