/* Crate archive reader (docs/archive-format.md, format version 1). */
#include "linker_internal.h"

/* CRC-32 (IEEE, reflected 0xEDB88320), a byte at a time from a 256-entry
 * table the compiler computes (CRC_BYTE: eight one-bit steps). Every load
 * checks its crate's whole image; the nibble-at-a-time loop this replaces
 * cost twice the table steps (floor.crc32_image measures it). */
#define CRC_BIT(c) (((c) >> 1) ^ (0xEDB88320u & (0u - ((c) & 1u))))
#define CRC_BYTE(n) CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT(CRC_BIT((uint32_t)(n)))))))))
#define CRC_4(n) CRC_BYTE(n), CRC_BYTE((n) + 1), CRC_BYTE((n) + 2), CRC_BYTE((n) + 3)
#define CRC_16(n) CRC_4(n), CRC_4((n) + 4), CRC_4((n) + 8), CRC_4((n) + 12)
#define CRC_64(n) CRC_16(n), CRC_16((n) + 16), CRC_16((n) + 32), CRC_16((n) + 48)
static const uint32_t crc_table[256] = {CRC_64(0), CRC_64(64), CRC_64(128), CRC_64(192)};

uint32_t archive_crc32(const uint8_t *data, uint64_t size)
{
	uint32_t crc = 0xffffffffu;
	for (uint64_t i = 0; i < size; i++)
		crc = (crc >> 8) ^ crc_table[(crc ^ data[i]) & 0xff];
	return crc ^ 0xffffffffu;
}

uint32_t archive_fnv1a(const char *name)
{
	uint32_t h = 0x811c9dc5u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x01000193u;
	}
	return h;
}

const char *archive_string(const struct archive *a, uint32_t offset)
{
	if (offset >= a->strtab_size)
		return NULL;
	return (const char *)a->base + a->strtab_off + offset;
}

static const uint8_t *crate_entry(const struct archive *a, uint32_t i)
{
	return a->base + a->crate_table_off + (uint64_t)i * ARCHIVE_CRATE_ENTRY_SIZE;
}

static const uint8_t *symbol_entry(const struct archive *a, uint32_t i)
{
	return a->base + a->symbol_index_off + (uint64_t)i * ARCHIVE_SYMBOL_ENTRY_SIZE;
}

static const uint8_t *kexport_entry(const struct archive *a, uint32_t i)
{
	return a->base + a->kexport_table_off + (uint64_t)i * ARCHIVE_KEXPORT_ENTRY_SIZE;
}

static struct status bad(struct link_error *err, const char *what)
{
	return link_fail(err, E_BADARCH, "", what);
}

static struct status bad_entry(struct link_error *err, const char *what, uint32_t i)
{
	struct status s = bad(err, what);
	link_error_append(err, " (entry ");
	link_error_append_u64(err, i, 0);
	link_error_append(err, ")");
	return s;
}

/* A table of count*entry bytes at off, 8-aligned, inside the archive. */
static bool table_ok(uint64_t off, uint32_t count, uint32_t entry, uint64_t size)
{
	uint64_t bytes = (uint64_t)count * entry;
	return off % 8 == 0 && off >= ARCHIVE_HEADER_SIZE && range_ok(off, bytes, size);
}

static struct status check_crates(const struct archive *a, struct link_error *err)
{
	for (uint32_t i = 0; i < a->crate_count; i++) {
		const uint8_t *e = crate_entry(a, i);
		for (int f = 0; f < 4; f++)
			if (!archive_string(a, rd32(e + 4 * f)))
				return bad_entry(err, "crate string offset out of range", i);
		uint64_t off = rd64(e + 16), size = rd64(e + 24);
		if (off % 16 || !range_ok(off, size, a->size))
			return bad_entry(err, "crate image outside the archive", i);
		const char *name = archive_string(a, rd32(e));
		if (!name[0])
			return bad_entry(err, "crate without a name", i);
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(name, archive_string(a, rd32(crate_entry(a, j)))) == 0)
				return bad_entry(err, "duplicate crate name", i);
	}
	return STATUS_OK;
}

static struct status check_index(const struct archive *a, struct link_error *err)
{
	const char *prev = NULL;
	uint32_t prev_crate = 0;
	for (uint32_t i = 0; i < a->symbol_count; i++) {
		const uint8_t *e = symbol_entry(a, i);
		const char *name = archive_string(a, rd32(e));
		uint32_t crate = rd32(e + 4);
		if (!name || !name[0])
			return bad_entry(err, "symbol index: bad name offset", i);
		if (crate >= a->crate_count)
			return bad_entry(err, "symbol index: crate index out of range", i);
		if (rd32(e + 8) != archive_fnv1a(name))
			return bad_entry(err, "symbol index: name hash mismatch", i);
		if (prev) {
			int c = strcmp(prev, name);
			if (c > 0 || (c == 0 && prev_crate >= crate))
				return bad_entry(err, "symbol index not sorted", i);
		}
		prev = name;
		prev_crate = crate;
	}
	prev = NULL;
	for (uint32_t i = 0; i < a->kexport_count; i++) {
		const char *name = archive_string(a, rd32(kexport_entry(a, i)));
		if (!name || !name[0])
			return bad_entry(err, "nano-core export: bad name offset", i);
		if (prev && strcmp(prev, name) >= 0)
			return bad_entry(err, "nano-core exports not sorted", i);
		prev = name;
	}
	return STATUS_OK;
}

struct status archive_open(struct archive *a, const void *data, uint64_t size,
                           struct link_error *err)
{
	const uint8_t *h = data;
	memset(a, 0, sizeof(*a));
	if (!data || size < ARCHIVE_HEADER_SIZE)
		return bad(err, "archive smaller than its header");
	if (memcmp(h, ARCHIVE_MAGIC, 8) != 0)
		return bad(err, "bad archive magic");
	uint32_t version = rd32(h + 8);
	if (version != ARCHIVE_FORMAT_VERSION) {
		struct status s = bad(err, "archive format version ");
		link_error_append_u64(err, version, 0);
		link_error_append(err, ", this linker reads version ");
		link_error_append_u64(err, ARCHIVE_FORMAT_VERSION, 0);
		return s;
	}
	if (rd32(h + 12) != ARCHIVE_HEADER_SIZE)
		return bad(err, "bad archive header size");
	if (archive_crc32(h, 92) != rd32(h + 92))
		return bad(err, "archive header CRC mismatch");
	uint64_t total = rd64(h + 16);
	if (total < ARCHIVE_HEADER_SIZE || total > size)
		return bad(err, "archive total size exceeds the buffer");

	a->base = h;
	a->size = total;
	a->crate_count = rd32(h + 24);
	a->symbol_count = rd32(h + 28);
	a->kexport_count = rd32(h + 32);
	a->strtab_size = rd32(h + 36);
	a->crate_table_off = rd64(h + 40);
	a->symbol_index_off = rd64(h + 48);
	a->kexport_table_off = rd64(h + 56);
	a->strtab_off = rd64(h + 64);
	memcpy(a->nano_core_id, h + 72, 16);

	if (!table_ok(a->crate_table_off, a->crate_count, ARCHIVE_CRATE_ENTRY_SIZE, total) ||
	    !table_ok(a->symbol_index_off, a->symbol_count, ARCHIVE_SYMBOL_ENTRY_SIZE, total) ||
	    !table_ok(a->kexport_table_off, a->kexport_count, ARCHIVE_KEXPORT_ENTRY_SIZE, total) ||
	    !range_ok(a->strtab_off, a->strtab_size, total))
		return bad(err, "archive table outside the archive or misaligned");
	/* The metadata region is contiguous, in this order. */
	if (a->symbol_index_off < a->crate_table_off + (uint64_t)a->crate_count * 64 ||
	    a->kexport_table_off < a->symbol_index_off + (uint64_t)a->symbol_count * 16 ||
	    a->strtab_off < a->kexport_table_off + (uint64_t)a->kexport_count * 16)
		return bad(err, "archive tables overlap or are out of order");
	if (a->strtab_size == 0 || h[a->strtab_off + a->strtab_size - 1] != 0)
		return bad(err, "archive string table not NUL-terminated");
	uint64_t meta_len = a->strtab_off + a->strtab_size - a->crate_table_off;
	if (archive_crc32(h + a->crate_table_off, meta_len) != rd32(h + 88))
		return bad(err, "archive metadata CRC mismatch");

	struct status s = check_crates(a, err);
	if (status_ok(s))
		s = check_index(a, err);
	if (!status_ok(s))
		memset(a, 0, sizeof(*a));
	return s;
}

struct archive_crate archive_crate_at(const struct archive *a, uint32_t index)
{
	const uint8_t *e = crate_entry(a, index);
	return (struct archive_crate){
		.name = archive_string(a, rd32(e)),
		.version = archive_string(a, rd32(e + 4)),
		.description = archive_string(a, rd32(e + 8)),
		.alternative_of = archive_string(a, rd32(e + 12)),
		.elf_off = rd64(e + 16),
		.elf_size = rd64(e + 24),
		.elf_crc32 = rd32(e + 32),
		.export_count = rd32(e + 36),
		.import_count = rd32(e + 40),
		.flags = rd32(e + 44),
	};
}

uint32_t archive_find_crate(const struct archive *a, const char *name)
{
	for (uint32_t i = 0; i < a->crate_count; i++)
		if (strcmp(archive_string(a, rd32(crate_entry(a, i))), name) == 0)
			return i;
	return ARCHIVE_NO_CRATE;
}

/* First index entry whose name is >= symbol (binary search). */
static uint32_t lower_bound(const struct archive *a, const char *symbol)
{
	uint32_t lo = 0, hi = a->symbol_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (strcmp(archive_string(a, rd32(symbol_entry(a, mid))), symbol) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint32_t archive_find_provider(const struct archive *a, const char *symbol,
                               uint32_t *name_off)
{
	for (uint32_t i = lower_bound(a, symbol); i < a->symbol_count; i++) {
		const uint8_t *e = symbol_entry(a, i);
		if (strcmp(archive_string(a, rd32(e)), symbol) != 0)
			break;
		uint32_t crate = rd32(e + 4);
		if (archive_crate_at(a, crate).flags & ARCHIVE_CRATE_ALTERNATIVE)
			continue;
		if (name_off)
			*name_off = rd32(e);
		return crate;
	}
	return ARCHIVE_NO_CRATE;
}

uint32_t archive_find_exporter_if(const struct archive *a, const char *symbol,
                                  int (*accept)(const void *ctx, uint32_t crate),
                                  const void *ctx, uint32_t *name_off)
{
	for (uint32_t i = lower_bound(a, symbol); i < a->symbol_count; i++) {
		const uint8_t *e = symbol_entry(a, i);
		if (strcmp(archive_string(a, rd32(e)), symbol) != 0)
			break;
		uint32_t crate = rd32(e + 4);
		if (!accept(ctx, crate))
			continue;
		if (name_off)
			*name_off = rd32(e);
		return crate;
	}
	return ARCHIVE_NO_CRATE;
}

int archive_crate_exports(const struct archive *a, uint32_t crate_index,
                          const char *symbol)
{
	for (uint32_t i = lower_bound(a, symbol); i < a->symbol_count; i++) {
		const uint8_t *e = symbol_entry(a, i);
		if (strcmp(archive_string(a, rd32(e)), symbol) != 0)
			break;
		if (rd32(e + 4) == crate_index)
			return 1;
	}
	return 0;
}

void archive_for_each_export(const struct archive *a, uint32_t crate_index,
                             void (*fn)(void *ctx, const char *name), void *ctx)
{
	for (uint32_t i = 0; i < a->symbol_count; i++) {
		const uint8_t *e = symbol_entry(a, i);
		if (rd32(e + 4) == crate_index)
			fn(ctx, archive_string(a, rd32(e)));
	}
}

int archive_kexport_lookup(const struct archive *a, const char *name,
                           uint64_t *address)
{
	uint32_t lo = 0, hi = a->kexport_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const uint8_t *e = kexport_entry(a, mid);
		int c = strcmp(archive_string(a, rd32(e)), name);
		if (c == 0) {
			*address = rd64(e + 8);
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

const uint8_t *archive_crate_image(const struct archive *a, uint32_t index,
                                   struct link_error *err)
{
	struct archive_crate c = archive_crate_at(a, index);
	const uint8_t *image = a->base + c.elf_off;
	if (archive_crc32(image, c.elf_size) != c.elf_crc32) {
		(void)link_fail(err, E_BADARCH, c.name, "crate image CRC mismatch");
		return NULL;
	}
	return image;
}
