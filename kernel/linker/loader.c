/* Loading crates: placement, symbol resolution, requests, rollback.
 *
 * A request (load by name, resolve by symbol) runs as one transaction:
 *   1. place: the requested crate, then every provider it needs, breadth
 *      first: check the image, allocate and fill its sections.  Exports of a
 *      placed crate have final addresses, so a cycle needs nothing special.
 *   2. link: resolve each placed crate's symbols and apply its relocations
 *      (reloc.c), recording every edge.
 *   3. protect every region with its final permissions (W^X).
 *   4. run inits, providers first.
 *   5. publish: the crates become LOADED.
 * Any error in any step unloads every crate of the transaction: nothing it
 * placed stays visible and all its memory returns to the env.
 */
#include "linker_internal.h"
#include <theseus/crate.h>

/* ---- bookkeeping memory ---------------------------------------------- */

void *meta_alloc_array(struct linker *l, uint64_t count, uint64_t elem)
{
	uint64_t bytes;
	if (count == 0 || !mul_u64(count, elem, &bytes) || bytes > SIZE_MAX)
		return NULL;
	void *p = l->env.alloc_meta(l->env.ctx, (size_t)bytes);
	if (p)
		memset(p, 0, (size_t)bytes);
	return p;
}

void meta_free_array(struct linker *l, void *p, uint64_t count, uint64_t elem)
{
	if (p)
		l->env.free_meta(l->env.ctx, p, (size_t)(count * elem));
}

static uint64_t now(const struct linker *l)
{
	return l->env.now ? l->env.now(l->env.ctx) : 0;
}

static void log_pieces(const struct linker *l, const char *const *pieces, size_t n)
{
	if (l->env.log)
		l->env.log(l->env.ctx, pieces, n);
}

static struct status out_of_memory(struct link_error *err, const char *crate)
{
	return link_fail(err, E_NOMEM, crate, "out of memory for linker records");
}

/* ---- freeing a crate ------------------------------------------------- */

static void free_region(struct linker *l, struct linker_region *r)
{
	if (r->size) {
		l->env.free_region(l->env.ctx, r);
		memset(r, 0, sizeof(*r));
	}
}

void crate_free(struct linker *l, struct loaded_crate *c)
{
	if (!c)
		return;
	if (c->mapped_event_sent && l->env.crate_event)
		l->env.crate_event(l->env.ctx, LINKER_CRATE_UNMAPPED, c->id, c->generation);
	for (uint32_t i = 0; i < c->region_count; i++)
		free_region(l, &c->regions[i]);
	free_region(l, &c->got);
	meta_free_array(l, c->regions, c->region_count, sizeof(*c->regions));
	meta_free_array(l, c->sections, c->section_count, sizeof(*c->sections));
	meta_free_array(l, c->section_of_shndx, c->elf.shnum, sizeof(uint32_t));
	meta_free_array(l, c->got_symbols, c->got_count, sizeof(uint32_t));
	meta_free_array(l, c->exports, c->export_count, sizeof(uint32_t));
	meta_free_array(l, c->resolved, c->elf.sym_count, sizeof(*c->resolved));
	meta_free_array(l, c->relocs, c->reloc_cap, sizeof(*c->relocs));
	meta_free_array(l, c->dependents, c->dependent_cap, sizeof(*c->dependents));
	meta_free_array(l, c->signatures.lines, c->signatures.count, sizeof(uint32_t));
	meta_free_array(l, c, 1, sizeof(*c));
}

/* Drop every reverse edge that crate `from` holds in other crates. */
void remove_reverse_edges(struct linker *l, uint32_t from)
{
	for (uint32_t i = 0; i < l->slot_count; i++) {
		struct loaded_crate *t = l->slots[i].crate;
		if (!t)
			continue;
		uint32_t kept = 0;
		for (uint32_t j = 0; j < t->dependent_count; j++)
			if (t->dependents[j].crate != from)
				t->dependents[kept++] = t->dependents[j];
		l->edges_version += kept != t->dependent_count;
		t->dependent_count = kept;
	}
}

/* ---- symbols of a placed crate ---------------------------------------- */

const char *linker_symbol_name(const struct loaded_crate *c, uint32_t index)
{
	if (!c || index >= c->elf.sym_count)
		return "";
	struct elf64_sym s;
	elf_view_sym(&c->elf, index, &s);
	return elf_view_sym_name(&c->elf, &s);
}

/* ---- exports --------------------------------------------------------- */

/* Exports sorted by name, for find_export's binary search. */
static int export_cmp(const void *a, const void *b, void *crate)
{
	const struct loaded_crate *c = crate;
	return strcmp(linker_symbol_name(c, *(const uint32_t *)a), linker_symbol_name(c, *(const uint32_t *)b));
}


static struct status build_exports(struct linker *l, struct loaded_crate *c,
                                   const struct elf_view *v, struct link_error *err)
{
	uint32_t n = 0;
	struct elf64_sym s;
	for (uint32_t pass = 0; pass < 2; pass++) {
		uint32_t k = 0;
		for (uint32_t i = v->first_global; i < v->sym_count; i++) {
			elf_view_sym(v, i, &s);
			if (!elf_sym_is_exported(&s))
				continue;
			if (pass)
				c->exports[k] = i;
			k++;
		}
		if (pass == 0) {
			n = k;
			if (n == 0)
				return STATUS_OK;
			c->exports = meta_alloc_array(l, n, sizeof(uint32_t));
			if (!c->exports)
				return out_of_memory(err, c->name);
			c->export_count = n;
		}
	}
	heap_sort(c->exports, n, sizeof *c->exports, export_cmp, c);
	return STATUS_OK;
}

uint32_t find_export(const struct loaded_crate *c, const char *name)
{
	uint32_t lo = 0, hi = c->export_count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(linker_symbol_name(c, c->exports[mid]), name);
		if (cmp == 0)
			return c->exports[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return LINKER_NO_SECTION;
}

/* Run address of a defined symbol of a placed crate.  False when it lives
 * in a section that is not loaded. */
bool symbol_address(const struct loaded_crate *c, uint32_t index,
                    uint64_t *address, uint32_t *section)
{
	struct elf64_sym s;
	memcpy(&s, c->elf.image + c->elf.symoff + (uint64_t)index * sizeof(s), sizeof(s));
	*section = LINKER_NO_SECTION;
	if (s.st_shndx == SHN_ABS) {
		*address = s.st_value;
		return true;
	}
	if (s.st_shndx == SHN_UNDEF || s.st_shndx >= c->elf.shnum)
		return false;
	uint32_t sec = c->section_of_shndx[s.st_shndx];
	if (sec == LINKER_NO_SECTION)
		return false;
	*address = c->sections[sec].vaddr + s.st_value;
	*section = sec;
	return true;
}

/* ---- .crate_info ----------------------------------------------------- */

/* A fixed-size text field: must hold a NUL inside it. */
static bool field_text(const uint8_t *field, size_t size, char *out, size_t out_size)
{
	size_t n = 0;
	while (n < size && field[n])
		n++;
	if (n == size || n >= out_size)
		return false;
	memcpy(out, field, n);
	out[n] = 0;
	return true;
}

static struct status read_crate_info(struct loaded_crate *c, const struct elf_view *v,
                                     struct link_error *err)
{
	uint32_t found = 0;
	struct elf64_shdr sh, info = {0};
	for (uint32_t i = 1; i < v->shnum; i++) {
		if (strcmp(elf_view_section_name(v, i), ".crate_info") != 0)
			continue;
		elf_view_shdr(v, i, &info);
		found++;
	}
	if (found != 1)
		return link_fail(err, E_BADELF, c->name, "need exactly one .crate_info section");
	sh = info;
	if (sh.sh_type != SHT_PROGBITS || sh.sh_size != sizeof(struct crate_info))
		return link_fail(err, E_BADELF, c->name, ".crate_info is not 384 bytes of data");
	const uint8_t *rec = v->image + sh.sh_offset;
	char name[33];
	if (memcmp(rec, CRATE_INFO_MAGIC, sizeof CRATE_INFO_MAGIC) != 0)
		return link_fail(err, E_BADELF, c->name, ".crate_info has a bad magic");
#define INFO_FIELD(f) rec + offsetof(struct crate_info, f), sizeof(((const struct crate_info *)0)->f)
	if (!field_text(INFO_FIELD(name), name, sizeof(name)) ||
	    !field_text(INFO_FIELD(init), c->init_name, sizeof(c->init_name)))
		return link_fail(err, E_BADELF, c->name, ".crate_info field not NUL-terminated");
	if (strcmp(name, c->name) != 0) {
		struct status s = link_fail(err, E_BADARCH, c->name,
		                            "archive name differs from .crate_info name ");
		link_error_append(err, name);
		return s;
	}
	return STATUS_OK;
}

/* The init function is found by name in the crate's own symbol table and
 * must lie inside one of its text sections. */
static struct status find_init(const struct linker *l, struct loaded_crate *c,
                               const struct elf_view *v, struct link_error *err)
{
	if (!c->init_name[0])
		return STATUS_OK;
	for (uint32_t i = 1; i < v->sym_count; i++) {
		struct elf64_sym s;
		elf_view_sym(v, i, &s);
		uint8_t type = ELF64_ST_TYPE(s.st_info);
		if (s.st_shndx == SHN_UNDEF || (type != STT_FUNC && type != STT_NOTYPE) ||
		    strcmp(elf_view_sym_name(v, &s), c->init_name) != 0)
			continue;
		uint64_t addr;
		uint32_t sec;
		if (!symbol_address(c, i, &addr, &sec) || sec == LINKER_NO_SECTION ||
		    c->sections[sec].kind != REGION_TEXT || s.st_value >= c->sections[sec].size)
			break;
		c->init_address = addr;
		/* Called as struct status NAME(void): it must be that. */
		return linker_check_call_type(l, c->id, c->init_name, "linker_call_type_status_void", err);
	}
	struct status st = link_fail(err, E_NOENT, c->name,
	                             "init function not found in the crate's text");
	link_error_set_symbol(err, c->init_name);
	return st;
}

/* ---- type signatures -------------------------------------------------- */

static void *sig_alloc(void *ctx, size_t size)
{
	return meta_alloc_array(ctx, size, 1);
}

/* The crate's signature record: every checked compile leaves one, so a
 * stamped crate without it was stamped by something else than the build. */
static struct status read_signatures(struct linker *l, struct loaded_crate *c,
                                     const struct elf_view *v, struct link_error *err)
{
	struct elf64_shdr sh;
	uint32_t found = 0;
	for (uint32_t i = 1; i < v->shnum; i++) {
		if (strcmp(elf_view_section_name(v, i), SIG_SECTION) != 0)
			continue;
		elf_view_shdr(v, i, &sh);
		found++;
	}
	if (found != 1 || sh.sh_type != SHT_PROGBITS)
		return link_fail(err, E_BADELF, c->name,
		                 "need exactly one theseus_safec section (the checker's verdict and signatures)");
	const char *why = sig_index_build(&c->signatures, (const char *)v->image + sh.sh_offset,
	                                  sh.sh_size, sig_alloc, l);
	if (why)
		return link_fail(err, E_BADELF, c->name, why);
	if (c->signatures.headers == 0)
		return link_fail(err, E_BADELF, c->name, "theseus_safec holds no verdict of the checker");
	return STATUS_OK;
}

/* ---- placement ------------------------------------------------------- */

static enum region_kind kind_of(const struct elf64_shdr *sh)
{
	if (sh->sh_flags & SHF_EXECINSTR)
		return REGION_TEXT;
	if (sh->sh_flags & SHF_WRITE)
		return sh->sh_type == SHT_NOBITS ? REGION_BSS : REGION_DATA;
	return REGION_RODATA;
}

/* Decide regions and each section's offset in its region (kept in vaddr
 * until the regions exist). */
static struct status plan_regions(struct linker *l, struct loaded_crate *c,
                                  uint64_t *region_size, uint64_t *region_align,
                                  uint32_t region_cap, struct link_error *err)
{
	uint32_t region_of_kind[REGION_KIND_COUNT];
	for (int k = 0; k < REGION_KIND_COUNT; k++)
		region_of_kind[k] = LINKER_NO_SECTION;
	c->region_count = 0;
	for (uint32_t i = 0; i < c->section_count; i++) {
		struct crate_section *s = &c->sections[i];
		s->region = LINKER_NO_SECTION;
		if (s->size == 0)
			continue;
		uint32_t r;
		if (l->pack_sections) {
			r = region_of_kind[s->kind];
			if (r == LINKER_NO_SECTION) {
				r = region_of_kind[s->kind] = c->region_count++;
				region_size[r] = 0;
				region_align[r] = 1;
			}
		} else {
			r = c->region_count++;
			region_size[r] = 0;
			region_align[r] = 1;
		}
		if (r >= region_cap)
			return link_fail(err, E_BADELF, c->name, "too many regions");
		uint64_t off, end;
		if (!align_up_u64(region_size[r], s->align, &off) || !add_u64(off, s->size, &end))
			return link_fail(err, E_BADELF, c->name, "crate sections too large");
		s->region = r;
		s->vaddr = off;
		region_size[r] = end;
		if (s->align > region_align[r])
			region_align[r] = s->align;
	}
	return STATUS_OK;
}

static struct status place_sections(struct linker *l, struct loaded_crate *c,
                                    const struct elf_view *v, struct link_error *err)
{
	struct elf64_shdr sh;
	uint32_t n = 0;
	for (uint32_t i = 1; i < v->shnum; i++) {
		elf_view_shdr(v, i, &sh);
		if (sh.sh_flags & SHF_ALLOC)
			n++;
	}
	c->section_of_shndx = meta_alloc_array(l, v->shnum, sizeof(uint32_t));
	if (!c->section_of_shndx)
		return out_of_memory(err, c->name);
	for (uint32_t i = 0; i < v->shnum; i++)
		c->section_of_shndx[i] = LINKER_NO_SECTION;
	if (n == 0)
		return STATUS_OK;
	c->sections = meta_alloc_array(l, n, sizeof(*c->sections));
	if (!c->sections)
		return out_of_memory(err, c->name);
	c->section_count = n;
	uint32_t k = 0;
	for (uint32_t i = 1; i < v->shnum; i++) {
		elf_view_shdr(v, i, &sh);
		if (!(sh.sh_flags & SHF_ALLOC))
			continue;
		struct crate_section *s = &c->sections[k];
		s->name = elf_view_section_name(v, i);
		s->shndx = i;
		s->kind = kind_of(&sh);
		s->size = sh.sh_size;
		s->align = sh.sh_addralign ? sh.sh_addralign : 1;
		c->section_of_shndx[i] = k++;
	}

	/* Sizes and alignments per region: at most one region per section. */
	uint64_t *size = meta_alloc_array(l, n, sizeof(uint64_t));
	uint64_t *align = meta_alloc_array(l, n, sizeof(uint64_t));
	struct status st = STATUS_OK;
	if (!size || !align) {
		st = out_of_memory(err, c->name);
		goto out;
	}
	st = plan_regions(l, c, size, align, n, err);
	if (!status_ok(st))
		c->region_count = 0; /* counted, none allocated: nothing for crate_free */
	if (!status_ok(st) || c->region_count == 0)
		goto out;
	/* A per-crate memory limit: one crate's sections (a huge .bss, say)
	 * must not take what every other crate needs. */
	uint64_t total = 0;
	for (uint32_t r = 0; r < c->region_count; r++)
		if (!add_u64(total, size[r], &total))
			total = UINT64_MAX;
	if (l->crate_memory_limit && total > l->crate_memory_limit) {
		st = link_fail(err, E_NOMEM, c->name, "the crate needs ");
		link_error_append_u64(err, total, 0);
		link_error_append(err, " bytes of memory, more than the per-crate limit of ");
		link_error_append_u64(err, l->crate_memory_limit, 0);
		link_error_append(err, " (crate_mem_limit=)");
		c->region_count = 0; /* none allocated: nothing for crate_free */
		goto out;
	}
	c->regions = meta_alloc_array(l, c->region_count, sizeof(*c->regions));
	if (!c->regions) {
		c->region_count = 0;
		st = out_of_memory(err, c->name);
		goto out;
	}
	/* Kinds of regions come from their first section. */
	for (uint32_t r = 0; r < c->region_count; r++) {
		enum region_kind kind = REGION_RODATA;
		for (uint32_t i = 0; i < n; i++)
			if (c->sections[i].region == r) {
				kind = c->sections[i].kind;
				break;
			}
		struct linker_region out = {0};
		st = l->env.alloc_region(l->env.ctx, size[r], align[r], kind, &out);
		if (!status_ok(st) || !out.write || (out.vaddr & (align[r] - 1))) {
			if (status_ok(st))
				l->env.free_region(l->env.ctx, &out);
			st = link_fail(err, status_ok(st) ? E_INVAL : st.err, c->name,
			               "crate memory allocation failed");
			goto out;
		}
		out.size = size[r];
		out.kind = kind;
		c->regions[r] = out;
		/* Zero padding between sections too: loaded bytes are deterministic. */
		memset(out.write, 0, (size_t)out.size);
	}
	for (uint32_t i = 0; i < n; i++) {
		struct crate_section *s = &c->sections[i];
		if (s->region == LINKER_NO_SECTION) {
			s->vaddr = 0;
			continue;
		}
		struct linker_region *r = &c->regions[s->region];
		uint64_t off = s->vaddr;
		s->vaddr = r->vaddr + off;
		s->write = r->write + off;
		c->size_of_kind[s->kind] += s->size;
		if (s->kind == REGION_BSS && strcmp(s->name, LINKER_SCRATCH_SECTION) == 0)
			c->scratch_size += s->size;
		elf_view_shdr(v, s->shndx, &sh);
		if (sh.sh_type != SHT_NOBITS)
			memcpy(s->write, v->image + sh.sh_offset, (size_t)s->size);
	}
out:
	meta_free_array(l, size, n, sizeof(uint64_t));
	meta_free_array(l, align, n, sizeof(uint64_t));
	return st;
}

/* Place crate `id`: check, allocate, copy.  The crate record hangs off its
 * slot from the first allocation on, so rollback finds whatever was made. */
static struct status place_crate(struct linker *l, uint32_t id, struct link_error *err)
{
	struct crate_slot *slot = &l->slots[id];
	struct archive_crate ac;
	if (!linker_crate_entry(l, id, &ac))
		return link_fail(err, E_NOENT, "", "no such crate");
	uint64_t object_size = ac.elf_size;
	bool unchecked = false;
	const uint8_t *image = slot_attested_image(l, id, &object_size, &unchecked, err);
	if (!image)
		return STATUS(err ? err->code : E_PERM);
	struct elf_view v;
	struct status st = elf_view_open(&v, image, object_size, ac.name, err);
	if (!status_ok(st))
		return st;

	struct loaded_crate *c = meta_alloc_array(l, 1, sizeof(*c));
	if (!c)
		return out_of_memory(err, ac.name);
	c->elf = v;
	slot->crate = c;
	slot->state = CRATE_LINKING;
	c->id = id;
	c->generation = slot->generation;
	c->name = ac.name;
	c->version = ac.version;
	c->unchecked = unchecked;
	c->reason_crate = slot->reason_crate;
	c->reason_symbol = slot->reason_symbol;

	st = read_crate_info(c, &v, err);
	if (status_ok(st) && l->attest_key && !unchecked)
		st = read_signatures(l, c, &v, err);
	if (status_ok(st))
		st = place_sections(l, c, &v, err);
	if (status_ok(st))
		st = find_init(l, c, &v, err);
	if (status_ok(st))
		st = build_exports(l, c, &v, err);
	if (status_ok(st)) {
		c->resolved = meta_alloc_array(l, c->elf.sym_count, sizeof(*c->resolved));
		if (!c->resolved)
			st = out_of_memory(err, c->name);
	}
	return st;
}

/* ---- missing and private symbols ------------------------------------- */

/* Explain why `name` resolves nowhere: private to some crate (E_PERM),
 * exported only by an alternative (E_NOENT), or absent (E_NOENT). */
struct status missing_symbol(struct linker *l, const char *requester,
                             const char *name, struct link_error *err)
{
	const struct archive *a = &l->archive;
	for (uint32_t i = 0; i < a->crate_count; i++) {
		struct archive_crate ac = archive_crate_at(a, i);
		struct elf_view v;
		if (!status_ok(elf_view_open(&v, a->base + ac.elf_off, ac.elf_size, ac.name, NULL)))
			continue;
		for (uint32_t k = 1; k < v.sym_count; k++) {
			struct elf64_sym s;
			elf_view_sym(&v, k, &s);
			if (s.st_shndx == SHN_UNDEF || strcmp(elf_view_sym_name(&v, &s), name) != 0)
				continue;
			struct status st;
			if (elf_sym_is_exported(&s) && archive_crate_exports(a, i, name)) {
				st = link_fail(err, E_NOENT, requester,
				               "exported only by alternative crate ");
			} else {
				st = link_fail(err, E_PERM, requester,
				               "symbol is private (hidden, local or not exported) to crate ");
			}
			link_error_append(err, ac.name);
			link_error_set_symbol(err, name);
			return st;
		}
	}
	struct status st = link_fail(err, E_NOENT, requester,
	                             "undefined symbol: no crate and not the nano-core exports it");
	link_error_set_symbol(err, name);
	return st;
}

/* ---- transactions ---------------------------------------------------- */

struct txn {
	uint32_t *ids; /* crates placed or queued, in discovery order */
	uint32_t count;
	uint32_t cap;
};

static int kernel_symbol(const struct linker *l, const char *name, uint64_t *address)
{
	return l->env.kernel_symbol && l->env.kernel_symbol(l->env.ctx, name, address);
}

/* Queue the providers of c's undefined symbols that are not loaded yet. */
static struct status queue_imports(struct linker *l, struct txn *t,
                                   struct loaded_crate *c, struct link_error *err)
{
	for (uint32_t i = c->elf.first_global; i < c->elf.sym_count; i++) {
		struct elf64_sym s;
		memcpy(&s, c->elf.image + c->elf.symoff + (uint64_t)i * sizeof(s), sizeof(s));
		if (s.st_shndx != SHN_UNDEF)
			continue;
		const char *name = c->elf.strtab + s.st_name;
		uint64_t addr;
		if (!name[0])
			return link_fail(err, E_BADELF, c->name, "undefined symbol without a name");
		if (kernel_symbol(l, name, &addr))
			continue;
		uint32_t p = import_provider(l, name, NULL);
		if (p == ARCHIVE_NO_CRATE) {
			if (ELF64_ST_BIND(s.st_info) == STB_WEAK)
				continue; /* weak undefined: resolves to 0 */
			return missing_symbol(l, c->name, name, err);
		}
		struct crate_slot *ps = &l->slots[p];
		if (ps->state != CRATE_ABSENT)
			continue;
		if (t->count >= t->cap)
			return link_fail(err, E_INVAL, c->name, "transaction overflow");
		ps->state = CRATE_QUEUED;
		ps->reason_crate = c->id;
		ps->reason_symbol = name;
		t->ids[t->count++] = p;
	}
	return STATUS_OK;
}

static void rollback(struct linker *l, struct txn *t)
{
	for (uint32_t i = t->count; i-- > 0;) {
		struct crate_slot *s = &l->slots[t->ids[i]];
		if (s->crate)
			remove_reverse_edges(l, t->ids[i]);
	}
	for (uint32_t i = t->count; i-- > 0;) {
		struct crate_slot *s = &l->slots[t->ids[i]];
		crate_free(l, s->crate);
		s->crate = NULL;
		s->state = CRATE_ABSENT;
		s->generation++;
		s->reason_crate = LINKER_NO_CRATE;
		s->reason_symbol = NULL;
	}
	t->count = 0;
}

/* Providers before dependents (depth-first post-order over the request's
 * crates; a cycle is cut where it closes). */
static struct status init_order(struct linker *l, struct txn *t, uint32_t *order,
                                struct link_error *err)
{
	uint8_t *seen = meta_alloc_array(l, l->slot_count, 1);
	uint32_t *stack = meta_alloc_array(l, t->count, sizeof(uint32_t));
	uint32_t *cursor = meta_alloc_array(l, t->count, sizeof(uint32_t));
	uint32_t n = 0;
	struct status st = STATUS_OK;
	if (!seen || !stack || !cursor) {
		st = out_of_memory(err, "");
		goto out;
	}
	for (uint32_t r = 0; r < t->count; r++) {
		if (seen[t->ids[r]])
			continue;
		uint32_t depth = 0;
		stack[depth] = t->ids[r];
		cursor[depth++] = 0;
		seen[t->ids[r]] = 1;
		while (depth) {
			struct loaded_crate *c = l->slots[stack[depth - 1]].crate;
			uint32_t *cur = &cursor[depth - 1];
			uint32_t next = LINKER_NO_CRATE;
			while (*cur < c->reloc_count && next == LINKER_NO_CRATE) {
				uint32_t target = c->relocs[(*cur)++].target_crate;
				if (target < l->slot_count && !seen[target] &&
				    l->slots[target].state == CRATE_LINKING)
					next = target;
			}
			if (next != LINKER_NO_CRATE) {
				seen[next] = 1;
				stack[depth] = next;
				cursor[depth++] = 0;
			} else {
				order[n++] = stack[--depth];
			}
		}
	}
out:
	meta_free_array(l, seen, l->slot_count, 1);
	meta_free_array(l, stack, t->count, sizeof(uint32_t));
	meta_free_array(l, cursor, t->count, sizeof(uint32_t));
	return st;
}

static struct status protect_crate(struct linker *l, struct loaded_crate *c,
                                   struct link_error *err)
{
	for (uint32_t r = 0; r <= c->region_count; r++) {
		struct linker_region *reg = r < c->region_count ? &c->regions[r] : &c->got;
		if (!reg->size)
			continue;
		struct status st = l->env.protect_region(l->env.ctx, reg);
		if (!status_ok(st))
			return link_fail(err, st.err, c->name, "setting final page permissions failed");
	}
	return STATUS_OK;
}

/* Run c's init (if it has one), timed into its load time. */
static struct status run_init(struct linker *l, struct loaded_crate *c, struct link_error *err)
{
	if (!l->env.call_init || !c->init_address)
		return STATUS_OK;
	uint64_t t0 = now(l);
	struct status r = l->env.call_init(l->env.ctx, c->init_address);
	c->load_time += now(l) - t0;
	if (status_ok(r))
		return r;
	struct status st = link_fail(err, r.err, c->name, "init function failed: ");
	link_error_append(err, c->init_name);
	link_error_set_symbol(err, c->init_name);
	return st;
}

/* Every init of the request, providers first; a prepared root's waits. */
static struct status run_inits(struct linker *l, struct txn *t, bool skip_root, struct link_error *err)
{
	if (!l->env.call_init)
		return STATUS_OK;
	uint32_t *order = meta_alloc_array(l, t->count, sizeof(uint32_t));
	if (!order)
		return out_of_memory(err, "");
	struct status st = init_order(l, t, order, err);
	for (uint32_t i = 0; status_ok(st) && i < t->count; i++)
		if (!(skip_root && order[i] == t->ids[0]))
			st = run_init(l, l->slots[order[i]].crate, err);
	meta_free_array(l, order, t->count, sizeof(uint32_t));
	return st;
}

static void log_loaded(const struct linker *l, const struct loaded_crate *c)
{
	char text[24], data[24], relocs[24];
	struct archive_crate by;
	const char *reason_crate = linker_crate_entry(l, c->reason_crate, &by) ? by.name : NULL;
	const char *pieces[16];
	size_t n = 0;
	pieces[n++] = "linker: loaded ";
	pieces[n++] = c->name;
	pieces[n++] = " ";
	pieces[n++] = c->version;
	if (reason_crate) {
		pieces[n++] = " (needed by ";
		pieces[n++] = reason_crate;
		pieces[n++] = " for ";
		pieces[n++] = c->reason_symbol;
		pieces[n++] = ")";
	} else if (c->reason_symbol) {
		pieces[n++] = " (explicit request for symbol ";
		pieces[n++] = c->reason_symbol;
		pieces[n++] = ")";
	} else {
		pieces[n++] = " (explicit request)";
	}
	pieces[n++] = " text ";
	pieces[n++] = format_u64(text, c->size_of_kind[REGION_TEXT], 0);
	pieces[n++] = " data+bss ";
	pieces[n++] = format_u64(data, c->size_of_kind[REGION_DATA] + c->size_of_kind[REGION_BSS], 0);
	pieces[n++] = " relocs ";
	pieces[n++] = format_u64(relocs, c->reloc_count, 0);
	log_pieces(l, pieces, n);
}

/* Load crate `id` and everything it needs, all or nothing. */
struct status run_request(struct linker *l, uint32_t id, const char *reason_symbol, bool prepare,
                          struct link_error *err)
{
	struct txn t = {0};
	if (l->slots[id].state == CRATE_PREPARED)
		return link_fail(err, E_BUSY, l->slots[id].crate->name, "prepared for a swap in progress");
	t.cap = l->slot_count;
	t.ids = meta_alloc_array(l, t.cap, sizeof(uint32_t));
	if (!t.ids) {
		struct archive_crate ac;
		return out_of_memory(err, linker_crate_entry(l, id, &ac) ? ac.name : "");
	}
	l->busy = 1;
	struct crate_slot *root = &l->slots[id];
	root->state = CRATE_QUEUED;
	root->reason_crate = LINKER_NO_CRATE;
	root->reason_symbol = reason_symbol;
	t.ids[t.count++] = id;

	struct status st = STATUS_OK;
	for (uint32_t i = 0; status_ok(st) && i < t.count; i++) {
		uint64_t t0 = now(l);
		st = place_crate(l, t.ids[i], err);
		if (status_ok(st))
			st = queue_imports(l, &t, l->slots[t.ids[i]].crate, err);
		if (l->slots[t.ids[i]].crate)
			l->slots[t.ids[i]].crate->load_time += now(l) - t0;
	}
	for (uint32_t i = 0; status_ok(st) && i < t.count; i++) {
		struct loaded_crate *c = l->slots[t.ids[i]].crate;
		uint64_t t0 = now(l);
		st = link_crate(l, c, err);
		c->load_time += now(l) - t0;
	}
	/* A prepared root's init waits for the swap: a crate of the request
	 * that imports from it would run its own init first. */
	if (status_ok(st) && prepare && root->crate->dependent_count)
		st = link_fail(err, E_INVAL, root->crate->name, "in an import cycle: it cannot be prepared apart");
	for (uint32_t i = 0; status_ok(st) && i < t.count; i++)
		st = protect_crate(l, l->slots[t.ids[i]].crate, err);
	/* Before the inits, so that a debugger can stop in one. */
	for (uint32_t i = 0; status_ok(st) && l->env.crate_event && i < t.count; i++) {
		struct loaded_crate *c = l->slots[t.ids[i]].crate;
		c->mapped_event_sent = true;
		l->env.crate_event(l->env.ctx, LINKER_CRATE_MAPPED, c->id, c->generation);
	}
	if (status_ok(st))
		st = run_inits(l, &t, prepare, err);

	if (status_ok(st)) {
		for (uint32_t i = 0; i < t.count; i++) {
			if (prepare && i == 0) {
				root->state = CRATE_PREPARED;
				continue;
			}
			l->slots[t.ids[i]].state = CRATE_LOADED;
			log_loaded(l, l->slots[t.ids[i]].crate);
		}
	} else {
		const char *pieces[2] = {"linker: request failed, unloading its crates: ",
		                         err ? err->reason : ""};
		log_pieces(l, pieces, 2);
		rollback(l, &t);
	}
	meta_free_array(l, t.ids, t.cap, sizeof(uint32_t));
	l->busy = 0;
	return st;
}

struct status finish_prepared(struct linker *l, uint32_t id, struct link_error *err)
{
	struct crate_slot *slot = &l->slots[id];
	l->busy = 1; /* as in any request: the init cannot start another */
	struct status st = run_init(l, slot->crate, err);
	l->busy = 0;
	if (!status_ok(st)) {
		drop_crate(l, id, false);
		return st;
	}
	slot->state = CRATE_LOADED;
	log_loaded(l, slot->crate);
	return STATUS_OK;
}
