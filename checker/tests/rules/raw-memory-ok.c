// Near misses: struct assignment, element loops, a trusted helper that uses
// memcpy inside the trusted header, names that contain "mem".
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <hw/span.h>

struct page {
	unsigned char bytes[64];
	unsigned long flags;
};

void copy(struct page *dst, const struct page *src)
{
	*dst = *src;
}

void clear(struct page *p)
{
	for (unsigned i = 0; i < sizeof p->bytes; i++)
		p->bytes[i] = 0;
	*p = (struct page){};
}

int memory_pressure(int x);

void copy_words(unsigned long dst[4], const unsigned long src[4])
{
	words_copy(dst, src, 4);
	(void)memory_pressure(1);
}
