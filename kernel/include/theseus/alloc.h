/* Trusted header: typed allocation from the heap crate.
 *
 *     struct node *n;
 *     struct status s = HEAP_NEW(struct node, &n, task_current());
 *     if (!status_ok(s))
 *             return s;                 // E_NOMEM: no memory, or over the owner's limit
 *     n->value = 1;                     // fields start zeroed
 *     s = HEAP_FREE(n);                 // n is NULL afterwards
 *
 * Crate code never sees `void *`: turning the heap's fresh bytes into a
 * `T *` happens here, in trusted code, and only for memory the heap has
 * just handed out zeroed - zero is a valid value of every C type (null for
 * pointers), so no pointer can be forged through it. The owner is the
 * task id the object is for (HEAP_OWNER_KERNEL for the kernel's own):
 * heap_release_owner frees everything an owner still has when it ends.
 *
 * Arrays are structs with a counted flexible member, so every index is
 * checked (-fsanitize=array-bounds knows the bound from `count`), and the
 * count is const, so only HEAP_NEW_ARRAY sets it:
 *
 *     HEAP_ARRAY_TYPE(u64_array, uint64_t);
 *     struct u64_array *a;
 *     if (status_ok(HEAP_NEW_ARRAY(struct u64_array, 100, &a, owner)))
 *             a->items[99] = 1;         // a->items[100] traps
 *
 * Plain buffers are byte views (theseus/slice.h): heap_new_bytes.
 *
 * What the heap cannot catch: using an object after freeing it (the block
 * may already belong to someone else). Freeing twice, freeing what the
 * heap never gave out, or freeing through a pointer to a larger type are
 * caught and return E_INVAL. See docs/memory.md. */
#ifndef THESEUS_ALLOC_H
#define THESEUS_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>
/* The heap crate's interface: heap_alloc and heap_free, which the macros
 * below call. Declared there, because the heap crate defines them (a crate
 * may not define what a trusted header declares). */
#include "heap.h"

/* An address as a number, for the heap to find a block's slab. There is
 * no way back from the number to a pointer. */
static inline uint64_t heap_address_of(const void *p) { return (uint64_t)p; }

/* A part of a byte view: how the heap carves a slab into blocks. Out of
 * range traps, like the accessors of theseus/slice.h. */
static inline struct bytes bytes_carve(struct bytes whole, size_t from, size_t len)
{
	if (from > whole.len || len > whole.len - from)
		__builtin_trap();
	return (struct bytes){whole.ptr + from, len};
}

/* Zero a heap block: a view whose length is a non-zero multiple of 16
 * (anything else traps), two stores a round. Shorter than bytes_zero,
 * which has to handle any length. */
static inline void bytes_zero_block(struct bytes b)
{
	if (b.len == 0 || b.len % 16)
		__builtin_trap();
	size_t i = 0;
#pragma clang loop unroll(disable)
	do {
		*(volatile uint64_t *)(void *)(b.ptr + i) = 0;
		*(volatile uint64_t *)(void *)(b.ptr + i + 8) = 0;
		i += 16;
	} while (i < b.len);
}

/* The macros' value is a call of this, so dropping it is an error
 * (-Werror=unused-result), as for any function returning a status. */
static inline struct status heap_status_(enum kerr err) { return (struct status){err}; }

/* struct status HEAP_NEW(T, T **out, uint32_t owner): *out = a zeroed T,
 * or NULL with the error. */
#define HEAP_NEW(T, out, owner)							\
	heap_status_(({								\
		_Static_assert(_Generic((out), T **: 1, default: 0),		\
			       "HEAP_NEW(T, out, owner): out must be a T **");	\
		T **heap_out_ = (out);						\
		struct heap_block_result heap_r_ = heap_alloc(sizeof(T), _Alignof(T), (owner)); \
		*heap_out_ = heap_r_.err == E_OK ? (T *)(void *)heap_r_.value.ptr : (T *)0; \
		heap_r_.err;							\
	}))

/* struct status HEAP_FREE(T *ptr): free what ptr (an lvalue) points to
 * and set it to NULL; on an error ptr is left as it was. */
#define HEAP_FREE(ptr)								\
	heap_status_(({								\
		__typeof__(ptr) *heap_at_ = &(ptr);				\
		struct status heap_s_ = heap_free(*heap_at_, sizeof(**heap_at_)); \
		if (heap_s_.err == E_OK)					\
			*heap_at_ = (__typeof__(ptr))0;				\
		heap_s_.err;							\
	}))

/* A struct for HEAP_NEW_ARRAY: `count` elements of ELEM in `items`. */
#define HEAP_ARRAY_TYPE(NAME, ELEM)						\
	struct NAME {								\
		const size_t count;						\
		ELEM items[] __attribute__((counted_by(count)));		\
	}

/* struct status HEAP_NEW_ARRAY(T, size_t n, T **out, uint32_t owner), T
 * from HEAP_ARRAY_TYPE: *out has n zeroed items and count == n. */
#define HEAP_NEW_ARRAY(T, n, out, owner)					\
	heap_status_(({								\
		_Static_assert(_Generic((out), T **: 1, default: 0),		\
			       "HEAP_NEW_ARRAY(T, n, out, owner): out must be a T **"); \
		T **heap_out_ = (out);						\
		size_t heap_n_ = (n);						\
		size_t heap_item_ = sizeof((*heap_out_)->items[0]);		\
		struct heap_block_result heap_r_ = {E_NOMEM, {(unsigned char *)0, 0}}; \
		if (heap_n_ <= (SIZE_MAX - sizeof(T)) / heap_item_)		\
			heap_r_ = heap_alloc(sizeof(T) + heap_n_ * heap_item_, _Alignof(T), (owner)); \
		*heap_out_ = (T *)0;						\
		if (heap_r_.err == E_OK) {					\
			T *heap_a_ = (T *)(void *)heap_r_.value.ptr;		\
			*(size_t *)&heap_a_->count = heap_n_;			\
			*heap_out_ = heap_a_;					\
		}								\
		heap_r_.err;							\
	}))

/* A pointer to item i of such an array; i >= count traps. (&a->items[i]
 * is checked by the compiler only against one past the end: safe-C rule
 * bounds.) */
#define HEAP_ARRAY_AT(a, i) (&(a)->items[slice_index_((i), (a)->count)])

/* struct status HEAP_FREE_ARRAY(T *ptr): as HEAP_FREE, for such arrays. */
#define HEAP_FREE_ARRAY(ptr)							\
	heap_status_(({								\
		__typeof__(ptr) *heap_at_ = &(ptr);				\
		size_t heap_size_ = *heap_at_ ? sizeof(**heap_at_) +		\
				    (*heap_at_)->count * sizeof((*heap_at_)->items[0]) : 0; \
		struct status heap_s_ = heap_free(*heap_at_, heap_size_);	\
		if (heap_s_.err == E_OK)					\
			*heap_at_ = (__typeof__(ptr))0;				\
		heap_s_.err;							\
	}))

/* n zeroed bytes for owner, as a bounds-checked view. */
static inline struct status heap_new_bytes(size_t n, uint32_t owner, struct bytes *out)
{
	struct heap_block_result r = heap_alloc(n, 1, owner);
	*out = r.value;
	return (struct status){r.err};
}

/* Free a view from heap_new_bytes (whole, as it was given) and empty it. */
static inline struct status heap_free_bytes(struct bytes *b)
{
	struct status s = heap_free(b->ptr, b->len);
	if (s.err == E_OK)
		*b = (struct bytes){(unsigned char *)0, 0};
	return s;
}

#endif
