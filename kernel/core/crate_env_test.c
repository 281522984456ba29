/* The runtime linker inside the kernel, on the real crate archive. These
 * run in test mode, where nothing loads a crate before the tests do. */
#include "records.h"
#include "crate_env.h"
#include "crate_memory.h"
#include "frames.h"
#include "kheap.h"
#include "paging.h"
#include "arch/x86_64/trap.h"

KTEST(archive_found_and_checksums, "archive.found_and_checksums")
{
	const struct boot_module *m = crates_archive_module();
	KT_EXPECT_MSG(t, m != NULL, "no boot module starts with the archive magic");
	struct linker *l = crates_linker();
	KT_EXPECT_MSG(t, l != NULL, "the archive did not open");
	KT_EXPECT(t, l->archive.crate_count >= 5);
	KT_EXPECT(t, l->archive.size <= m->end - m->start);
	for (uint32_t i = 0; i < l->archive.crate_count; i++) {
		struct link_error err;
		KT_EXPECT_MSG(t, archive_crate_image(&l->archive, i, &err) != NULL, "crate %u: bad CRC", i);
	}
	/* A flipped byte in a copy of the header is refused. */
	static uint8_t copy[ARCHIVE_HEADER_SIZE];
	memcpy(copy, l->archive.base, sizeof copy);
	copy[24] ^= 1; /* crate_count */
	struct archive bad;
	struct link_error err;
	KT_EXPECT(t, archive_open(&bad, copy, sizeof copy, &err).err != E_OK);
}

KTEST(linker_on_demand, "linker.on_demand")
{
	struct linker *l = crates_linker();
	KT_EXPECT(t, l != NULL);
	crates_unload_unused(l);
	bool before[64] = {false};
	for (uint32_t id = 0; id < l->archive.crate_count && id < 64; id++)
		before[id] = linker_is_loaded(l, id);
	KT_EXPECT(t, !crates_is_loaded(l, "hello"));
	struct linker_symbol sym;
	struct link_error err;
	KT_EXPECT(t, status_ok(linker_resolve(l, "hello_main", 0, &sym, &err)));
	/* Exactly hello and what it needs came in; nothing else. */
	for (uint32_t id = 0; id < l->archive.crate_count && id < 64; id++) {
		const char *name = linker_crate_name(l, id);
		if (!linker_is_loaded(l, id) || before[id])
			continue;
		KT_EXPECT_MSG(t, !strcmp(name, "hello") || !strcmp(name, "log") || !strcmp(name, "fmt"),
			      "%s was loaded though hello_main does not need it", name);
	}
	KT_EXPECT(t, crates_is_loaded(l, "hello") && crates_is_loaded(l, "log") && crates_is_loaded(l, "fmt"));
	KT_EXPECT(t, !crates_is_loaded(l, "shell") && !crates_is_loaded(l, "hello_v2"));
	struct linker_crate_stats log;
	KT_EXPECT(t, status_ok(linker_crate_stats(l, linker_crate_by_name(l, "log"), &log)));
	KT_EXPECT(t, log.reason_crate == linker_crate_by_name(l, "hello"));
	KT_EXPECT_MSG(t, sym.address >= CRATE_REGION_BASE, "hello_main at %p", (void *)sym.address);
	crates_unload_unused(l);
}

KTEST(linker_missing_and_private_symbols, "linker.missing_and_private_symbols")
{
	struct linker *l = crates_linker();
	struct linker_symbol sym;
	struct link_error err;
	struct status s = linker_resolve(l, "no_such_symbol_anywhere", 0, &sym, &err);
	KT_EXPECT(t, s.err == E_NOENT);
	KT_EXPECT_MSG(t, !strcmp(err.symbol, "no_such_symbol_anywhere"), "error names \"%s\"", err.symbol);
	/* log_init exists in log but is not exported: never resolvable. */
	s = linker_resolve(l, "log_init", 0, &sym, &err);
	KT_EXPECT_MSG(t, s.err == E_NOENT || s.err == E_PERM, "log_init resolved (err %d)", s.err);
	KT_EXPECT(t, !crates_is_loaded(l, "log")); /* nothing left behind */
}

static void write_byte(void *arg) { *(volatile uint8_t *)arg = 0xcc; }

KTEST(linker_crate_text_is_not_writable, "linker.crate_text_is_not_writable")
{
	struct linker *l = crates_linker();
	struct linker_symbol sym;
	struct link_error err;
	KT_EXPECT(t, status_ok(linker_resolve(l, "fmt_clear", 0, &sym, &err)));
	struct fault_point fp;
	KT_EXPECT(t, kfault_try(&fp, write_byte, (void *)sym.address) == 14 + 1);
	KT_EXPECT(t, (fp.error_code & 3) == 3 && fp.fault_addr == sym.address);
	KT_EXPECT(t, linker_crate_of_address(l, fp.fault_addr) == linker_crate_by_name(l, "fmt"));
	crates_unload_unused(l);
}

KTEST(linker_cyclic_imports, "linker.cyclic_imports")
{
	struct linker *l = crates_linker();
	struct linker_symbol sym;
	struct link_error err;
	KT_EXPECT(t, status_ok(linker_resolve(l, "cycle_a_sum", 0, &sym, &err)));
	KT_EXPECT(t, crates_is_loaded(l, "ktest_cycle_a") && crates_is_loaded(l, "ktest_cycle_b"));
	uint64_t (*sum)(uint64_t) = (uint64_t (*)(uint64_t))sym.address;
	KT_EXPECT_MSG(t, sum(10) == 55, "cycle_a_sum(10) = %lu", sum(10));
	/* Unused, the cycle goes as a whole. */
	crates_unload_unused(l);
	KT_EXPECT(t, !crates_is_loaded(l, "ktest_cycle_a") && !crates_is_loaded(l, "ktest_cycle_b"));
}

KTEST(linker_unload_returns_memory, "linker.unload_returns_memory")
{
	struct linker *l = crates_linker();
	crates_unload_unused(l);
	uint64_t frames = frames_free_count(), pages = crate_memory_pages_in_use(), heap = kheap_bytes_in_use();
	for (int round = 0; round < 20; round++) {
		uint32_t id;
		struct link_error err;
		KT_EXPECT(t, status_ok(linker_load_crate(l, "hello", &id, &err)));
		KT_EXPECT(t, crate_memory_pages_in_use() > pages);
		crates_unload_unused(l);
	}
	KT_EXPECT_MSG(t, crate_memory_pages_in_use() == pages, "%lu crate pages left",
		      crate_memory_pages_in_use() - pages);
	KT_EXPECT_MSG(t, kheap_bytes_in_use() == heap, "%lu heap bytes left", kheap_bytes_in_use() - heap);
	/* Page-table pages made for the crate region stay; nothing else may. */
	KT_EXPECT_MSG(t, frames_free_count() + 8 >= frames, "%lu frames not returned", frames - frames_free_count());
}

KTEST(linker_weak_ref_after_unload, "linker.weak_ref_after_unload")
{
	struct linker *l = crates_linker();
	struct weak_ref ref;
	struct linker_symbol sym;
	struct link_error err;
	KT_EXPECT(t, status_ok(linker_weak_ref(l, "hello_main", &ref, &err)));
	KT_EXPECT(t, status_ok(linker_weak_upgrade(l, &ref, &sym)));
	uint32_t id = sym.crate_id;
	/* A strong reference pins the crate. */
	KT_EXPECT(t, linker_unload(l, id, &err).err == E_BUSY);
	KT_EXPECT(t, status_ok(linker_ref_put(l, id)));
	KT_EXPECT(t, status_ok(linker_unload(l, id, &err)));
	KT_EXPECT(t, linker_weak_upgrade(l, &ref, &sym).err == E_STALE);
	/* Loading it again does not revive the old reference. */
	KT_EXPECT(t, status_ok(linker_load_crate(l, "hello", &id, &err)));
	KT_EXPECT(t, linker_weak_upgrade(l, &ref, &sym).err == E_STALE);
	crates_unload_unused(l);
}

KTEST(linker_swap_replaces_a_crate, "linker.swap_replaces_a_crate")
{
	struct linker *l = crates_linker();
	struct linker_symbol sym;
	struct link_error err;
	struct weak_ref ref;
	KT_EXPECT(t, status_ok(linker_weak_ref(l, "hello_main", &ref, &err)));
	uint32_t hello = linker_crate_by_name(l, "hello"), v2;
	KT_EXPECT(t, linker_is_loaded(l, hello));
	uint64_t old_text;
	KT_EXPECT(t, linker_export_address(l, hello, "hello_main", true, &old_text));
	KT_EXPECT_MSG(t, status_ok(linker_swap(l, hello, "hello_v2", &v2, &err)), "%s", err.reason);
	KT_EXPECT(t, !linker_is_loaded(l, hello) && linker_is_loaded(l, v2));
	KT_EXPECT(t, linker_weak_upgrade(l, &ref, &sym).err == E_STALE);
	KT_EXPECT(t, status_ok(linker_resolve(l, "hello_main", 0, &sym, &err)) && sym.crate_id == v2);
	/* The old crate's pages are unmapped, or already reused by the new one. */
	KT_EXPECT(t, paging_lookup(old_text) == 0 || linker_crate_of_address(l, old_text) == v2);
	/* Swapping back brings hello again. */
	KT_EXPECT_MSG(t, status_ok(linker_swap(l, v2, "hello", &hello, &err)), "%s", err.reason);
	KT_EXPECT(t, status_ok(linker_resolve(l, "hello_main", 0, &sym, &err)) && sym.crate_id == hello);
	crates_unload_unused(l);
}
