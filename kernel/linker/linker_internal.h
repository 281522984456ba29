/* Helpers shared by the linker core's files; not part of its interface. */
#ifndef THESEUS_LINKER_INTERNAL_H
#define THESEUS_LINKER_INTERNAL_H

#include "linker.h"
#include "lib/util.h"

/* ---- overflow-safe arithmetic (false on overflow) -------------------- */

static inline bool add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* [off, off+len) lies within [0, size). */
static inline bool range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Round up to a power-of-two alignment; false on overflow. */
static inline bool align_up_u64(uint64_t v, uint64_t align, uint64_t *out)
{
	uint64_t sum;
	if (!add_u64(v, align - 1, &sum))
		return false;
	*out = sum & ~(align - 1);
	return true;
}

static inline bool fits_int32(uint64_t v)
{
	return v + 0x80000000ull <= 0xffffffffull;
}

static inline bool fits_uint32(uint64_t v)
{
	return v <= 0xffffffffull;
}

/* ---- little-endian access to possibly unaligned bytes ---------------- */

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/* ---- errors ---------------------------------------------------------- */

/* Reset err and set code, crate and reason; returns STATUS(code).
 * err may be NULL. */
struct status link_fail(struct link_error *err, enum kerr code,
                        const char *crate, const char *reason);
void link_error_set_symbol(struct link_error *err, const char *symbol);
void link_error_set_reloc(struct link_error *err, const char *section,
                          uint64_t offset, uint32_t type);
void link_error_append(struct link_error *err, const char *text);
void link_error_append_u64(struct link_error *err, uint64_t value, int hex);
/* Decimal or 0x-hex text of v into buf (>= 20 bytes); returns buf. */
char *format_u64(char *buf, uint64_t v, int hex);

/* ---- ELF view: a validated, non-allocating look at a crate image ----- */

struct elf_view {
	const uint8_t *image;
	uint64_t size;
	uint64_t shoff;
	uint32_t shnum;
	uint32_t symtab_index;
	uint64_t symoff;
	uint32_t sym_count;
	uint32_t first_global;
	const char *strtab;
	uint64_t strtab_size;
	const char *shstrtab;
	uint64_t shstrtab_size;
};

/* Validate headers, section bounds, string tables and the symbol table. */
struct status elf_view_open(struct elf_view *v, const uint8_t *image,
                            uint64_t size, const char *crate,
                            struct link_error *err);
void elf_view_shdr(const struct elf_view *v, uint32_t index,
                   struct elf64_shdr *out);
void elf_view_sym(const struct elf_view *v, uint32_t index,
                  struct elf64_sym *out);
const char *elf_view_section_name(const struct elf_view *v, uint32_t index);
const char *elf_view_sym_name(const struct elf_view *v, const struct elf64_sym *s);
/* Symbol a crate exports: global/weak, default visibility, defined. */
bool elf_sym_is_exported(const struct elf64_sym *s);
/* Read rela `index` of section header `rela`. */
void elf_view_rela(const struct elf_view *v, const struct elf64_shdr *rela,
                   uint64_t index, struct elf64_rela *out);

#endif
