// Near misses: a fixed-size local buffer; a function whose name starts
// like alloca.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
struct block {
	unsigned char bytes[64];
	unsigned long used;
};

int allocate_slot(struct block *b);

int fixed_buffer(void)
{
	struct block local = {};
	unsigned char scratch[32] = {0};
	return allocate_slot(&local) + scratch[0];
}
