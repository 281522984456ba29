/* libFuzzer harness: one crate image through the linker core's ELF parser,
 * signature reader, stamp check and relocator.
 *
 * Each input is one crate object (the seeds are the build's crates, debug
 * sections stripped). The harness wraps it into a one-crate archive (a
 * fixed 96-byte header, one table entry, a three-string table: no symbol
 * index to rebuild), loads it with every import resolved to a made-up
 * nano-core address (so the relocator runs on every relocation instead of
 * stopping at the first unknown name), resolves its exports, unloads it and
 * checks that every allocation came back. Per input, not per archive: the
 * archive fuzzer (fuzz_archive.c) spends most of its time re-parsing 27
 * crates for every mutation of one.
 *
 * Input bits choose the paths: an odd size packs sections per kind (else
 * one region per section); a size divisible by 3 stamps the input with a
 * fixed key and loads it with that key, so the stamp check passes and the
 * signature record is parsed and required (other inputs run without a
 * key, as host tests of the relocator do). ASan catches any access outside
 * the input copy or a region (regions are malloc'd at their exact size). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host_env.h" /* testsuite/linker */

static const uint8_t fuzz_key[STAMP_KEY_SIZE] = {
	0x74, 0x68, 0x65, 0x73, 0x65, 0x75, 0x73, 0x2d, 0x66, 0x75, 0x7a, 0x7a, 0x2d, 0x6b, 0x65, 0x79,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}
static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

/* Every name resolves, to an address inside the nano-core's 2 GiB (so
 * 32-bit relocations fit, as they do in the kernel), spread by the name. */
static int any_kernel_symbol(void *ctx, const char *name, uint64_t *address)
{
	(void)ctx;
	*address = 0xffffffff80000000ull + (uint64_t)(archive_fnv1a(name) & 0xfffff) * 16;
	return 1;
}

/* The crate's name as its .crate_info says (the loader refuses a mismatch
 * with the archive's): found by the record's magic, else "fuzzed". */
static void crate_name(const uint8_t *image, size_t size, char out[33])
{
	strcpy(out, "fuzzed");
	for (size_t i = 0; i + 40 <= size; i += 8)
		if (!memcmp(image + i, "CRATE01", 8)) {
			size_t n = 0;
			while (n < 32 && image[i + 8 + n] >= 'a' && image[i + 8 + n] <= 'z')
				n++;
			if (n && (n == 32 || !image[i + 8 + n])) {
				memcpy(out, image + i + 8, n);
				out[n] = 0;
			}
			return;
		}
}

enum { HEADER = ARCHIVE_HEADER_SIZE, ENTRY = ARCHIVE_CRATE_ENTRY_SIZE, STRTAB_OFF = HEADER + ENTRY };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	bool keyed = size % 3 == 0;
	char name[33];
	crate_name(data, size, name);
	/* Strings: "" at 0, the name at 1, "1.0.0" after it. */
	size_t name_len = strlen(name);
	size_t strtab_size = 1 + name_len + 1 + 6;
	size_t image_off = (STRTAB_OFF + strtab_size + 15) & ~(size_t)15;
	size_t image_size = size + (keyed ? STAMP_SIZE : 0);
	size_t total = image_off + image_size;
	uint8_t *a = calloc(1, total);
	memcpy(a, ARCHIVE_MAGIC, 8);
	put32(a + 8, ARCHIVE_FORMAT_VERSION);
	put32(a + 12, HEADER);
	put64(a + 16, total);
	put32(a + 24, 1);            /* crates */
	put32(a + 36, (uint32_t)strtab_size);
	put64(a + 40, HEADER);       /* crate table */
	put64(a + 48, STRTAB_OFF);   /* symbol index: empty */
	put64(a + 56, STRTAB_OFF);   /* nano-core exports: empty */
	put64(a + 64, STRTAB_OFF);
	put64(a + 96, STRTAB_OFF);   /* program table: empty */
	uint8_t *s = a + STRTAB_OFF;
	memcpy(s + 1, name, name_len);
	memcpy(s + 2 + name_len, "1.0.0", 6);
	uint8_t *e = a + HEADER;
	put32(e + 0, 1);
	put32(e + 4, (uint32_t)(2 + name_len));
	put64(e + 16, image_off);
	put64(e + 24, image_size);
	memcpy(a + image_off, data, size);
	if (keyed)
		stamp_make(a + image_off, size, fuzz_key, a + image_off + size);
	put32(e + 32, archive_crc32(a + image_off, image_size));
	put32(a + 104, archive_crc32(a + HEADER, ENTRY + strtab_size));
	put32(a + 108, archive_crc32(a, 108));

	struct host_env h = {.base = 0xffffffffc0000000ull, .quiet = 1, .region_limit = 1u << 24};
	struct linker_env env;
	struct linker l;
	struct link_error err;
	host_env_bind(&h, &env);
	env.kernel_symbol = any_kernel_symbol;
	struct linker_options opt = {.pack_sections = (int)(size & 1),
	                             .attest_key = keyed ? fuzz_key : NULL,
	                             /* Small for some inputs: the refusal's
	                              * rollback gets exercised too. */
	                             .crate_memory_limit = size & 2 ? 1u << 15 : 1u << 24};
	if (status_ok(linker_init(&l, &env, a, total, &opt, &err))) {
		uint32_t id;
		if (status_ok(linker_load_crate(&l, name, &id, &err))) {
			const struct loaded_crate *c = linker_crate(&l, id);
			for (uint32_t k = 0; k < c->export_count; k++) {
				struct linker_symbol sym;
				if (status_ok(linker_resolve(&l, linker_symbol_name(c, c->exports[k]),
				                             LINKER_TAKE_REF, &sym, &err)))
					(void)linker_ref_put(&l, sym.crate_id);
			}
			(void)linker_unload(&l, id, &err);
		}
		char line[512];
		link_error_format(&err, line, sizeof(line));
		linker_fini(&l);
	}
	if (h.live_regions || h.live_meta)
		abort(); /* a leak: rollback or unload lost track of memory */
	free(a);
	return 0;
}
