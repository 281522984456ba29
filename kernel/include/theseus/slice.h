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

/* Functions only the trusted headers' own macros may call: the macro
 * supplies what the function cannot check (safe-C rule trusted-only). */
#define TRUSTED_ONLY __attribute__((annotate("theseus.trusted_only")))

/* Requirements a trusted macro puts on a crate's operand, checked by the
 * safe-C checker (rule macro-operand) at every call of a function whose
 * parameter carries them: the argument is a string literal; the argument
 * points to plain data (integers and arrays and structs of them, none
 * const, sealed or bool), whose bytes anyone may write. The functions
 * below exist only for that check: they appear in sizeof (unevaluated, so
 * the macros stay constant expressions) and are never called. */
#define STRING_LITERAL_ARG __attribute__((annotate("theseus.string_literal")))
#define PLAIN_OBJECT_ARG __attribute__((annotate("theseus.plain_object")))
TRUSTED_ONLY char slice_literal_check_(STRING_LITERAL_ARG const char *literal);
TRUSTED_ONLY char slice_plain_check_(PLAIN_OBJECT_ARG const volatile void *object);

/* STR("literal"): a view of a string literal (and only of one: a pointer
 * would give a view of sizeof(pointer) - 1 bytes of whatever it points to). */
#define STR(lit) \
	((struct str){(lit), sizeof(lit) - 1 + 0 * sizeof(slice_literal_check_(lit))})
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

/* A pointer to element i of a true array; i outside the array traps.
 * (&arr[i] itself is checked by the compiler only against one past the
 * end: safe-C rule bounds.) */
static inline size_t slice_index_(size_t i, size_t n)
{
	if (i >= n)
		__builtin_trap();
	return i;
}
#define ARRAY_AT(arr, i) \
	(&(arr)[slice_index_((i), sizeof(arr) / sizeof((arr)[0]) + SLICE_ARRAY_CHECK(arr))])

/* The NUL-terminated text in a char array (a true array): up to its first
 * NUL, or all of it. */
#define STR_FROM_CSTR_ARRAY(arr) str_from_cstr((arr), sizeof(arr) + SLICE_ARRAY_CHECK(arr))

/* View a char array (a true array, whose size the compiler knows). */
#define STR_FROM_ARRAY(arr, n) \
	str_sub((struct str){(arr), sizeof(arr) + SLICE_ARRAY_CHECK(arr)}, 0, (n))

/* The bytes of an object the caller owns and may write (a struct, an
 * array of plain data): how a crate copies typed data through
 * byte-oriented interfaces like channels and the state store. Refused for
 * an object holding a pointer, a bool, const or sealed state: writing
 * arbitrary bytes into it would forge them. */
#define BYTES_OF(lvalue)                                                        \
	((struct bytes){(unsigned char *)&(lvalue),                             \
			sizeof(lvalue) + 0 * sizeof(slice_plain_check_(&(lvalue)))})

/* A byte view, read only. */
static inline struct str str_of_bytes(struct bytes b)
{
	return (struct str){(const char *)b.ptr, b.len};
}
#define STR_OF_BYTES(b) str_of_bytes(b)

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

/* Zero a whole view, sixteen bytes a round and eight at a store where it
 * can: what the heap does to every block it hands out, so the loop is
 * short. (Volatile, so that the compiler does not make the loop a call of
 * the byte-at-a-time memset.) */
static inline void bytes_zero(struct bytes b)
{
	size_t i = 0;
#pragma clang loop unroll(disable)
	for (; b.len - i >= 16; i += 16) {
		*(volatile uint64_t *)(void *)(b.ptr + i) = 0;
		*(volatile uint64_t *)(void *)(b.ptr + i + 8) = 0;
	}
	if (b.len - i >= 8) {
		*(volatile uint64_t *)(void *)(b.ptr + i) = 0;
		i += 8;
	}
	for (; i < b.len; i++)
		b.ptr[i] = 0;
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
