/* libFuzzer harness: archive parsing and crate loading by the linker core.
 *
 * Every input is opened as an archive and every crate in it is loaded (and
 * its exports resolved) into host buffers at kernel addresses; then all is
 * unloaded and every allocation must have been returned.  CRCs would stop
 * nearly every mutation at the door, so for most inputs the harness first
 * recomputes them (crate images, metadata, header) over the mutated bytes;
 * inputs whose size is a multiple of 7 keep their CRCs as they are, so the
 * checks themselves stay fuzzed too.  ASan catches any access outside the
 * archive copy or outside a region (regions are malloc'd at their exact
 * size). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host_env.h" /* testsuite/linker */

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }

/* Recompute the CRCs the format defines, where the fields needed to find
 * their ranges are themselves in bounds. */
static void fix_crcs(uint8_t *a, size_t size)
{
	if (size < 96)
		return;
	uint64_t crates = le64(a + 40), strtab = le64(a + 64);
	uint32_t count = le32(a + 24), strsize = le32(a + 36);
	for (uint32_t i = 0; i < count && i < 4096; i++) {
		uint64_t e = crates + 64ull * i;
		if (e > size || size - e < 64)
			break;
		uint64_t off = le64(a + e + 16), len = le64(a + e + 24);
		if (off <= size && len <= size - off)
			put32(a + e + 32, archive_crc32(a + off, len));
	}
	if (crates <= strtab && strtab <= size && strsize <= size - strtab)
		put32(a + 88, archive_crc32(a + crates, strtab + strsize - crates));
	put32(a + 92, archive_crc32(a, 92));
}

static const struct host_ksym ksyms[] = {
	{"nc_log", 0xffffffff80001000ull},
	{"nc_counter", 0xffffffff80200000ull},
	{"host_scale", 0xffffffff80003000ull},
	{"nc_phys_base", 0x100000},
	{NULL, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (size % 7)
		fix_crcs(copy, size);

	struct host_env h = {.base = 0xffffffffc0000000ull, .quiet = 1, .ksyms = ksyms,
	                     .region_limit = 1u << 24};
	struct linker_env env;
	struct linker l;
	struct link_error err;
	host_env_bind(&h, &env);
	struct linker_options opt = {.pack_sections = (int)(size & 1)};
	if (status_ok(linker_init(&l, &env, copy, size, &opt, &err))) {
		for (uint32_t i = 0; i < l.archive.crate_count; i++) {
			uint32_t id;
			memset(&err, 0, sizeof(err));
			(void)linker_load_crate(&l, archive_crate_at(&l.archive, i).name, &id, &err);
			char line[512];
			link_error_format(&err, line, sizeof(line));
		}
		for (uint32_t id = linker_next_loaded(&l, LINKER_NO_CRATE); id != LINKER_NO_CRATE;
		     id = linker_next_loaded(&l, id)) {
			const struct loaded_crate *c = linker_crate(&l, id);
			for (uint32_t k = 0; k < c->export_count; k++) {
				struct weak_ref w;
				struct linker_symbol s;
				if (status_ok(linker_weak_ref(&l, linker_symbol_name(c, c->exports[k]), &w, &err)) &&
				    status_ok(linker_weak_upgrade(&l, &w, &s)))
					(void)linker_ref_put(&l, w.crate_id);
			}
		}
		/* The same bytes pushed at run time (refused unless they hold one
		 * crate), and a restart's copy of the first crate swapped in for
		 * it: the pushed-crate and swap paths on mutated input. */
		uint32_t pushed, copy_id;
		if (status_ok(linker_add_pushed(&l, copy, size, &pushed, &err)) &&
		    !status_ok(linker_load_id(&l, pushed, &err)))
			(void)linker_forget_pushed(&l, pushed);
		if (l.archive.crate_count && linker_crate(&l, 0) && status_ok(linker_add_copy(&l, 0, &copy_id, &err)) &&
		    !status_ok(linker_swap_to(&l, 0, copy_id, &err)))
			(void)linker_forget_pushed(&l, copy_id);
		/* Unload whatever can be unloaded (cycles as a whole), then everything. */
		for (uint32_t id = 0; id < l.slot_count; id++)
			(void)linker_unload_cycle(&l, id, NULL, &err);
		linker_fini(&l);
	}
	if (h.live_regions || h.live_meta)
		abort(); /* a leak: rollback or unload lost track of memory */
	free(copy);
	return 0;
}
