/* Validated, non-allocating view of a crate's ELF64 relocatable object.
 *
 * elf_view_open checks every header, offset, size and string the rest of
 * the core reads, so later accessors only copy records whose bounds are
 * known.  Records are copied out with memcpy: an archive in memory gives no
 * alignment guarantee. */
#include "linker_internal.h"

#define MAX_SECTION_ALIGN 4096u

static struct status bad(struct link_error *err, const char *crate,
                         const char *what)
{
	return link_fail(err, E_BADELF, crate, what);
}

static struct status bad_section(struct link_error *err, const char *crate,
                                 const char *what, uint32_t index)
{
	struct status s = link_fail(err, E_BADELF, crate, what);
	link_error_append(err, " (section ");
	link_error_append_u64(err, index, 0);
	link_error_append(err, ")");
	return s;
}

void elf_view_shdr(const struct elf_view *v, uint32_t index, struct elf64_shdr *out)
{
	memcpy(out, v->image + v->shoff + (uint64_t)index * sizeof(*out), sizeof(*out));
}

void elf_view_sym(const struct elf_view *v, uint32_t index, struct elf64_sym *out)
{
	memcpy(out, v->image + v->symoff + (uint64_t)index * sizeof(*out), sizeof(*out));
}

void elf_view_rela(const struct elf_view *v, const struct elf64_shdr *rela,
                   uint64_t index, struct elf64_rela *out)
{
	memcpy(out, v->image + rela->sh_offset + index * sizeof(*out), sizeof(*out));
}

const char *elf_view_section_name(const struct elf_view *v, uint32_t index)
{
	struct elf64_shdr sh;
	elf_view_shdr(v, index, &sh);
	return v->shstrtab + sh.sh_name;
}

const char *elf_view_sym_name(const struct elf_view *v, const struct elf64_sym *s)
{
	return v->strtab + s->st_name;
}

bool elf_sym_is_exported(const struct elf64_sym *s)
{
	uint8_t bind = ELF64_ST_BIND(s->st_info);
	uint8_t type = ELF64_ST_TYPE(s->st_info);
	return (bind == STB_GLOBAL || bind == STB_WEAK) &&
	       ELF64_ST_VISIBILITY(s->st_other) == STV_DEFAULT &&
	       s->st_shndx != SHN_UNDEF && s->st_shndx != SHN_COMMON &&
	       (type == STT_FUNC || type == STT_OBJECT || type == STT_NOTYPE) &&
	       s->st_name != 0;
}

/* A string table is usable when its bytes are in the image and it ends in
 * NUL: then every offset below its size names a terminated string. */
static bool string_table_ok(const struct elf_view *v, const struct elf64_shdr *sh)
{
	return sh->sh_type == SHT_STRTAB && sh->sh_size > 0 &&
	       range_ok(sh->sh_offset, sh->sh_size, v->size) &&
	       v->image[sh->sh_offset + sh->sh_size - 1] == 0;
}

static struct status check_section(const struct elf_view *v, uint32_t i,
                                   const struct elf64_shdr *sh,
                                   const char *crate, struct link_error *err)
{
	if (sh->sh_name >= v->shstrtab_size)
		return bad_section(err, crate, "section name offset out of range", i);
	if (sh->sh_type != SHT_NOBITS && !range_ok(sh->sh_offset, sh->sh_size, v->size))
		return bad_section(err, crate, "section contents outside the image", i);
	if (sh->sh_addralign & (sh->sh_addralign - 1))
		return bad_section(err, crate, "section alignment not a power of two", i);
	if (sh->sh_flags & SHF_TLS)
		return bad_section(err, crate, "thread-local sections are not supported", i);
	switch (sh->sh_type) {
	case SHT_REL:
		return bad_section(err, crate, "SHT_REL relocations are not supported (RELA only)", i);
	case SHT_INIT_ARRAY:
	case SHT_FINI_ARRAY:
	case SHT_PREINIT_ARRAY:
		return bad_section(err, crate, "init/fini arrays are not supported", i);
	case SHT_SYMTAB_SHNDX:
		return bad_section(err, crate, "extended section indices are not supported", i);
	case SHT_RELA:
		if (sh->sh_entsize != sizeof(struct elf64_rela) ||
		    sh->sh_size % sizeof(struct elf64_rela))
			return bad_section(err, crate, "bad RELA entry size", i);
		if (sh->sh_info >= v->shnum || sh->sh_info == 0)
			return bad_section(err, crate, "RELA section patches no valid section", i);
		break;
	default:
		break;
	}
	if (sh->sh_flags & SHF_ALLOC) {
		if (sh->sh_addralign > MAX_SECTION_ALIGN)
			return bad_section(err, crate, "section alignment above 4096", i);
		if ((sh->sh_flags & SHF_WRITE) && (sh->sh_flags & SHF_EXECINSTR))
			return bad_section(err, crate, "writable and executable section (W^X)", i);
	}
	return STATUS_OK;
}

static struct status check_symbols(const struct elf_view *v, const char *crate,
                                   struct link_error *err)
{
	for (uint32_t i = 0; i < v->sym_count; i++) {
		struct elf64_sym s;
		elf_view_sym(v, i, &s);
		if (s.st_name >= v->strtab_size)
			return bad_section(err, crate, "symbol name offset out of range", v->symtab_index);
		if (ELF64_ST_TYPE(s.st_info) == STT_TLS)
			return bad(err, crate, "thread-local symbols are not supported");
		if (s.st_shndx == SHN_COMMON)
			return bad(err, crate, "common symbols are not supported (build with -fno-common)");
		if (s.st_shndx == SHN_XINDEX)
			return bad(err, crate, "extended section indices are not supported");
		if (s.st_shndx != SHN_UNDEF && s.st_shndx != SHN_ABS &&
		    s.st_shndx >= v->shnum) {
			struct status st = bad(err, crate, "symbol in a section that does not exist");
			link_error_set_symbol(err, v->strtab + s.st_name);
			return st;
		}
		/* ELF puts all locals before globals; sh_info marks the split. */
		if (i < v->first_global && ELF64_ST_BIND(s.st_info) != STB_LOCAL && i != 0)
			return bad(err, crate, "global symbol among the locals of the symbol table");
	}
	return STATUS_OK;
}

struct status elf_view_open(struct elf_view *v, const uint8_t *image,
                            uint64_t size, const char *crate,
                            struct link_error *err)
{
	struct elf64_ehdr eh;
	memset(v, 0, sizeof(*v));
	v->image = image;
	v->size = size;
	if (size < sizeof(eh))
		return bad(err, crate, "image smaller than an ELF header");
	memcpy(&eh, image, sizeof(eh));
	if (memcmp(eh.e_ident, "\177ELF", 4) != 0)
		return bad(err, crate, "not an ELF image");
	if (eh.e_ident[4] != ELFCLASS64 || eh.e_ident[5] != ELFDATA2LSB ||
	    eh.e_ident[6] != EV_CURRENT)
		return bad(err, crate, "not ELF64 little-endian version 1");
	if (eh.e_type != ET_REL)
		return bad(err, crate, "not a relocatable object (ET_REL)");
	if (eh.e_machine != EM_X86_64)
		return bad(err, crate, "not an x86_64 object");
	if (eh.e_shentsize != sizeof(struct elf64_shdr) || eh.e_shnum == 0)
		return bad(err, crate, "bad section header table");
	uint64_t table_size = (uint64_t)eh.e_shnum * sizeof(struct elf64_shdr);
	if (!range_ok(eh.e_shoff, table_size, size))
		return bad(err, crate, "section header table outside the image");
	if (eh.e_shstrndx == 0 || eh.e_shstrndx >= eh.e_shnum)
		return bad(err, crate, "bad section name table index");
	v->shoff = eh.e_shoff;
	v->shnum = eh.e_shnum;

	struct elf64_shdr sh;
	elf_view_shdr(v, eh.e_shstrndx, &sh);
	if (!string_table_ok(v, &sh))
		return bad(err, crate, "bad section name table");
	v->shstrtab = (const char *)image + sh.sh_offset;
	v->shstrtab_size = sh.sh_size;

	uint32_t symtabs = 0;
	for (uint32_t i = 0; i < v->shnum; i++) {
		elf_view_shdr(v, i, &sh);
		struct status st = check_section(v, i, &sh, crate, err);
		if (!status_ok(st))
			return st;
		if (sh.sh_type == SHT_SYMTAB) {
			symtabs++;
			v->symtab_index = i;
		}
	}
	if (symtabs != 1)
		return bad(err, crate, "need exactly one symbol table");

	elf_view_shdr(v, v->symtab_index, &sh);
	if (sh.sh_entsize != sizeof(struct elf64_sym) ||
	    sh.sh_size % sizeof(struct elf64_sym) || sh.sh_size == 0)
		return bad(err, crate, "bad symbol table entry size");
	if (sh.sh_size / sizeof(struct elf64_sym) > UINT32_MAX / 2)
		return bad(err, crate, "symbol table too large");
	v->symoff = sh.sh_offset;
	v->sym_count = (uint32_t)(sh.sh_size / sizeof(struct elf64_sym));
	if (sh.sh_info > v->sym_count)
		return bad(err, crate, "symbol table first-global index out of range");
	v->first_global = sh.sh_info;
	if (sh.sh_link == 0 || sh.sh_link >= v->shnum)
		return bad(err, crate, "symbol table has no string table");
	struct elf64_shdr strsh;
	elf_view_shdr(v, sh.sh_link, &strsh);
	if (!string_table_ok(v, &strsh))
		return bad(err, crate, "bad symbol string table");
	v->strtab = (const char *)image + strsh.sh_offset;
	v->strtab_size = strsh.sh_size;

	for (uint32_t i = 0; i < v->shnum; i++) {
		elf_view_shdr(v, i, &sh);
		if (sh.sh_type == SHT_RELA && sh.sh_link != v->symtab_index)
			return bad_section(err, crate, "RELA section does not use the symbol table", i);
	}
	return check_symbols(v, crate, err);
}
