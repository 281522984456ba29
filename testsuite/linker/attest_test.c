/* What the runtime linker core refuses of a hostile crate image, on the
 * real crate archive and the build's key (docs/safe-c.md): a missing or
 * bad attestation stamp (developer mode aside), a relocation against
 * symbol 0, more memory than the per-crate limit, an import whose type
 * signature differs from its provider's. Plus BLAKE2s against a known
 * digest and the version order a downgrade check uses.
 * Usage: attest_test CRATES.archive KEYFILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linker/blake2s.h"
#include "linker/linker_internal.h"
#include "host_env.h"
#include "tap.h"

#define KERNEL_BASE 0xffffffffc0000000ull

static uint8_t *archive_data;
static size_t archive_size;
static uint8_t key[STAMP_KEY_SIZE];

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	*data = malloc(*size ? *size : 1);
	size_t got = fread(*data, 1, *size, f);
	fclose(f);
	return got == *size ? 0 : -1;
}

struct fixture {
	struct host_env h;
	struct linker_env env;
	struct linker l;
	struct link_error err;
	uint8_t *copy;
};

static struct linker_options checked_options(void)
{
	return (struct linker_options){.pack_sections = 1, .attest_key = key};
}

static struct status setup(struct fixture *f, const uint8_t *data, const struct linker_options *opt)
{
	memset(f, 0, sizeof(*f));
	f->h.base = KERNEL_BASE;
	f->h.quiet = 1;
	f->copy = malloc(archive_size);
	memcpy(f->copy, data, archive_size);
	host_env_bind(&f->h, &f->env);
	struct status st = linker_init(&f->l, &f->env, f->copy, archive_size, opt, &f->err);
	if (status_ok(st))
		f->h.ksym_archive = &f->l.archive;
	return st;
}

static void teardown(struct fixture *f)
{
	linker_fini(&f->l);
	free(f->copy);
}

static const char *fmt(const struct link_error *e)
{
	static char line[512];
	link_error_format(e, line, sizeof(line));
	return line;
}

static int nothing_allocated(const struct fixture *f)
{
	return f->h.live_regions == 0 && f->h.live_meta == 1;
}

/* ---- editing crate images in an archive copy ------------------------- */

static struct archive_crate entry_of(const uint8_t *data, const char *name)
{
	struct archive a;
	struct link_error err;
	if (!status_ok(archive_open(&a, data, archive_size, &err))) {
		printf("Bail out! the crate archive is refused: %s\n", err.reason);
		exit(1);
	}
	uint32_t i = archive_find_crate(&a, name);
	if (i == ARCHIVE_NO_CRATE) {
		printf("Bail out! no crate %s in the archive\n", name);
		exit(1);
	}
	return archive_crate_at(&a, i);
}

/* A writable copy of the archive (the caller frees it), and crate
 * `name`'s entry in it. */
static uint8_t *archive_copy(const char *name, struct archive_crate *entry)
{
	uint8_t *data = malloc(archive_size);
	memcpy(data, archive_data, archive_size);
	if (entry)
		*entry = entry_of(data, name);
	return data;
}

/* Offset and size (within the image) of the first section named, or of
 * the first of type `type` when name is NULL. */
static int find_section(const uint8_t *image, const char *name, uint32_t type, uint64_t *off,
                        uint64_t *size)
{
	struct elf64_ehdr eh;
	memcpy(&eh, image, sizeof eh);
	struct elf64_shdr names;
	memcpy(&names, image + eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof names, sizeof names);
	for (uint32_t i = 1; i < eh.e_shnum; i++) {
		struct elf64_shdr sh;
		memcpy(&sh, image + eh.e_shoff + (uint64_t)i * sizeof sh, sizeof sh);
		const char *n = (const char *)image + names.sh_offset + sh.sh_name;
		if ((name && !strcmp(n, name)) || (!name && sh.sh_type == type && sh.sh_size)) {
			*off = sh.sh_offset;
			*size = sh.sh_size;
			return 1;
		}
	}
	return 0;
}

/* The first line of the image's signature record that starts with
 * `prefix`, or NULL. */
static char *record_line(uint8_t *image, const char *prefix)
{
	uint64_t off, size, n = strlen(prefix);
	if (!find_section(image, SIG_SECTION, 0, &off, &size))
		return NULL;
	char *text = (char *)image + off;
	for (uint64_t i = 0; i + n < size; i++)
		if ((i == 0 || text[i - 1] == '\n' || text[i - 1] == '\0') && !memcmp(text + i, prefix, n))
			return text + i;
	return NULL;
}

/* What a holder of the key could do: stamp an image as it now is. */
static void restamp(uint8_t *image, uint64_t size)
{
	stamp_make(image, size - STAMP_SIZE, key, image + size - STAMP_SIZE);
}

/* The crate table's and the metadata's CRC-32s, after an image changed. */
static void fix_crcs(uint8_t *data, const char *name)
{
	struct archive_crate c = entry_of(data, name);
	struct archive a;
	struct link_error err;
	(void)archive_open(&a, data, archive_size, &err);
	uint32_t index = archive_find_crate(&a, name);
	uint8_t *entry = data + a.crate_table_off + (uint64_t)index * ARCHIVE_CRATE_ENTRY_SIZE;
	wr32(entry + 32, archive_crc32(data + c.elf_off, c.elf_size));
	uint64_t meta_len = a.strtab_off + a.strtab_size - a.crate_table_off;
	wr32(data + 104, archive_crc32(data + a.crate_table_off, meta_len));
	wr32(data + 108, archive_crc32(data, 108));
}

/* ---- the tests --------------------------------------------------------- */

static void test_blake2s_and_versions(void)
{
	/* RFC 7693, appendix B: BLAKE2s-256("abc"). */
	static const uint8_t want[32] = {
		0x50, 0x8c, 0x5e, 0x8c, 0x32, 0x7c, 0x14, 0xe2, 0xe1, 0xa7, 0x2b, 0xa3, 0x4e, 0xeb, 0x45, 0x2f,
		0x37, 0x45, 0x8b, 0x20, 0x9e, 0xd6, 0x3a, 0x29, 0x4d, 0x99, 0x9b, 0x4c, 0x86, 0x67, 0x59, 0x82};
	struct blake2s s;
	uint8_t out[32];
	(void)blake2s_init(&s, 32, NULL, 0);
	blake2s_update(&s, "abc", 3);
	blake2s_final(&s, out);
	tap_check(!memcmp(out, want, 32), "BLAKE2s-256(\"abc\") is RFC 7693's", "");
	tap_check(linker_version_compare("1.0.0", "0.9.9") > 0 &&
	                  linker_version_compare("0.9.0", "1.0.0") < 0 &&
	                  linker_version_compare("1.10.0", "1.9.3") > 0 &&
	                  linker_version_compare("2.0.0", "2.0.0") == 0,
	          "versions compare part by part, numerically", "");
}

static void test_stamped_archive_loads(void)
{
	struct fixture f;
	struct linker_options opt = checked_options();
	struct status st = setup(&f, archive_data, &opt);
	tap_check(status_ok(st), "the build's archive opens with its key", "%s", fmt(&f.err));
	uint32_t id;
	st = linker_load_crate(&f.l, "shell", &id, &f.err);
	const struct loaded_crate *shell = linker_crate(&f.l, id);
	tap_check(status_ok(st) && shell && !shell->unchecked && shell->signatures.count > 0,
	          "shell and what it needs load: stamps valid, imports match their signatures",
	          "%s", fmt(&f.err));
	teardown(&f);
}

static void test_bad_stamps_are_refused(void)
{
	struct fixture f;
	struct linker_options opt = checked_options();
	uint8_t *data = malloc(archive_size);
	struct archive_crate hello = entry_of(archive_data, "hello");

	/* A byte of the object changed after it was stamped. */
	memcpy(data, archive_data, archive_size);
	data[hello.elf_off + 200] ^= 1;
	fix_crcs(data, "hello");
	(void)setup(&f, data, &opt);
	uint32_t id;
	struct status st = linker_load_crate(&f.l, "hello", &id, &f.err);
	tap_check(st.err == E_PERM && !strcmp(f.err.crate, "hello") &&
	                  strstr(f.err.reason, "refused: attestation stamp does not match the object") &&
	                  nothing_allocated(&f),
	          "a changed object is refused, naming the reason", "%s", fmt(&f.err));
	teardown(&f);

	/* No stamp at all (the trailer's magic gone): refused; loaded,
	 * marked unchecked, in developer mode. */
	memcpy(data, archive_data, archive_size);
	memset(data + hello.elf_off + hello.elf_size - STAMP_SIZE, 0, 8);
	fix_crcs(data, "hello");
	(void)setup(&f, data, &opt);
	st = linker_load_crate(&f.l, "hello", &id, &f.err);
	tap_check(st.err == E_PERM && strstr(f.err.reason, "refused: no attestation stamp") &&
	                  nothing_allocated(&f),
	          "an unstamped object is refused", "%s", fmt(&f.err));
	teardown(&f);
	opt.allow_unchecked = 1;
	(void)setup(&f, data, &opt);
	st = linker_load_crate(&f.l, "hello", &id, &f.err);
	const struct loaded_crate *c = linker_crate(&f.l, id);
	tap_check(status_ok(st) && c && c->unchecked,
	          "developer mode loads it, marked unchecked", "%s", fmt(&f.err));
	teardown(&f);

	/* Stamped with another key. */
	uint8_t other[STAMP_KEY_SIZE] = {0};
	opt = checked_options();
	opt.attest_key = other;
	(void)setup(&f, archive_data, &opt);
	st = linker_load_crate(&f.l, "hello", &id, &f.err);
	tap_check(st.err == E_PERM && strstr(f.err.reason, "does not match"),
	          "a stamp of another build's key is refused", "%s", fmt(&f.err));
	teardown(&f);
	free(data);
}

static void test_relocation_against_symbol_0(void)
{
	struct fixture f;
	struct linker_options opt = checked_options();
	struct archive_crate hello;
	uint8_t *data = archive_copy("hello", &hello);
	uint8_t *image = data + hello.elf_off;
	uint64_t off, size;
	if (!find_section(image, NULL, SHT_RELA, &off, &size)) {
		tap_check(0, "hello has a relocation section", "");
		free(data);
		return;
	}
	wr64(image + off + 8, rd64(image + off + 8) & 0xffffffffull); /* symbol 0 */
	restamp(image, hello.elf_size);
	fix_crcs(data, "hello");
	(void)setup(&f, data, &opt);
	uint32_t id;
	struct status st = linker_load_crate(&f.l, "hello", &id, &f.err);
	tap_check(st.err == E_BADELF && strstr(f.err.reason, "relocation against symbol 0 (STN_UNDEF)") &&
	                  nothing_allocated(&f),
	          "a relocation against symbol 0 is refused (stamp valid)", "%s", fmt(&f.err));
	teardown(&f);
	free(data);
}

static void test_memory_limit(void)
{
	struct fixture f;
	struct linker_options opt = checked_options();
	opt.crate_memory_limit = 16384;
	(void)setup(&f, archive_data, &opt);
	uint32_t id;
	struct status st = linker_load_crate(&f.l, "memory", &id, &f.err);
	tap_check(st.err == E_NOMEM && !strcmp(f.err.crate, "memory") &&
	                  strstr(f.err.reason, "more than the per-crate limit of 16384") &&
	                  nothing_allocated(&f),
	          "a crate over the memory limit is refused (memory keeps 48 KiB of .bss)", "%s",
	          fmt(&f.err));
	st = linker_load_crate(&f.l, "hello", &id, &f.err);
	tap_check(status_ok(st), "a crate under the limit loads", "%s", fmt(&f.err));
	teardown(&f);
}

/* Found by the long fuzz run: sections whose sizes overflow when laid out
 * in one region were refused after some regions had been counted but none
 * allocated, and the refusal's cleanup walked the missing region array. A
 * .bss of nearly 2^64 bytes followed by another .bss section does it. */
static void test_sections_too_large_to_lay_out(void)
{
	struct fixture f;
	struct linker_options opt = checked_options();
	struct archive_crate ev; /* task: several .bss sections (one per static) */
	uint8_t *data = archive_copy("task", &ev);
	uint8_t *image = data + ev.elf_off;
	struct elf64_ehdr eh;
	memcpy(&eh, image, sizeof eh);
	struct elf64_shdr names;
	memcpy(&names, image + eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof names, sizeof names);
	int patched = 0;
	for (uint32_t i = 1; i < eh.e_shnum && !patched; i++) {
		uint8_t *at = image + eh.e_shoff + (uint64_t)i * sizeof(struct elf64_shdr);
		struct elf64_shdr sh;
		memcpy(&sh, at, sizeof sh);
		if (sh.sh_type == SHT_NOBITS && (sh.sh_flags & SHF_ALLOC)) {
			sh.sh_size = UINT64_MAX - 64;
			memcpy(at, &sh, sizeof sh);
			patched = 1;
		}
	}
	restamp(image, ev.elf_size);
	fix_crcs(data, "task");
	(void)setup(&f, data, &opt);
	uint32_t id;
	struct status st = linker_load_crate(&f.l, "task", &id, &f.err);
	tap_check(patched && st.err == E_BADELF && strstr(f.err.reason, "crate sections too large") &&
	                  nothing_allocated(&f),
	          "sections too large to lay out are refused, and nothing is left behind", "%s", fmt(&f.err));
	teardown(&f);
	free(data);
}

static void test_signature_mismatch(void)
{
	struct fixture f;
	struct linker_options opt = checked_options();
	struct archive_crate hello;
	uint8_t *data = archive_copy("hello", &hello);
	uint8_t *image = data + hello.elf_off;
	/* hello's first import that another crate provides: say it has
	 * another type (one digit of its digest). */
	char *line = record_line(image, "ref log_");
	if (!line) {
		tap_check(0, "hello's record holds a ref line for a log_ import", "");
		free(data);
		return;
	}
	char *digest = strchr(line + 4, ' ') + 1;
	digest[0] = digest[0] == '0' ? '1' : '0';
	restamp(image, hello.elf_size);
	fix_crcs(data, "hello");
	(void)setup(&f, data, &opt);
	uint32_t id;
	struct status st = linker_load_crate(&f.l, "hello", &id, &f.err);
	tap_check(st.err == E_PERM && strstr(f.err.reason, "type signature of an import does not match log") &&
	                  !strncmp(f.err.symbol, "log_", 4) && nothing_allocated(&f),
	          "an import with another type than its provider's is refused", "%s", fmt(&f.err));
	teardown(&f);
	free(data);
}

/* A replacement must export everything the crate it replaces exports,
 * each with the same type: `swap hello counter` is refused naming
 * hello_main; hello_v2 with a retyped hello_main is refused too. */
static void test_swap_keeps_the_interface(void)
{
	struct fixture f;
	struct linker_options opt = checked_options();
	(void)setup(&f, archive_data, &opt);
	uint32_t hello, other = LINKER_NO_CRATE;
	struct status st = linker_load_crate(&f.l, "hello", &hello, &f.err);
	if (status_ok(st))
		st = linker_swap(&f.l, hello, "counter", &other, &f.err);
	tap_check(st.err == E_NOENT && !strcmp(f.err.symbol, "hello_main") && !strcmp(f.err.crate, "counter") &&
	                  strstr(f.err.reason, "missing from the replacement; hello") && linker_crate(&f.l, hello) &&
	                  other != LINKER_NO_CRATE && !linker_crate(&f.l, other),
	          "swap hello counter is refused, naming hello_main; hello stays, counter is not left loaded",
	          "%s", fmt(&f.err));
	st = linker_swap(&f.l, hello, "hello_v2", &other, &f.err);
	tap_check(status_ok(st) && !linker_crate(&f.l, hello) && linker_crate(&f.l, other),
	          "swap hello hello_v2 (the same interface) is taken", "%s", fmt(&f.err));
	teardown(&f);

	/* Forced (mkimage push --force): an export nobody imports may go. */
	uint8_t *forced = archive_copy(NULL, NULL);
	{
		struct archive a;
		struct link_error ignored;
		(void)archive_open(&a, forced, archive_size, &ignored);
		uint8_t *entry = forced + a.crate_table_off +
		                 (uint64_t)archive_find_crate(&a, "counter") * ARCHIVE_CRATE_ENTRY_SIZE;
		wr32(entry + 44, rd32(entry + 44) | ARCHIVE_CRATE_FORCED);
		uint64_t meta_len = a.strtab_off + a.strtab_size - a.crate_table_off;
		wr32(forced + 104, archive_crc32(forced + a.crate_table_off, meta_len));
		wr32(forced + 108, archive_crc32(forced, 108));
	}
	(void)setup(&f, forced, &opt);
	st = linker_load_crate(&f.l, "hello", &hello, &f.err);
	if (status_ok(st))
		st = linker_swap(&f.l, hello, "counter", &other, &f.err);
	tap_check(status_ok(st) && !linker_crate(&f.l, hello) && linker_crate(&f.l, other),
	          "a forced replacement may drop an export nobody imports", "%s", fmt(&f.err));
	teardown(&f);
	free(forced);

	struct archive_crate v2;
	uint8_t *data = archive_copy("hello_v2", &v2);
	uint8_t *image = data + v2.elf_off;
	char *line = record_line(image, "def hello_main ");
	if (!line) {
		tap_check(0, "hello_v2's record holds a def line for hello_main", "");
		free(data);
		return;
	}
	char *digest = line + 15;
	digest[0] = digest[0] == '0' ? '1' : '0';
	restamp(image, v2.elf_size);
	fix_crcs(data, "hello_v2");
	(void)setup(&f, data, &opt);
	st = linker_load_crate(&f.l, "hello", &hello, &f.err);
	if (status_ok(st))
		st = linker_swap(&f.l, hello, "hello_v2", &other, &f.err);
	tap_check(st.err == E_PERM && !strcmp(f.err.symbol, "hello_main") &&
	                  strstr(f.err.reason, "exported with another type than by hello") && linker_crate(&f.l, hello),
	          "a replacement whose export has another type is refused, naming it", "%s", fmt(&f.err));
	teardown(&f);
	free(data);
}

int main(int argc, char **argv)
{
	uint8_t *key_data;
	size_t key_size;
	if (argc != 3 || read_file(argv[1], &archive_data, &archive_size) ||
	    read_file(argv[2], &key_data, &key_size) || key_size != STAMP_KEY_SIZE) {
		printf("Bail out! usage: attest_test CRATES.archive KEYFILE (a %u-byte key)\n", STAMP_KEY_SIZE);
		return 1;
	}
	memcpy(key, key_data, sizeof key);
	free(key_data);
	test_blake2s_and_versions();
	test_stamped_archive_loads();
	test_bad_stamps_are_refused();
	test_relocation_against_symbol_0();
	test_memory_limit();
	test_signature_mismatch();
	test_sections_too_large_to_lay_out();
	test_swap_keeps_the_interface();
	free(archive_data);
	return tap_done();
}
