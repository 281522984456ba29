/* objcheck: the object-level checker of crate ELFs.
 *
 *   objcheck --nano-core nano_core.elf [--json FILE] [--quiet]
 *            [--key FILE [--allow-unchecked]] [--crate-mem-limit BYTES] CRATE.o...
 *   objcheck --stamp KEYFILE [--crate-mem-limit BYTES] -o OUT.o CRATE.o
 *
 * The second form is the build's last step for every crate: it checks the
 * linked object alone (forbidden sections, weak definitions, relocations
 * against symbol 0, the checker's verdict for every source file in it)
 * and writes it with the attestation stamp appended (kernel/linker/stamp.h).
 *
 * For every crate: its exports (global, default visibility, defined) and
 * imports (undefined); every import must be a public export of another crate
 * or of the nano-core; forbidden sections (TLS, constructors/destructors) are
 * rejected; mutable static state (bytes of writable allocated sections and the
 * symbols in them) is reported: the state-spill report. A crate's test
 * scratch (section SCRATCH_SECTION, theseus/ktest.h's KTEST_SCRATCH) is
 * counted apart: it is not state, as the runtime linker counts it.
 *
 * Exit status: 0 clean, 1 violations found, 2 bad input or usage.
 *
 * Sections and symbols are enumerated through LLVM's libObject C API.  That
 * API cannot tell symbol binding or visibility, section flags, or the ELF
 * type, and it aborts the process on some malformed input, so the ELF
 * headers and the symbol table are also read here, and bounds-checked before
 * libObject is asked anything about them.  See docs/safe-c.md.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/ErrorHandling.h>
#include <llvm-c/Object.h>

#include "signature.h"
#include "stamp.h"

enum { EXIT_CLEAN = 0, EXIT_VIOLATIONS = 1, EXIT_BAD_INPUT = 2 };

#define SCRATCH_SECTION ".bss.ktest_scratch" /* KTEST_SCRATCH_SECTION, LINKER_SCRATCH_SECTION */

struct section {
	const char *name; /* from libObject */
	uint32_t type;
	uint64_t flags;
	uint64_t size;
	uint64_t offset;   /* in the file (bounds-checked unless SHT_NOBITS) */
	uint32_t link, info;
	uint64_t entsize;
	bool writable_state; /* SHF_ALLOC and SHF_WRITE, and not test scratch */
	bool test_scratch;   /* SCRATCH_SECTION: statics of tests and benchmarks */
};

struct symbol {
	const char *name; /* from libObject */
	uint64_t value;
	uint64_t size;
	unsigned char bind, type, visibility;
	uint16_t shndx;
};

struct module {
	const char *path;
	char name[64];
	char alternative_of[33];
	bool nano_core;
	LLVMMemoryBufferRef buffer;
	LLVMBinaryRef binary;
	const unsigned char *bytes;
	size_t size;
	struct section *sections;
	size_t section_count;
	struct symbol *symbols; /* symtab order; index 0 is the null symbol */
	size_t symbol_count;
	uint64_t state_bytes;
	uint64_t scratch_bytes; /* writable, but test scratch: not state */
	uint64_t memory_bytes;  /* every allocated section: what loading it takes */
	size_t object_size;     /* the bytes before a stamp trailer, if any */
	enum stamp_verdict stamp;
	const char *stamp_why;
	struct sig_index sigs;  /* the theseus_safec record; count 0 if none */
	bool has_sigs;
};

/* ---- diagnostics ------------------------------------------------------- */

static const char *current_file = "(none)";
static unsigned violation_count;
static FILE *json_out;

static void fatal_input(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "objcheck: error: %s: ", current_file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_BAD_INPUT);
}

static void usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("objcheck: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nusage: objcheck --nano-core FILE [--json FILE] [--quiet] [--key FILE [--allow-unchecked]] "
	      "[--crate-mem-limit BYTES] CRATE.o...\n"
	      "usage: objcheck --stamp KEYFILE [--crate-mem-limit BYTES] -o OUT.o CRATE.o\n", stderr);
	exit(EXIT_BAD_INPUT);
}

/* libObject reports some malformed input through report_fatal_error. */
static void llvm_fatal(const char *reason)
{
	fatal_input("malformed object: %s", reason);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fputs("objcheck: error: out of memory\n", stderr);
		exit(EXIT_BAD_INPUT);
	}
	return p;
}

/* ---- raw ELF reading, bounds-checked ------------------------------------ */

static bool in_bounds(const struct module *m, uint64_t off, uint64_t len)
{
	return off <= m->size && len <= m->size - off;
}

static void read_at(const struct module *m, uint64_t off, void *out, size_t len, const char *what)
{
	if (!in_bounds(m, off, len))
		fatal_input("%s lies outside the file", what);
	memcpy(out, m->bytes + off, len);
}

/* A NUL-terminated string at offset `off` of a string table section. */
static bool valid_string(const struct module *m, const Elf64_Shdr *strtab, uint64_t off)
{
	if (strtab->sh_type == SHT_NOBITS || off >= strtab->sh_size)
		return false;
	return memchr(m->bytes + strtab->sh_offset + off, 0, strtab->sh_size - off) != NULL;
}

struct raw_elf {
	Elf64_Ehdr eh;
	Elf64_Shdr *sh;
	size_t symtab_index; /* 0: none */
};

static void read_raw_elf(struct module *m, struct raw_elf *raw)
{
	if (m->size < SELFMAG || memcmp(m->bytes, ELFMAG, SELFMAG) != 0)
		fatal_input("not an ELF file");
	read_at(m, 0, &raw->eh, sizeof raw->eh, "ELF header");
	const Elf64_Ehdr *eh = &raw->eh;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		fatal_input("not a 64-bit little-endian ELF file");
	if (eh->e_machine != EM_X86_64)
		fatal_input("machine is %u, not x86_64", eh->e_machine);
	if (m->nano_core && eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		fatal_input("the nano-core must be an executable ELF (type %u)", eh->e_type);
	if (!m->nano_core && eh->e_type != ET_REL)
		fatal_input("a crate must be a relocatable object (ELF type %u, expected ET_REL)",
			    eh->e_type);
	if (eh->e_shnum == 0 || eh->e_shnum >= SHN_LORESERVE)
		fatal_input("unsupported section count %u", eh->e_shnum);
	if (eh->e_shentsize != sizeof(Elf64_Shdr))
		fatal_input("section header size %u, expected %zu", eh->e_shentsize, sizeof(Elf64_Shdr));
	if (!in_bounds(m, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		fatal_input("section header table lies outside the file");
	if (eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum)
		fatal_input("bad section name table index %u", eh->e_shstrndx);

	raw->sh = xcalloc(eh->e_shnum, sizeof(Elf64_Shdr));
	memcpy(raw->sh, m->bytes + eh->e_shoff, (size_t)eh->e_shnum * sizeof(Elf64_Shdr));
	const Elf64_Shdr *shstr = &raw->sh[eh->e_shstrndx];
	if (shstr->sh_type != SHT_STRTAB || !in_bounds(m, shstr->sh_offset, shstr->sh_size))
		fatal_input("section name table is not a string table inside the file");

	raw->symtab_index = 0;
	for (size_t i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *s = &raw->sh[i];
		if (s->sh_type != SHT_NOBITS && s->sh_type != SHT_NULL &&
		    !in_bounds(m, s->sh_offset, s->sh_size))
			fatal_input("section %zu lies outside the file", i);
		if (!valid_string(m, shstr, s->sh_name))
			fatal_input("section %zu has a bad name offset", i);
		if (s->sh_type == SHT_SYMTAB) {
			if (raw->symtab_index)
				fatal_input("more than one symbol table");
			raw->symtab_index = i;
		}
	}
	if (!raw->symtab_index)
		fatal_input("no symbol table (.symtab); stripped objects cannot be checked");
	const Elf64_Shdr *st = &raw->sh[raw->symtab_index];
	if (st->sh_entsize != sizeof(Elf64_Sym) || st->sh_size % sizeof(Elf64_Sym) != 0)
		fatal_input("symbol table entry size %llu is not %zu",
			    (unsigned long long)st->sh_entsize, sizeof(Elf64_Sym));
	if (st->sh_link == 0 || st->sh_link >= eh->e_shnum ||
	    raw->sh[st->sh_link].sh_type != SHT_STRTAB)
		fatal_input("symbol table does not link to a string table");
	const Elf64_Shdr *strtab = &raw->sh[st->sh_link];
	size_t count = st->sh_size / sizeof(Elf64_Sym);
	if (count == 0)
		fatal_input("empty symbol table");
	m->symbol_count = count;
	m->symbols = xcalloc(count, sizeof(struct symbol));
	for (size_t i = 0; i < count; i++) {
		Elf64_Sym es;
		memcpy(&es, m->bytes + st->sh_offset + i * sizeof es, sizeof es);
		if (!valid_string(m, strtab, es.st_name))
			fatal_input("symbol %zu has a bad name offset", i);
		if (es.st_shndx >= eh->e_shnum && es.st_shndx < SHN_LORESERVE)
			fatal_input("symbol %zu refers to section %u, which does not exist", i, es.st_shndx);
		if (es.st_shndx == SHN_XINDEX)
			fatal_input("extended section indices are not supported");
		struct symbol *sym = &m->symbols[i];
		sym->bind = ELF64_ST_BIND(es.st_info);
		sym->type = ELF64_ST_TYPE(es.st_info);
		sym->visibility = ELF64_ST_VISIBILITY(es.st_other);
		sym->shndx = es.st_shndx;
		sym->value = es.st_value;
		sym->size = es.st_size;
		sym->name = "";
	}
}

/* ---- the checker's record --------------------------------------------- */

static void *sig_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return xcalloc(size ? size : 1, 1);
}

static void read_signatures(struct module *m)
{
	size_t found = 0;
	for (size_t i = 1; i < m->section_count; i++) {
		const struct section *s = &m->sections[i];
		if (strcmp(s->name, SIG_SECTION) != 0)
			continue;
		if (s->type != SHT_PROGBITS || !in_bounds(m, s->offset, s->size))
			fatal_input("section %s is not data inside the file", SIG_SECTION);
		if (found++)
			fatal_input("more than one %s section", SIG_SECTION);
		const char *why = sig_index_build(&m->sigs, (const char *)m->bytes + s->offset, s->size,
						  sig_alloc, NULL);
		if (why)
			fatal_input("%s: %s", SIG_SECTION, why);
		m->has_sigs = true;
	}
}

/* ---- libObject enumeration, joined with the raw tables ------------------ */

static void load_module(struct module *m)
{
	char *msg = NULL;
	current_file = m->path;
	if (LLVMCreateMemoryBufferWithContentsOfFile(m->path, &m->buffer, &msg)) {
		fprintf(stderr, "objcheck: error: %s: cannot read: %s\n", m->path, msg ? msg : "?");
		exit(EXIT_BAD_INPUT);
	}
	m->bytes = (const unsigned char *)LLVMGetBufferStart(m->buffer);
	m->size = LLVMGetBufferSize(m->buffer);

	struct raw_elf raw;
	read_raw_elf(m, &raw);

	m->binary = LLVMCreateBinary(m->buffer, NULL, &msg);
	if (!m->binary)
		fatal_input("libObject cannot read it: %s", msg ? msg : "?");
	if (LLVMBinaryGetType(m->binary) != LLVMBinaryTypeELF64L)
		fatal_input("libObject does not see a 64-bit little-endian ELF");

	/* Sections: libObject lists every section header, the null one first. */
	m->section_count = raw.eh.e_shnum;
	m->sections = xcalloc(m->section_count, sizeof(struct section));
	LLVMSectionIteratorRef si = LLVMObjectFileCopySectionIterator(m->binary);
	size_t n = 0;
	for (; !LLVMObjectFileIsSectionIteratorAtEnd(m->binary, si); LLVMMoveToNextSection(si), n++) {
		if (n >= m->section_count)
			fatal_input("libObject lists more sections than the header table holds");
		struct section *s = &m->sections[n];
		s->name = LLVMGetSectionName(si);
		s->size = LLVMGetSectionSize(si);
		s->type = raw.sh[n].sh_type;
		s->flags = raw.sh[n].sh_flags;
		s->offset = raw.sh[n].sh_offset;
		s->link = raw.sh[n].sh_link;
		s->info = raw.sh[n].sh_info;
		s->entsize = raw.sh[n].sh_entsize;
		if (s->size != raw.sh[n].sh_size)
			fatal_input("section %zu: libObject and the header table disagree on its size", n);
		if (!s->name)
			s->name = "";
		bool writable = (s->flags & SHF_ALLOC) && (s->flags & SHF_WRITE);
		s->test_scratch = writable && strcmp(s->name, SCRATCH_SECTION) == 0;
		s->writable_state = writable && !s->test_scratch;
	}
	LLVMDisposeSectionIterator(si);
	if (n != m->section_count)
		fatal_input("libObject lists %zu sections, the header table %zu", n, m->section_count);

	/* Symbols: libObject skips the null symbol at index 0. */
	LLVMSymbolIteratorRef yi = LLVMObjectFileCopySymbolIterator(m->binary);
	size_t k = 1;
	for (; !LLVMObjectFileIsSymbolIteratorAtEnd(m->binary, yi); LLVMMoveToNextSymbol(yi), k++) {
		if (k >= m->symbol_count)
			fatal_input("libObject lists more symbols than the symbol table holds");
		struct symbol *sym = &m->symbols[k];
		const char *name = LLVMGetSymbolName(yi);
		sym->name = name ? name : "";
		if (LLVMGetSymbolSize(yi) != sym->size && sym->shndx != SHN_COMMON)
			fatal_input("symbol '%s': libObject and the symbol table disagree on its size",
				    sym->name);
	}
	LLVMDisposeSymbolIterator(yi);
	if (k != m->symbol_count)
		fatal_input("libObject lists %zu symbols, the symbol table %zu", k - 1,
			    m->symbol_count - 1);
	free(raw.sh);
	read_signatures(m);
}

static bool valid_crate_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* Name from the .crate_info record (see <theseus/crate.h>), else the file's
 * basename without ".o". */
static void name_module(struct module *m)
{
	m->name[0] = 0;
	m->alternative_of[0] = 0;
	if (m->nano_core) {
		snprintf(m->name, sizeof m->name, "nano-core");
		return;
	}
	LLVMSectionIteratorRef si = LLVMObjectFileCopySectionIterator(m->binary);
	for (size_t n = 0; !LLVMObjectFileIsSectionIteratorAtEnd(m->binary, si);
	     LLVMMoveToNextSection(si), n++) {
		const struct section *s = &m->sections[n];
		if (strcmp(s->name, ".crate_info") != 0 || s->type == SHT_NOBITS || s->size < 384)
			continue;
		const char *rec = LLVMGetSectionContents(si);
		if (memcmp(rec, "CRATE01", 8) != 0)
			fatal_input(".crate_info does not start with CRATE01");
		char name[33] = {0}, alt[33] = {0};
		memcpy(name, rec + 8, 32);
		memcpy(alt, rec + 200, 32);
		if (!valid_crate_name(name))
			fatal_input(".crate_info has a bad crate name");
		snprintf(m->name, sizeof m->name, "%s", name);
		if (valid_crate_name(alt))
			snprintf(m->alternative_of, sizeof m->alternative_of, "%s", alt);
		break;
	}
	LLVMDisposeSectionIterator(si);
	if (m->name[0])
		return;
	const char *base = strrchr(m->path, '/');
	base = base ? base + 1 : m->path;
	snprintf(m->name, sizeof m->name, "%s", base);
	size_t len = strlen(m->name);
	if (len > 2 && strcmp(m->name + len - 2, ".o") == 0)
		m->name[len - 2] = 0;
}

/* ---- symbol classification --------------------------------------------- */

static bool is_global(const struct symbol *s)
{
	return s->bind == STB_GLOBAL || s->bind == STB_WEAK || s->bind == STB_GNU_UNIQUE;
}

static bool is_defined(const struct symbol *s)
{
	return s->shndx != SHN_UNDEF;
}

static bool is_named_entity(const struct symbol *s)
{
	return s->name[0] && s->type != STT_SECTION && s->type != STT_FILE;
}

static bool is_export(const struct symbol *s)
{
	return is_named_entity(s) && is_defined(s) && is_global(s) &&
	       (s->visibility == STV_DEFAULT || s->visibility == STV_PROTECTED);
}

static bool is_import(const struct module *m, size_t i)
{
	const struct symbol *s = &m->symbols[i];
	return i > 0 && s->name[0] && !is_defined(s) && is_global(s);
}

static const char *visibility_name(const struct symbol *s)
{
	if (s->bind == STB_LOCAL)
		return "local";
	switch (s->visibility) {
	case STV_HIDDEN: return "hidden visibility";
	case STV_INTERNAL: return "internal visibility";
	case STV_PROTECTED: return "protected visibility";
	default: return "default visibility";
	}
}

static const char *section_name_of(const struct module *m, const struct symbol *s)
{
	if (s->shndx == SHN_COMMON)
		return "COMMON";
	if (s->shndx == SHN_ABS)
		return "ABS";
	if (s->shndx < m->section_count)
		return m->sections[s->shndx].name;
	return "?";
}

/* Mutable static state: a named data symbol in a writable section, or a
 * common symbol (which becomes .bss). */
static bool is_state_symbol(const struct module *m, const struct symbol *s)
{
	if (!is_named_entity(s) || s->type == STT_FUNC)
		return false;
	if (s->shndx == SHN_COMMON)
		return true;
	return s->shndx != SHN_UNDEF && s->shndx < m->section_count &&
	       m->sections[s->shndx].writable_state;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Why a section may not appear in a crate, or NULL. */
static const char *forbidden_section(const struct section *s)
{
	static const char *const ctor_prefixes[] = {".init_array", ".fini_array", ".preinit_array",
						    ".ctors", ".dtors"};
	if (s->flags & SHF_TLS)
		return "thread-local storage";
	if (starts_with(s->name, ".tdata") || starts_with(s->name, ".tbss"))
		return "thread-local storage";
	if (s->type == SHT_INIT_ARRAY || s->type == SHT_FINI_ARRAY || s->type == SHT_PREINIT_ARRAY)
		return "constructors/destructors run outside the crate's init";
	for (size_t i = 0; i < sizeof ctor_prefixes / sizeof ctor_prefixes[0]; i++) {
		size_t len = strlen(ctor_prefixes[i]);
		if (strncmp(s->name, ctor_prefixes[i], len) == 0 &&
		    (s->name[len] == 0 || s->name[len] == '.'))
			return "constructors/destructors run outside the crate's init";
	}
	if (strcmp(s->name, ".init") == 0 || strcmp(s->name, ".fini") == 0)
		return "constructors/destructors run outside the crate's init";
	return NULL;
}

/* ---- JSON output --------------------------------------------------------- */

static void json_string(const char *s)
{
	fputc('"', json_out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(json_out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(json_out, "\\u%04x", *p);
		else
			fputc(*p, json_out);
	}
	fputc('"', json_out);
}

struct violation {
	const char *crate;
	const char *file;
	const char *kind;
	const char *symbol; /* or section */
	char message[512];
};

static struct violation *violations;
static size_t violations_cap;

static void violation(const struct module *m, const char *kind, const char *symbol,
		      const char *fmt, ...)
{
	if (violation_count == violations_cap) {
		violations_cap = violations_cap ? 2 * violations_cap : 16;
		violations = realloc(violations, violations_cap * sizeof *violations);
		if (!violations) {
			fputs("objcheck: error: out of memory\n", stderr);
			exit(EXIT_BAD_INPUT);
		}
	}
	struct violation *v = &violations[violation_count++];
	v->crate = m->name;
	v->file = m->path;
	v->kind = kind;
	v->symbol = symbol;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof v->message, fmt, ap);
	va_end(ap);
	fprintf(stderr, "objcheck: error: %s: %s\n", m->path, v->message);
}

/* ---- the checks ---------------------------------------------------------- */

static struct module *modules;
static size_t module_count; /* modules[0] is the nano-core */

static bool are_alternatives(const struct module *a, const struct module *b)
{
	return (a->alternative_of[0] && strcmp(a->alternative_of, b->name) == 0) ||
	       (b->alternative_of[0] && strcmp(b->alternative_of, a->name) == 0) ||
	       (a->alternative_of[0] && strcmp(a->alternative_of, b->alternative_of) == 0);
}

/* First module other than `self` that exports `name`, or NULL. */
static const struct module *find_exporter(const struct module *self, const char *name)
{
	for (size_t i = 0; i < module_count; i++) {
		const struct module *m = &modules[i];
		if (m == self)
			continue;
		for (size_t k = 1; k < m->symbol_count; k++)
			if (is_export(&m->symbols[k]) && strcmp(m->symbols[k].name, name) == 0)
				return m;
	}
	return NULL;
}

/* A definition of `name` in another module that is not exported. */
static const struct symbol *find_private_definition(const struct module *self, const char *name,
						    const struct module **owner)
{
	for (size_t i = 0; i < module_count; i++) {
		const struct module *m = &modules[i];
		if (m == self)
			continue;
		for (size_t k = 1; k < m->symbol_count; k++) {
			const struct symbol *s = &m->symbols[k];
			if (is_named_entity(s) && is_defined(s) && !is_export(s) &&
			    strcmp(s->name, name) == 0) {
				*owner = m;
				return s;
			}
		}
	}
	return NULL;
}

static bool allow_unchecked;
/* Every crate must carry the checker's verdict: when stamping, and when
 * an image is checked with the build's key. */
static bool require_verdict;
static uint64_t crate_memory_limit = 16ull << 20;

/* Does the record hold "safec 1 checked crate=CRATE file=FILE ..." ? */
static bool verdict_covers(const struct module *m, const char *file)
{
	const char *t = m->sigs.text;
	uint64_t size = m->sigs.size;
	char want[256];
	int n = snprintf(want, sizeof want, "safec 1 checked crate=%s file=%s ", m->name, file);
	if (n < 0 || (size_t)n >= sizeof want)
		return false;
	for (uint64_t at = 0; at < size;) {
		uint64_t end = at;
		while (end < size && t[end] != '\n' && t[end] != '\0')
			end++;
		if (end - at >= (uint64_t)n && memcmp(t + at, want, (size_t)n) == 0)
			return true;
		at = end + 1;
	}
	return false;
}

/* What one object must be whatever else is in the image: checked source
 * by source, no weak definitions, no relocation against symbol 0, within
 * the per-crate memory limit. */
static void check_object(struct module *m)
{
	current_file = m->path;
	if (!require_verdict) {
		/* An image checked without the key: structure only. */
	} else if (!m->has_sigs || m->sigs.headers == 0) {
		if (!allow_unchecked)
			violation(m, "unchecked", "",
				  "crate '%s' carries no verdict of the safe-C checker (section %s): "
				  "it was not compiled with the plugin", m->name, SIG_SECTION);
	} else {
		for (size_t k = 1; k < m->symbol_count; k++) {
			const struct symbol *s = &m->symbols[k];
			if (s->type != STT_FILE || !s->name[0])
				continue;
			const char *base = strrchr(s->name, '/');
			base = base ? base + 1 : s->name;
			if (!verdict_covers(m, base))
				violation(m, "unchecked", base,
					  "crate '%s': source file '%s' has no verdict of the safe-C checker "
					  "for this crate", m->name, base);
		}
	}
	for (size_t k = 1; k < m->symbol_count; k++) {
		const struct symbol *s = &m->symbols[k];
		if (s->bind == STB_WEAK && is_defined(s))
			violation(m, "weak-definition", s->name,
				  "crate '%s' defines weak symbol '%s': a weak definition could be "
				  "overridden by another provider", m->name, s->name);
	}
	m->memory_bytes = 0;
	for (size_t i = 1; i < m->section_count; i++) {
		const struct section *sec = &m->sections[i];
		if (sec->flags & SHF_ALLOC)
			m->memory_bytes += sec->size;
		if (sec->type != SHT_RELA)
			continue;
		if (sec->entsize != sizeof(Elf64_Rela) || sec->size % sizeof(Elf64_Rela) ||
		    !in_bounds(m, sec->offset, sec->size))
			fatal_input("relocation section %s is malformed", sec->name);
		for (uint64_t off = 0; off < sec->size; off += sizeof(Elf64_Rela)) {
			Elf64_Rela r;
			memcpy(&r, m->bytes + sec->offset + off, sizeof r);
			if (ELF64_R_SYM(r.r_info) == 0 && ELF64_R_TYPE(r.r_info) != R_X86_64_NONE) {
				violation(m, "relocation-symbol-0", sec->name,
					  "crate '%s': %s has a relocation against symbol 0 (STN_UNDEF) "
					  "at offset 0x%llx", m->name, sec->name,
					  (unsigned long long)r.r_offset);
				break;
			}
		}
	}
	if (crate_memory_limit && m->memory_bytes > crate_memory_limit)
		violation(m, "memory-limit", "",
			  "crate '%s' needs %llu bytes of memory, more than the per-crate limit of "
			  "%llu bytes", m->name, (unsigned long long)m->memory_bytes,
			  (unsigned long long)crate_memory_limit);
}

static bool compiler_runtime(const char *name)
{
	return !strcmp(name, "memcpy") || !strcmp(name, "memset") || !strcmp(name, "memmove") ||
	       !strcmp(name, "memcmp");
}

/* The import's type signature against its provider's (signature.h). */
static void check_signature(const struct module *m, const char *name, const struct module *p)
{
	if (!m->has_sigs || !p->has_sigs)
		return; /* reported as unchecked, or a nano-core without records */
	struct sig_entry ref, def;
	const char *why = NULL;
	if (!sig_lookup(&m->sigs, false, name, &ref)) {
		if (compiler_runtime(name))
			return;
		why = "the importer has no signature for it";
	} else if (!sig_lookup(&p->sigs, true, name, &def)) {
		why = "the provider has no signature for it";
	} else {
		why = sig_mismatch(&ref, &def);
	}
	if (why)
		violation(m, "signature-mismatch", name,
			  "crate '%s' imports '%s' from %s%s%s with another type: %s", m->name, name,
			  p->nano_core ? "the nano-core" : "crate '", p->nano_core ? "" : p->name,
			  p->nano_core ? "" : "'", why);
}

static void check_crate(struct module *m)
{
	check_object(m);
	if (m->stamp != STAMP_VALID && m->stamp_why && !allow_unchecked)
		violation(m, m->stamp == STAMP_MISSING ? "unstamped" : "bad-stamp", "",
			  "crate '%s': %s", m->name, m->stamp_why);
	current_file = m->path;
	for (size_t i = 1; i < m->section_count; i++) {
		const char *why = forbidden_section(&m->sections[i]);
		if (why)
			violation(m, "forbidden-section", m->sections[i].name,
				  "crate '%s' has forbidden section '%s' (%s)", m->name,
				  m->sections[i].name, why);
		if (m->sections[i].writable_state)
			m->state_bytes += m->sections[i].size;
		if (m->sections[i].test_scratch)
			m->scratch_bytes += m->sections[i].size;
	}
	for (size_t k = 1; k < m->symbol_count; k++) {
		const struct symbol *s = &m->symbols[k];
		/* Defined TLS symbols live in a TLS section, reported above. */
		if (s->type == STT_TLS && !is_defined(s))
			violation(m, "forbidden-section", s->name,
				  "crate '%s' uses thread-local symbol '%s'", m->name, s->name);
		if (s->shndx == SHN_COMMON)
			m->state_bytes += s->size;
		if (!is_import(m, k))
			continue;
		const struct module *provider = find_exporter(m, s->name);
		if (provider) {
			check_signature(m, s->name, provider);
			continue;
		}
		const struct module *owner = NULL;
		const struct symbol *priv = find_private_definition(m, s->name, &owner);
		if (priv)
			violation(m, "private-symbol", s->name,
				  "crate '%s' imports '%s', which %s%s%s defines but does not export (%s)",
				  m->name, s->name, owner->nano_core ? "the nano-core" : "crate '",
				  owner->nano_core ? "" : owner->name, owner->nano_core ? "" : "'",
				  visibility_name(priv));
		else if (s->bind != STB_WEAK)
			violation(m, "unresolved-import", s->name,
				  "crate '%s' imports '%s', which no crate and not the nano-core exports",
				  m->name, s->name);
	}
	/* One provider per symbol, except crates declared as alternatives. */
	for (size_t k = 1; k < m->symbol_count; k++) {
		const struct symbol *s = &m->symbols[k];
		if (!is_export(s))
			continue;
		for (const struct module *o = modules; o < m; o++) {
			if (!o->nano_core && are_alternatives(m, o))
				continue;
			for (size_t j = 1; j < o->symbol_count; j++)
				if (is_export(&o->symbols[j]) && strcmp(o->symbols[j].name, s->name) == 0) {
					violation(m, "duplicate-export", s->name,
						  "crate '%s' exports '%s', which %s%s%s exports too",
						  m->name, s->name,
						  o->nano_core ? "the nano-core" : "crate '",
						  o->nano_core ? "" : o->name, o->nano_core ? "" : "'");
					break;
				}
		}
	}
	for (const struct module *o = modules + 1; o < m; o++)
		if (strcmp(o->name, m->name) == 0)
			violation(m, "duplicate-crate", m->name, "crate name '%s' is used by %s too",
				  m->name, o->path);
}

/* ---- reports ------------------------------------------------------------- */

static void print_crate_text(const struct module *m)
{
	size_t n;
	printf("crate %s (%s)\n", m->name, m->path);

	n = 0;
	for (size_t k = 1; k < m->symbol_count; k++)
		n += is_export(&m->symbols[k]);
	printf("  exports (%zu):", n);
	for (size_t k = 1; k < m->symbol_count; k++)
		if (is_export(&m->symbols[k]))
			printf(" %s", m->symbols[k].name);
	printf("\n");

	n = 0;
	for (size_t k = 1; k < m->symbol_count; k++)
		n += is_import(m, k);
	printf("  imports (%zu):", n);
	for (size_t k = 1; k < m->symbol_count; k++) {
		if (!is_import(m, k))
			continue;
		const struct module *p = find_exporter(m, m->symbols[k].name);
		printf(" %s [%s]", m->symbols[k].name,
		       p ? p->name : m->symbols[k].bind == STB_WEAK ? "weak, unresolved" : "unresolved");
	}
	printf("\n");

	printf("  state: %llu bytes\n", (unsigned long long)m->state_bytes);
	if (m->scratch_bytes)
		printf("  test scratch: %llu bytes (not state)\n", (unsigned long long)m->scratch_bytes);
	for (size_t i = 1; i < m->section_count; i++)
		if (m->sections[i].writable_state && m->sections[i].size)
			printf("    section %-28s %8llu bytes\n", m->sections[i].name,
			       (unsigned long long)m->sections[i].size);
	for (size_t k = 1; k < m->symbol_count; k++) {
		const struct symbol *s = &m->symbols[k];
		if (is_state_symbol(m, s))
			printf("    symbol  %-28s %8llu bytes in %s (%s)\n", s->name,
			       (unsigned long long)s->size, section_name_of(m, s),
			       s->bind == STB_LOCAL ? "local" : "global");
	}
}

static void write_json(void)
{
	uint64_t total = 0;
	fprintf(json_out, "{\n  \"nano_core\": {\"file\": ");
	json_string(modules[0].path);
	size_t kexports = 0;
	for (size_t k = 1; k < modules[0].symbol_count; k++)
		kexports += is_export(&modules[0].symbols[k]);
	fprintf(json_out, ", \"exports\": %zu},\n  \"crates\": [", kexports);
	for (size_t i = 1; i < module_count; i++) {
		const struct module *m = &modules[i];
		total += m->state_bytes;
		fprintf(json_out, "%s\n    {\"name\": ", i > 1 ? "," : "");
		json_string(m->name);
		fprintf(json_out, ", \"file\": ");
		json_string(m->path);
		fprintf(json_out, ", \"alternative_of\": ");
		json_string(m->alternative_of);
		fprintf(json_out, ",\n     \"exports\": [");
		bool first = true;
		for (size_t k = 1; k < m->symbol_count; k++)
			if (is_export(&m->symbols[k])) {
				fprintf(json_out, "%s", first ? "" : ", ");
				json_string(m->symbols[k].name);
				first = false;
			}
		fprintf(json_out, "],\n     \"imports\": [");
		first = true;
		for (size_t k = 1; k < m->symbol_count; k++) {
			if (!is_import(m, k))
				continue;
			const struct module *p = find_exporter(m, m->symbols[k].name);
			fprintf(json_out, "%s{\"symbol\": ", first ? "" : ", ");
			json_string(m->symbols[k].name);
			fprintf(json_out, ", \"provider\": ");
			if (p)
				json_string(p->name);
			else
				fprintf(json_out, "null");
			fprintf(json_out, ", \"weak\": %s}", m->symbols[k].bind == STB_WEAK ? "true" : "false");
			first = false;
		}
		fprintf(json_out, "],\n     \"state_bytes\": %llu, \"scratch_bytes\": %llu, \"state_sections\": [",
			(unsigned long long)m->state_bytes, (unsigned long long)m->scratch_bytes);
		first = true;
		for (size_t s = 1; s < m->section_count; s++)
			if (m->sections[s].writable_state && m->sections[s].size) {
				fprintf(json_out, "%s{\"name\": ", first ? "" : ", ");
				json_string(m->sections[s].name);
				fprintf(json_out, ", \"bytes\": %llu}",
					(unsigned long long)m->sections[s].size);
				first = false;
			}
		fprintf(json_out, "],\n     \"state_symbols\": [");
		first = true;
		for (size_t k = 1; k < m->symbol_count; k++) {
			const struct symbol *s = &m->symbols[k];
			if (!is_state_symbol(m, s))
				continue;
			fprintf(json_out, "%s{\"name\": ", first ? "" : ", ");
			json_string(s->name);
			fprintf(json_out, ", \"bytes\": %llu, \"section\": ", (unsigned long long)s->size);
			json_string(section_name_of(m, s));
			fprintf(json_out, ", \"binding\": \"%s\"}", s->bind == STB_LOCAL ? "local" : "global");
			first = false;
		}
		fprintf(json_out, "]}");
	}
	fprintf(json_out, "\n  ],\n  \"state_bytes_total\": %llu,\n  \"violations\": [",
		(unsigned long long)total);
	for (size_t i = 0; i < violation_count; i++) {
		const struct violation *v = &violations[i];
		fprintf(json_out, "%s\n    {\"crate\": ", i ? "," : "");
		json_string(v->crate);
		fprintf(json_out, ", \"file\": ");
		json_string(v->file);
		fprintf(json_out, ", \"kind\": ");
		json_string(v->kind);
		fprintf(json_out, ", \"name\": ");
		json_string(v->symbol);
		fprintf(json_out, ", \"message\": ");
		json_string(v->message);
		fprintf(json_out, "}");
	}
	fprintf(json_out, "%s],\n  \"ok\": %s\n}\n", violation_count ? "\n  " : "",
		violation_count ? "false" : "true");
}

static void read_key(const char *path, uint8_t key[STAMP_KEY_SIZE])
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "objcheck: error: %s: cannot read the attestation key\n", path);
		exit(EXIT_BAD_INPUT);
	}
	uint8_t extra;
	size_t n = fread(key, 1, STAMP_KEY_SIZE, f);
	size_t more = fread(&extra, 1, 1, f);
	fclose(f);
	if (n != STAMP_KEY_SIZE || more) {
		fprintf(stderr, "objcheck: error: %s: an attestation key is exactly %u bytes\n", path,
			STAMP_KEY_SIZE);
		exit(EXIT_BAD_INPUT);
	}
}

/* objcheck --stamp: check one linked crate object and write it stamped. */
static int stamp_object(const char *key_path, const char *in, const char *out)
{
	uint8_t key[STAMP_KEY_SIZE];
	read_key(key_path, key);
	require_verdict = true;
	modules = xcalloc(2, sizeof(struct module));
	module_count = 2; /* modules[0] stays empty: no nano-core here */
	struct module *m = &modules[1];
	m->path = in;
	load_module(m);
	name_module(m);
	if (m->size >= STAMP_SIZE && memcmp(m->bytes + m->size - STAMP_SIZE, STAMP_MAGIC, 8) == 0)
		fatal_input("already stamped (a trailer %s ends it)", STAMP_MAGIC);
	check_object(m);
	for (size_t i = 1; i < m->section_count; i++) {
		const char *why = forbidden_section(&m->sections[i]);
		if (why)
			violation(m, "forbidden-section", m->sections[i].name,
				  "crate '%s' has forbidden section '%s' (%s)", m->name,
				  m->sections[i].name, why);
	}
	if (violation_count) {
		fprintf(stderr, "objcheck: %s: not stamped: %u violation%s\n", in, violation_count,
			violation_count == 1 ? "" : "s");
		return EXIT_VIOLATIONS;
	}
	/* The record is for the tools, not for the running crate: it is not
	 * loaded (SHF_ALLOC cleared) and travels in the file only. */
	unsigned char *copy = xcalloc(m->size + STAMP_SIZE, 1);
	memcpy(copy, m->bytes, m->size);
	Elf64_Ehdr eh;
	memcpy(&eh, copy, sizeof eh);
	for (size_t i = 1; i < m->section_count; i++) {
		if (strcmp(m->sections[i].name, SIG_SECTION) != 0)
			continue;
		Elf64_Shdr sh;
		memcpy(&sh, copy + eh.e_shoff + i * sizeof sh, sizeof sh);
		sh.sh_flags &= ~(uint64_t)SHF_ALLOC;
		memcpy(copy + eh.e_shoff + i * sizeof sh, &sh, sizeof sh);
	}
	stamp_make(copy, m->size, key, copy + m->size);
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", out) >= (int)sizeof tmp) {
		fprintf(stderr, "objcheck: error: %s: path too long\n", out);
		return EXIT_BAD_INPUT;
	}
	FILE *f = fopen(tmp, "wb");
	if (!f || fwrite(copy, 1, m->size + STAMP_SIZE, f) != m->size + STAMP_SIZE || fclose(f) != 0 ||
	    rename(tmp, out) != 0) {
		fprintf(stderr, "objcheck: error: %s: cannot write\n", out);
		remove(tmp);
		return EXIT_BAD_INPUT;
	}
	free(copy);
	return EXIT_CLEAN;
}

int main(int argc, char **argv)
{
	const char *nano_core = NULL, *json_path = NULL, *key_path = NULL;
	const char *stamp_key = NULL, *output = NULL;
	bool quiet = false;
	LLVMInstallFatalErrorHandler(llvm_fatal);
	modules = xcalloc((size_t)argc + 1, sizeof(struct module));
	module_count = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--stamp") == 0) {
			if (++i >= argc)
				usage_error("--stamp needs a key file");
			stamp_key = argv[i];
		} else if (strcmp(argv[i], "-o") == 0) {
			if (++i >= argc)
				usage_error("-o needs a file");
			output = argv[i];
		} else if (strcmp(argv[i], "--key") == 0) {
			if (++i >= argc)
				usage_error("--key needs a file");
			key_path = argv[i];
		} else if (strcmp(argv[i], "--allow-unchecked") == 0) {
			allow_unchecked = true;
		} else if (strcmp(argv[i], "--crate-mem-limit") == 0) {
			char *end = NULL;
			if (++i >= argc || !argv[i][0] ||
			    (crate_memory_limit = strtoull(argv[i], &end, 10), *end))
				usage_error("--crate-mem-limit needs a byte count");
		} else if (strcmp(argv[i], "--nano-core") == 0) {
			if (++i >= argc)
				usage_error("--nano-core needs a file");
			nano_core = argv[i];
		} else if (strcmp(argv[i], "--json") == 0) {
			if (++i >= argc)
				usage_error("--json needs a file");
			json_path = argv[i];
		} else if (strcmp(argv[i], "--quiet") == 0) {
			quiet = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			puts("usage: objcheck --nano-core FILE [--json FILE] [--quiet] [--key FILE "
			     "[--allow-unchecked]] [--crate-mem-limit BYTES] CRATE.o...\n"
			     "       objcheck --stamp KEYFILE -o OUT.o CRATE.o");
			return EXIT_CLEAN;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			usage_error("unknown option '%s'", argv[i]);
		} else {
			modules[module_count++].path = argv[i];
		}
	}
	if (stamp_key) {
		if (!output || module_count != 2 || nano_core || key_path)
			usage_error("--stamp KEYFILE takes -o OUT.o and exactly one crate object");
		return stamp_object(stamp_key, modules[1].path, output);
	}
	if (output)
		usage_error("-o is for --stamp");
	if (!nano_core)
		usage_error("--nano-core FILE is required");
	if (module_count == 1)
		usage_error("no crate objects given");

	uint8_t key[STAMP_KEY_SIZE];
	if (key_path) {
		read_key(key_path, key);
		require_verdict = true;
	}
	modules[0].path = nano_core;
	modules[0].nano_core = true;
	for (size_t i = 0; i < module_count; i++) {
		load_module(&modules[i]);
		name_module(&modules[i]);
		if (key_path && i > 0)
			modules[i].stamp = stamp_verify(modules[i].bytes, modules[i].size, key, NULL,
							&modules[i].stamp_why);
	}
	uint64_t total = 0;
	for (size_t i = 1; i < module_count; i++) {
		check_crate(&modules[i]);
		total += modules[i].state_bytes;
	}
	if (!quiet) {
		for (size_t i = 1; i < module_count; i++)
			print_crate_text(&modules[i]);
	}
	printf("objcheck: %zu crates, %u violation%s, %llu bytes of mutable static state\n",
	       module_count - 1, violation_count, violation_count == 1 ? "" : "s",
	       (unsigned long long)total);

	if (json_path) {
		json_out = fopen(json_path, "w");
		if (!json_out) {
			fprintf(stderr, "objcheck: error: %s: cannot write\n", json_path);
			return EXIT_BAD_INPUT;
		}
		write_json();
		if (fclose(json_out) != 0) {
			fprintf(stderr, "objcheck: error: %s: cannot write\n", json_path);
			return EXIT_BAD_INPUT;
		}
	}
	for (size_t i = 0; i < module_count; i++) {
		LLVMDisposeBinary(modules[i].binary);
		LLVMDisposeMemoryBuffer(modules[i].buffer);
	}
	return violation_count ? EXIT_VIOLATIONS : EXIT_CLEAN;
}
