/* Benchmark of the heap crate, run by the nano-core's benchmark runner
 * (bench=heap.*), beside its Linux counterpart (glibc malloc+free):
 *   heap.alloc_free  heap_alloc of 32 bytes and heap_free, batched */
#include <theseus/kbench.h>
#include "heap.h"

KBENCH(heap_alloc_free, "heap.alloc_free")
{
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		uint64_t t0 = kbench_now();
		for (unsigned k = 0; k < KBENCH_BATCH; k++) {
			struct heap_block_result r = heap_alloc(32, 8, HEAP_OWNER_KERNEL);
			if (r.err != E_OK || !status_ok(heap_free(r.value.ptr, 32))) {
				kbench_fail(b, "heap_alloc(32) or heap_free failed");
				return;
			}
		}
		kbench_sample(b, kbench_now() - t0, KBENCH_BATCH);
	}
	kbench_note(b, "bytes", 32);
	kbench_report(b, "heap.alloc_free");
}
