/* Helpers the nano-core and the linker each needed in several places:
 * bounded string copy, digit parsing, an allocation-free sort. */
#include "util.h"

/* From the host: lib/string.c in the kernel, libc in host tests. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);

char *copy_cstr(char *dst, size_t cap, const char *src)
{
	size_t n = 0;
	if (src)
		while (n + 1 < cap && src[n])
			n++;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
	return dst;
}

bool text_to_cstr(const char *text, size_t len, char *dst, size_t cap)
{
	if (len >= cap)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!text[i])
			return false;
	memcpy(dst, text, len);
	dst[len] = '\0';
	return true;
}

bool parse_u64(const char *text, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(text[i] - '0'), &v))
			return false;
	}
	*out = v;
	return true;
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		unsigned char t = a[i];
		a[i] = b[i];
		b[i] = t;
	}
}

static void sift_down(unsigned char *v, size_t root, size_t n, size_t size,
		      int (*cmp)(const void *, const void *, void *), void *ctx)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && cmp(v + child * size, v + (child + 1) * size, ctx) < 0)
			child++;
		if (cmp(v + root * size, v + child * size, ctx) >= 0)
			return;
		swap_bytes(v + root * size, v + child * size, size);
		root = child;
	}
}

void heap_sort(void *base, size_t n, size_t size, int (*cmp)(const void *a, const void *b, void *ctx),
	       void *ctx)
{
	unsigned char *v = base;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(v, i, n, size, cmp, ctx);
	for (size_t end = n; end-- > 1;) {
		swap_bytes(v, v + end * size, size);
		sift_down(v, 0, end, size, cmp, ctx);
	}
}
