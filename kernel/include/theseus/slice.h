/* Trusted header: bounds-checked views of memory.
 *
 * Crate code may not do pointer arithmetic or subscript raw pointers; it
 * reaches memory it does not own as an array through these views, whose
 * accessors check every index. An index out of range traps (ud2), which
 * the kernel reports as a fault of the crate that did it, exactly like an
 * out-of-range index into a true array under -fsanitize=array-bounds.
 *
 * The views are SEALED_WRITES: crate code reads ptr and len but never
 * sets them (that would be a view longer than its memory), so every view
 * comes from the helpers here or from trusted code. */
#ifndef THESEUS_SLICE_H
#define THESEUS_SLICE_H

#include <stddef.h>
#include <stdint.h>
#include <theseus/sealed.h>

/* Read-only text: not NUL-terminated, length-carrying. */
struct SEALED_WRITES str {
	const char *ptr;
	size_t len;
};

/* A writable byte view. */
struct SEALED_WRITES bytes {
	unsigned char *ptr;
	size_t len;
};

/* STR("literal") */
#define STR(lit) ((struct str){(lit), sizeof(lit) - 1})
#define STR_EMPTY ((struct str){"", 0})

static inline char str_at(struct str s, size_t i)
{
	if (i >= s.len)
		__builtin_trap();
	return s.ptr[i];
}

static inline struct str str_sub(struct str s, size_t from, size_t len)
{
	if (from > s.len || len > s.len - from)
		__builtin_trap();
	return (struct str){s.ptr + from, len};
}

static inline int str_eq(struct str a, struct str b)
{
	if (a.len != b.len)
		return 0;
	for (size_t i = 0; i < a.len; i++)
		if (a.ptr[i] != b.ptr[i])
			return 0;
	return 1;
}

/* Functions only the trusted headers' own macros may call: the macro
 * supplies what the function cannot check (safe-c rule trusted-only). */
#define TRUSTED_ONLY __attribute__((annotate("theseus.trusted_only")))

/* The text of a NUL-terminated string, measured up to max bytes. Nothing
 * here knows that max bytes exist behind s: call it through
 * STR_FROM_CSTR_ARRAY, whose max is the array's size. */
TRUSTED_ONLY static inline struct str str_from_cstr(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return (struct str){s, n};
}

/* 0, and a compile error unless `arr` is a true array: sizeof of a
 * pointer would make a view of 8 bytes over an object of any size. */
#define SLICE_ARRAY_CHECK(arr)                                                  \
	(0 * sizeof(char[1 - 2 * __builtin_types_compatible_p(__typeof__(arr),  \
							       __typeof__(&(arr)[0]))]))

/* The NUL-terminated text in a char array (a true array): up to its first
 * NUL, or all of it. */
#define STR_FROM_CSTR_ARRAY(arr) str_from_cstr((arr), sizeof(arr) + SLICE_ARRAY_CHECK(arr))

/* View a char array (a true array, whose size the compiler knows). */
#define STR_FROM_ARRAY(arr, n) \
	str_sub((struct str){(arr), sizeof(arr) + SLICE_ARRAY_CHECK(arr)}, 0, (n))

/* The bytes of an object the caller owns (a struct, an array): how a
 * crate copies typed data through byte-oriented interfaces like channels. */
#define BYTES_OF(lvalue) ((struct bytes){(unsigned char *)&(lvalue), sizeof(lvalue)})
#define STR_OF_BYTES(b) ((struct str){(const char *)(b).ptr, (b).len})

static inline unsigned char bytes_get(struct bytes b, size_t i)
{
	if (i >= b.len)
		__builtin_trap();
	return b.ptr[i];
}

static inline void bytes_set(struct bytes b, size_t i, unsigned char v)
{
	if (i >= b.len)
		__builtin_trap();
	b.ptr[i] = v;
}

/* Text into a char buffer as a C string: cut to fit, NUL-terminated, the
 * rest zeroed (nothing when the buffer is empty). How a crate fills a
 * char array field: bytes_fill_cstr(BYTES_OF(why.text), text). */
static inline void bytes_fill_cstr(struct bytes dst, struct str text)
{
	for (size_t i = 0; i < dst.len; i++)
		dst.ptr[i] = i < text.len && i + 1 < dst.len ? (unsigned char)text.ptr[i] : 0;
}

#endif
