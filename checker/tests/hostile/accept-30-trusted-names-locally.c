// Locals and fields may be named like trusted functions and tags.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
struct holder { int str; int bytes; };
int names(struct holder h)
{
	int status = h.str + h.bytes;
	return status;
}
