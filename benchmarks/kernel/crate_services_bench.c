/* Figures of the core-OS crates, called the way a crate calls them (through
 * the address the linker resolved), each held loaded while it is timed:
 *   memory.map_touch_unmap  memory_map of one zeroed 4 KiB page, a write to
 *                           it, memory_unmap (the memory crate)
 *   heap.alloc_free         heap_alloc of 32 bytes and heap_free (the heap
 *                           crate, on top of memory)
 * A figure whose crate is not in the archive is reported as not measured
 * yet. Adding one: resolve its calls with bench_get, time the loop,
 * kbench_report; and name its Linux counterpart in benchmarks/figures.py. */
#include "bench_support.h"

/* Built only once the crates' headers exist (the figures are "not measured
 * yet" until then). */
#include "memory.h" /* crates/memory/include */
#include "heap.h"   /* crates/heap/include */

typedef struct mapping_result (*memory_map_fn)(size_t pages, enum memory_perm perm, uint32_t owner);
typedef struct status (*memory_unmap_fn)(struct mapping *m);
typedef struct bytes (*memory_bytes_fn)(const struct mapping *m);
typedef struct heap_block_result (*heap_alloc_fn)(size_t size, size_t align, uint32_t owner);
typedef struct status (*heap_free_fn)(const void *block, size_t size);

KBENCH(memory_map_touch_unmap, "memory.map_touch_unmap")
{
	static const char figure[] = "memory.map_touch_unmap";
	struct linker *l = crates_linker();
	struct linker_symbol map, unmap, view;
	bench_log_fn log = l ? bench_quiet_linker(l) : NULL;
	if (bench_get(b, l, figure, "memory", "memory_map", &map)) {
		if (bench_get(b, l, figure, "memory", "memory_unmap", &unmap)) {
			if (bench_get(b, l, figure, "memory", "memory_bytes", &view)) {
				memory_map_fn map_fn = (memory_map_fn)map.address;
				memory_unmap_fn unmap_fn = (memory_unmap_fn)unmap.address;
				memory_bytes_fn bytes_fn = (memory_bytes_fn)view.address;
				for (uint64_t i = 0; i < kbench_iterations(b); i++) {
					uint64_t t0 = kbench_now();
					struct mapping_result m = map_fn(1, MEMORY_READ_WRITE, MEMORY_OWNER_KERNEL);
					if (m.err != E_OK) {
						kbench_fail(b, "memory_map(1 page) failed");
						break;
					}
					struct bytes page = bytes_fn(&m.value);
					((volatile unsigned char *)page.ptr)[0] = 1;
					if (!status_ok(unmap_fn(&m.value))) {
						kbench_fail(b, "memory_unmap failed");
						break;
					}
					kbench_sample(b, kbench_now() - t0, 1);
				}
				kbench_note(b, "bytes", MEMORY_PAGE_SIZE);
				kbench_report(b, figure);
				bench_put(l, &view);
			}
			bench_put(l, &unmap);
		}
		bench_put(l, &map);
	}
	if (l) {
		crates_unload_unused(l);
		bench_restore_linker(l, log);
	}
}

KBENCH(heap_alloc_free, "heap.alloc_free")
{
	static const char figure[] = "heap.alloc_free";
	struct linker *l = crates_linker();
	struct linker_symbol alloc, release;
	bench_log_fn log = l ? bench_quiet_linker(l) : NULL;
	if (bench_get(b, l, figure, "heap", "heap_alloc", &alloc)) {
		if (bench_get(b, l, figure, "heap", "heap_free", &release)) {
			heap_alloc_fn alloc_fn = (heap_alloc_fn)alloc.address;
			heap_free_fn free_fn = (heap_free_fn)release.address;
			bool ok = true;
			for (uint64_t i = 0; i < kbench_iterations(b) && ok; i++) {
				uint64_t t0 = kbench_now();
				for (unsigned k = 0; k < KBENCH_BATCH && ok; k++) {
					struct heap_block_result r = alloc_fn(32, 8, HEAP_OWNER_KERNEL);
					ok = r.err == E_OK && status_ok(free_fn(r.value.ptr, 32));
				}
				kbench_sample(b, kbench_now() - t0, KBENCH_BATCH);
			}
			if (ok) {
				kbench_note(b, "bytes", 32);
				kbench_report(b, figure);
			} else {
				kbench_fail(b, "heap_alloc(32) or heap_free failed");
			}
			bench_put(l, &release);
		}
		bench_put(l, &alloc);
	}
	if (l) {
		crates_unload_unused(l);
		bench_restore_linker(l, log);
	}
}

