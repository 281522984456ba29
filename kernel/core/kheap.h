/* The nano-core's own small-object allocator (for its tables: the runtime
 * linker's records, the crate registry). Crates get their heap from the
 * heap crate, not from here. */
#ifndef THESEUS_KHEAP_H
#define THESEUS_KHEAP_H

#include "kernel.h"

/* Zeroed memory of `size` bytes, 16-aligned; NULL when out of memory. */
void *kheap_alloc(size_t size);
/* `size` must be what was asked for. */
void kheap_free(void *ptr, size_t size);
uint64_t kheap_bytes_in_use(void);

#endif
