/* heap_v2: an alternative of the heap crate, with the same interface
 * (heap.h). Nothing calls it by this name: clients import heap_alloc and
 * heap_free, served by whichever version is loaded. */
#ifndef CRATE_HEAP_V2_H
#define CRATE_HEAP_V2_H

#include "heap.h"

#endif
