/* Portable helpers of the support library (util.c): the nano-core and the
 * runtime linker use them, and the linker's host tests build them too. */
#ifndef THESEUS_UTIL_H
#define THESEUS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy src (NULL: "") into dst, cut to cap - 1 bytes and always
 * NUL-terminated (cap > 0). Returns dst. */
char *copy_cstr(char *dst, size_t cap, const char *src);
/* The len bytes at text as a C string in dst: false (dst untouched) when
 * they hold a NUL or do not fit with the terminator. How the nano-core
 * takes a name from a crate's string slice. */
bool text_to_cstr(const char *text, size_t len, char *dst, size_t cap);
/* The first len bytes of text as a decimal number: false unless every
 * byte is a digit (len > 0) and the value fits in 64 bits. */
bool parse_u64(const char *text, size_t len, uint64_t *out);
/* Sort n elements of `size` bytes in place (heapsort: no allocation, no
 * recursion, O(n log n) for any input). cmp(a, b, ctx) < 0 orders a first. */
void heap_sort(void *base, size_t n, size_t size, int (*cmp)(const void *a, const void *b, void *ctx),
	       void *ctx);

#endif
