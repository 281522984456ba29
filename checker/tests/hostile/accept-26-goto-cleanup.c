// A goto that jumps over no declaration.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
void release(int *p);
int *acquire(void);
int work(int c)
{
	int *p = acquire();
	int result = 0;
	if (!p)
		goto out;
	result = *p + c;
	release(p);
out:
	return result;
}
