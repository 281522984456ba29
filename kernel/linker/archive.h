/* Reader of the crate archive, format version 2 (docs/archive-format.md).
 *
 * archive_open validates everything the other functions rely on (header,
 * CRCs, table bounds, string offsets, index order), so lookups afterwards
 * only index tables whose bounds are known.  Crate ELF images are checked
 * (bounds at open, CRC when a crate is loaded: archive_crate_image).
 */
#ifndef THESEUS_LINKER_ARCHIVE_H
#define THESEUS_LINKER_ARCHIVE_H

#include "linker_env.h"

#define ARCHIVE_MAGIC "THSARCH"
#define ARCHIVE_FORMAT_VERSION 2u
#define ARCHIVE_HEADER_SIZE 112u
#define ARCHIVE_PROGRAM_ENTRY_SIZE 32u
#define ARCHIVE_PROGRAM_FILE 0x1u /* a data file, not an executable */
#define ARCHIVE_CRATE_ENTRY_SIZE 64u
#define ARCHIVE_SYMBOL_ENTRY_SIZE 16u
#define ARCHIVE_KEXPORT_ENTRY_SIZE 16u
#define ARCHIVE_CRATE_ALTERNATIVE 0x1u
/* A pushed crate that may replace a higher version (mkimage push --force). */
#define ARCHIVE_CRATE_FORCED 0x2u
#define ARCHIVE_NO_CRATE UINT32_MAX

struct link_error;

struct archive {
	const uint8_t *base;
	uint64_t size; /* total_size from the header (<= the buffer) */
	uint32_t crate_count;
	uint32_t symbol_count;
	uint32_t kexport_count;
	uint32_t strtab_size;
	uint64_t crate_table_off;
	uint64_t symbol_index_off;
	uint64_t kexport_table_off;
	uint64_t strtab_off;
	uint8_t nano_core_id[16];
	uint32_t program_count;
	uint64_t program_table_off;
};

/* One user program (a static ELF executable), decoded. */
struct archive_program {
	const char *name;
	uint32_t flags;
	uint64_t elf_off;
	uint64_t elf_size;
	uint32_t elf_crc32;
};

/* One crate table entry, decoded; strings point into the archive. */
struct archive_crate {
	const char *name;
	const char *version;
	const char *description;
	const char *alternative_of; /* "" when none */
	uint64_t elf_off;
	uint64_t elf_size;
	uint32_t elf_crc32;
	uint32_t export_count;
	uint32_t import_count;
	uint32_t flags;
};

uint32_t archive_crc32(const uint8_t *data, uint64_t size);
uint32_t archive_fnv1a(const char *name);

/* Validate `data` (`size` bytes available) and fill `a`. */
struct status archive_open(struct archive *a, const void *data, uint64_t size,
                           struct link_error *err);

/* Entry `index` (< crate_count). */
struct archive_crate archive_crate_at(const struct archive *a, uint32_t index);
/* Crate index by name, or ARCHIVE_NO_CRATE. */
uint32_t archive_find_crate(const struct archive *a, const char *name);
/* The default provider of `symbol` for imports: the first index entry of
 * that name whose crate is not ALTERNATIVE; ARCHIVE_NO_CRATE when none.
 * *name_off (if not NULL) receives the strtab offset of the name. */
uint32_t archive_find_provider(const struct archive *a, const char *symbol,
                               uint32_t *name_off);
/* The first exporter of `symbol` in index order that accept() takes,
 * alternatives included; ARCHIVE_NO_CRATE when none. */
uint32_t archive_find_exporter_if(const struct archive *a, const char *symbol,
                                  int (*accept)(const void *ctx, uint32_t crate),
                                  const void *ctx, uint32_t *name_off);
/* Does the index list `symbol` as an export of crate `crate_index`? */
int archive_crate_exports(const struct archive *a, uint32_t crate_index,
                          const char *symbol);
/* Each symbol the index lists as an export of crate `crate_index`, in
 * name order. */
void archive_for_each_export(const struct archive *a, uint32_t crate_index,
                             void (*fn)(void *ctx, const char *name), void *ctx);
/* Nano-core export by name (the archive's copy of the table). */
int archive_kexport_lookup(const struct archive *a, const char *name,
                           uint64_t *address);
/* String at a strtab offset that archive_open or an index entry vouched
 * for; NULL when out of range. */
const char *archive_string(const struct archive *a, uint32_t offset);
/* Program entry `index` (< program_count). */
struct archive_program archive_program_at(const struct archive *a, uint32_t index);
/* Index of the entry named `name` whose ARCHIVE_PROGRAM_FILE flag equals
 * `file` (a program, or a data file), or ARCHIVE_NO_CRATE. */
uint32_t archive_find_program(const struct archive *a, const char *name, int file);
/* The program's ELF image after checking its CRC-32; NULL when it does
 * not match. */
const uint8_t *archive_program_image(const struct archive *a, uint32_t index);
/* The crate's ELF image after checking its CRC-32; NULL and err filled
 * when the checksum does not match. */
const uint8_t *archive_crate_image(const struct archive *a, uint32_t index,
                                   struct link_error *err);

#endif
