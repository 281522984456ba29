/* The nano-core's own floors:
 *   floor.rdtsc        one kbench_now() (lfence; rdtsc): the timer's cost
 *   frames.alloc_free  one 4 KiB frame from the early frame allocator and
 *                      back: the floor under any map+touch+unmap
 *   kheap.alloc_free   32 bytes from the nano-core's small-object heap and
 *                      back: the floor until the heap crate has a figure */
#include "bench_support.h"
#include "core/frames.h"
#include "core/kheap.h"

KBENCH(floor_rdtsc, "floor.rdtsc")
{
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		uint64_t t0 = kbench_now();
		for (unsigned k = 0; k < KBENCH_BATCH; k++)
			(void)kbench_now();
		kbench_sample(b, kbench_now() - t0, KBENCH_BATCH);
	}
	kbench_report(b, "floor.rdtsc");
}

KBENCH(frames_alloc_free, "frames.alloc_free")
{
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		uint64_t t0 = kbench_now();
		for (unsigned k = 0; k < KBENCH_BATCH; k++) {
			struct frame_result f = frames_alloc();
			if (f.err != E_OK || !status_ok(frames_free(f.value))) {
				kbench_fail(b, "frame allocation failed");
				return;
			}
		}
		kbench_sample(b, kbench_now() - t0, KBENCH_BATCH);
	}
	kbench_note(b, "bytes", PAGE_SIZE);
	kbench_report(b, "frames.alloc_free");
}

KBENCH(kheap_alloc_free, "kheap.alloc_free")
{
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		uint64_t t0 = kbench_now();
		for (unsigned k = 0; k < KBENCH_BATCH; k++) {
			void *volatile p = kheap_alloc(32);
			if (!p) {
				kbench_fail(b, "kheap_alloc(32) failed");
				return;
			}
			kheap_free(p, 32);
		}
		kbench_sample(b, kbench_now() - t0, KBENCH_BATCH);
	}
	kbench_note(b, "bytes", 32);
	kbench_report(b, "kheap.alloc_free");
}
