/* heap_records: the kernel heap's records, as every version of the heap
 * crate keeps them. A live swap between two versions (heap and heap_v2,
 * either way) hands `struct heap_state` over whole (HANDOVER_PUT_RECORD),
 * so both versions include this one header, and any change to a layout
 * below must change HEAP_RECORDS_FORMAT: a version then refuses a
 * handover it cannot read, and the swap is undone.
 *
 * Nothing here may point into a heap crate's own .data or .bss, which go
 * with the version that is swapped out: slab descriptors and owner
 * records are heap objects (or, for the first descriptor, re-homed into
 * one by the save hook), and a slab of the kernel owner names its owner
 * as NULL rather than by the address of the static kernel record. Only
 * the heap crates use this header; clients include heap.h. */
#ifndef CRATE_HEAP_RECORDS_H
#define CRATE_HEAP_RECORDS_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/slice.h>
#include "heap.h"
#include "memory.h"

#define HEAP_RECORDS_FORMAT 1u

#define HEAP_MIN_SHIFT 4  /* 16-byte blocks */
#define HEAP_MAX_SHIFT 11 /* 2048-byte blocks */
#define HEAP_CLASS_COUNT (HEAP_MAX_SHIFT - HEAP_MIN_SHIFT + 1)
#define HEAP_LARGE HEAP_CLASS_COUNT /* list index of large objects */
#define HEAP_MAX_BLOCKS (HEAP_SLAB_BYTES >> HEAP_MIN_SHIFT)
#define HEAP_INDEX_BUCKETS 512

struct heap_owner;

/* One slab (or one large object): a mapping of the memory crate. */
struct heap_slab {
	struct mapping map;        /* the pages, held by the heap */
	struct bytes bytes;        /* memory_bytes(&map), kept to save a look-up per block */
	uint64_t address;          /* of bytes: the index key */
	struct heap_slab *next;    /* in the owner's list for this class */
	struct heap_slab *index_next; /* in the index bucket */
	struct heap_owner *owner;  /* NULL: the kernel owner */
	uint32_t block_size;       /* the class; for a large object, the bytes asked for */
	uint32_t block_shift;      /* log2 of a small slab's block_size */
	uint32_t capacity, used;   /* blocks */
	uint32_t next_free;        /* a block index to try first (a hint: may be taken) */
	bool large;
	uint64_t taken[HEAP_MAX_BLOCKS / 64];
};

/* Everything one owner has on the heap. */
struct heap_owner {
	uint32_t owner;
	struct heap_owner *next;
	struct heap_slab *slabs[HEAP_CLASS_COUNT + 1]; /* per class, and [HEAP_LARGE] */
	uint64_t bytes_in_use, peak_bytes, objects, slab_bytes, failed, limit;
};

/* The heap's own record: what a version keeps in .bss and hands over.
 * The kernel owner's record and the first descriptor are in it because
 * every other record and descriptor is allocated from the heap itself;
 * `spare` is one descriptor kept free so that the kernel's descriptor
 * class can always grow without needing a descriptor first. The index is
 * how a block's address leads back to its slab. */
struct heap_state {
	struct heap_owner kernel;
	struct heap_owner *others;
	struct heap_slab *index[HEAP_INDEX_BUCKETS];
	struct heap_slab first_descriptor;
	bool first_descriptor_used;
	struct heap_slab *spare;
	uint64_t bytes_in_use, peak_bytes, objects, failed;
};

/* What a swap checks the record against: the format number, and a
 * fingerprint of the layouts, so that two builds which changed a layout
 * but forgot the number still refuse each other's record. */
#define HEAP_RECORDS_LAYOUT                                                                        \
	((uint32_t)(sizeof(struct heap_slab) * 7919u + __builtin_offsetof(struct heap_slab, taken) * 104729u + \
		    __builtin_offsetof(struct heap_slab, owner) * 31u + sizeof(struct heap_owner) * 65537u +   \
		    __builtin_offsetof(struct heap_owner, slabs) * 257u + __builtin_offsetof(struct heap_state, spare) * 17u))
#define HEAP_RECORDS_CHECK (HEAP_RECORDS_FORMAT ^ (HEAP_RECORDS_LAYOUT << 8))

#endif
