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

/* floor.crc32_image: the CRC-32 the linker checks over a crate's whole
 * image at every load (archive_crc32), per image of the shell's size
 * (57 KiB without DWARF): the part of a load that grows with the image
 * rather than with its relocations. The bytes are the nano-core's own
 * text: any bytes cost the same. */
#define CRC_IMAGE_BYTES (57u * 1024u)
KBENCH(floor_crc32_image, "floor.crc32_image")
{
	for (uint64_t i = 0; i < kbench_iterations(b) && i < 64; i++) {
		uint64_t t0 = kbench_now();
		uint32_t crc = archive_crc32((const uint8_t *)__text_start, CRC_IMAGE_BYTES);
		__asm__ volatile("" : : "r"(crc)); /* the result is used: the CRC is computed */
		kbench_sample(b, kbench_now() - t0, 1);
	}
	kbench_note(b, "bytes", CRC_IMAGE_BYTES);
	kbench_report(b, "floor.crc32_image");
}

/* floor.console_line: one 80-character line on the serial console, as
 * every boot prints one per crate it loads ("linker: loaded ..."). */
KBENCH(floor_console_line, "floor.console_line")
{
	static const char line[] = "floor.console_line: eighty characters of console output, as a log line is ....\n";
	for (uint64_t i = 0; i < kbench_iterations(b) && i < 32; i++) {
		uint64_t t0 = kbench_now();
		serial_write(line, sizeof line - 1);
		kbench_sample(b, kbench_now() - t0, 1);
	}
	kbench_note(b, "bytes", sizeof line - 1);
	kbench_report(b, "floor.console_line");
}
