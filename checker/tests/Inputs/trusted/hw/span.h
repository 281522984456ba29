/* Test stand-in for a trusted header: bounds-checked spans. */
#ifndef TEST_HW_SPAN_H
#define TEST_HW_SPAN_H

#include <stddef.h>

struct __attribute__((annotate("theseus.sealed"))) int_span {
	int *ptr;
	size_t len;
};

/* The index is checked, then the pointer arithmetic is done here. */
#define SPAN_AT(span, i) (*span_at_checked(&(span), (i)))

static inline int *span_at_checked(struct int_span *s, size_t i)
{
	if (i >= s->len)
		__builtin_trap();
	return s->ptr + i;
}

/* A span over a true array: the length comes from the array type. */
#define SPAN_OF(array) \
	((struct int_span){(array), sizeof(array) / sizeof((array)[0])})

/* The whitelist goes by where an operation is spelled: this cast is spelled
 * here, so it is allowed whatever a crate passes in.  Trusted macros must
 * check their operands themselves; operations spelled in the operands are
 * still crate code. */
#define SPAN_RAW_WORD(p) (*(unsigned long *)(p))

static inline void words_copy(unsigned long *dst, const unsigned long *src, size_t n)
{
	__builtin_memcpy(dst, src, n * sizeof *dst);
}

/* Tokens made by ## and # in a trusted macro are trusted too. */
struct __attribute__((annotate("theseus.sealed"))) span_dims {
	size_t rows_len;
	size_t cols_len;
};
#define SPAN_FIELD(s, f) ((s).f##_len)
#define SPAN_NAME(x) #x

#endif
