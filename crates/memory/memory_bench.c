/* Benchmark of the memory crate, run by the nano-core's benchmark runner
 * (bench=memory.*), beside its Linux counterpart (benchmarks/figures.py):
 *   memory.map_touch_unmap  memory_map of one zeroed 4 KiB page, a write
 *                           to it, memory_unmap */
#include <theseus/kbench.h>
#include "memory.h"

KBENCH(memory_map_touch_unmap, "memory.map_touch_unmap")
{
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		uint64_t t0 = kbench_now();
		struct mapping_result m = memory_map(1, MEMORY_READ_WRITE, MEMORY_OWNER_KERNEL);
		if (m.err != E_OK) {
			kbench_fail(b, "memory_map(1 page) failed");
			return;
		}
		bytes_set(memory_bytes(&m.value), 0, 1);
		if (!status_ok(memory_unmap(&m.value))) {
			kbench_fail(b, "memory_unmap failed");
			return;
		}
		kbench_sample(b, kbench_now() - t0, 1);
	}
	kbench_note(b, "bytes", MEMORY_PAGE_SIZE);
	kbench_report(b, "memory.map_touch_unmap");
}
