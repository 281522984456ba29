/* Symbol resolution and x86_64 relocation for one placed crate.
 *
 * Three passes over the crate's RELA sections:
 *   1. check each relocation (type, symbol, field inside its section) and
 *      decide how GOT-relative ones are written;
 *   2. build the crate's GOT for the ones that keep a GOT slot;
 *   3. write every field, refusing any value that does not fit.
 * GOTPCRELX relaxation follows ld.lld (same rewrites, same conditions), so
 * the ld.lld oracle can compare loaded bytes one for one.  GOT slots are
 * ordered as ld.lld orders them for a one-object link: global symbols in
 * symbol-table order, then local ones.
 */
#include "linker_internal.h"

#define GOT_NEEDED (UINT32_MAX - 1)

static struct status reloc_fail(struct link_error *err, enum kerr code,
                                const struct loaded_crate *c,
                                const struct crate_section *s, uint64_t offset,
                                uint32_t type, uint32_t sym, const char *reason)
{
	struct status st = link_fail(err, code, c->name, reason);
	link_error_set_symbol(err, linker_symbol_name(c, sym));
	link_error_set_reloc(err, s->name, offset, type);
	return st;
}

/* ---- symbols --------------------------------------------------------- */

/* An import must have the type its provider defines (signature.h): a crate
 * cannot declare another crate's or the nano-core's function with another
 * prototype, or a struct it passes with another layout. Compiler-made
 * calls (a struct copy becomes memcpy) have no declaration in the source,
 * hence no line of the importer: those few names are taken as they are. */
static bool compiler_runtime(const char *name)
{
	return !strcmp(name, "memcpy") || !strcmp(name, "memset") || !strcmp(name, "memmove") ||
	       !strcmp(name, "memcmp");
}

struct status check_import_signature(const struct linker *l, const struct loaded_crate *c,
                                     const char *name, const struct sig_index *provider,
                                     const char *provider_name, struct link_error *err)
{
	if (!l->attest_key || c->unchecked || !provider)
		return STATUS_OK;
	struct sig_entry ref, def;
	const char *why = NULL;
	if (!sig_lookup(&c->signatures, false, name, &ref)) {
		if (compiler_runtime(name))
			return STATUS_OK;
		why = "the importer's checked record has no signature for it";
	} else if (!sig_lookup(provider, true, name, &def)) {
		why = "the provider's record has no signature for it: ";
	} else {
		why = sig_mismatch(&ref, &def);
	}
	if (!why)
		return STATUS_OK;
	struct status st = link_fail(err, E_PERM, c->name, "type signature of an import does not match ");
	link_error_append(err, provider_name);
	link_error_append(err, ": ");
	link_error_append(err, why);
	link_error_set_symbol(err, name);
	return st;
}

static struct status resolve_symbols(struct linker *l, struct loaded_crate *c,
                                     struct link_error *err)
{
	for (uint32_t i = 1; i < c->elf.sym_count; i++) {
		struct elf64_sym s;
		memcpy(&s, c->elf.image + c->elf.symoff + (uint64_t)i * sizeof(s), sizeof(s));
		struct resolved_symbol *r = &c->resolved[i];
		const char *name = c->elf.strtab + s.st_name;
		*r = (struct resolved_symbol){0, LINKER_NO_CRATE, LINKER_NO_SECTION};
		if (s.st_shndx == SHN_ABS) {
			r->address = s.st_value;
			continue;
		}
		if (s.st_shndx != SHN_UNDEF) {
			r->crate = c->id;
			if (!symbol_address(c, i, &r->address, &r->section))
				r->section = LINKER_NO_SECTION; /* in a section not loaded */
			continue;
		}
		if (ELF64_ST_BIND(s.st_info) == STB_LOCAL) {
			struct status st = link_fail(err, E_BADELF, c->name, "undefined local symbol");
			link_error_set_symbol(err, name);
			return st;
		}
		if (l->env.kernel_symbol && l->env.kernel_symbol(l->env.ctx, name, &r->address)) {
			r->crate = LINKER_KERNEL_CRATE;
			struct status st = check_import_signature(
				l, c, name, l->kernel_signatures.count ? &l->kernel_signatures : NULL,
				"the nano-core", err);
			if (!status_ok(st))
				return st;
			continue;
		}
		uint32_t p = import_provider(l, name, NULL);
		if (p == ARCHIVE_NO_CRATE) {
			if (ELF64_ST_BIND(s.st_info) == STB_WEAK)
				continue;
			return missing_symbol(l, c->name, name, err);
		}
		const struct loaded_crate *pc = l->slots[p].crate;
		uint32_t ex = pc ? find_export(pc, name) : LINKER_NO_SECTION;
		if (ex == LINKER_NO_SECTION || !symbol_address(pc, ex, &r->address, &r->section)) {
			struct status st = link_fail(err, E_BADARCH, c->name,
			                             "archive index names a provider that does not export it: ");
			struct archive_crate ac;
			link_error_append(err, linker_crate_entry(l, p, &ac) ? ac.name : "?");
			link_error_set_symbol(err, name);
			return st;
		}
		r->crate = p;
		struct status st = check_import_signature(l, c, name, pc->unchecked ? NULL : &pc->signatures,
		                                          pc->name, err);
		if (!status_ok(st))
			return st;
	}
	return STATUS_OK;
}

/* ---- pass 1: check and decide ---------------------------------------- */

static uint32_t field_width(uint32_t type)
{
	switch (type) {
	case R_X86_64_64:
	case R_X86_64_PC64:
		return 8;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_GOTPCREL:
	case R_X86_64_GOTPCRELX:
	case R_X86_64_REX_GOTPCRELX:
		return 4;
	default:
		return 0;
	}
}

static bool is_got_type(uint32_t type)
{
	return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
	       type == R_X86_64_REX_GOTPCRELX;
}

/* How ld.lld (static, non-PIC) writes a GOT-relative relocation: relaxed
 * to a direct form when the instruction allows it and the value fits,
 * through a GOT slot otherwise.  Absolute and weak-undefined targets keep
 * the GOT, as in ld.lld. */
static enum reloc_form got_form(const struct crate_section *s,
                                const struct reloc_record *rec,
                                const struct resolved_symbol *res)
{
	if (rec->type == R_X86_64_GOTPCREL || rec->addend != -4 ||
	    res->crate == LINKER_NO_CRATE || rec->offset < 2)
		return RELOC_VIA_GOT;
	const uint8_t *loc = s->write + rec->offset;
	uint8_t op = loc[-2], modrm = loc[-1];
	uint64_t pcrel = res->address + (uint64_t)rec->addend - (s->vaddr + rec->offset);
	if (op == 0x8b)
		return fits_int32(pcrel) ? RELOC_RELAXED_LEA : RELOC_VIA_GOT;
	if (op == 0xff && modrm == 0x15)
		return fits_int32(pcrel) ? RELOC_RELAXED_CALL : RELOC_VIA_GOT;
	if (op == 0xff && modrm == 0x25)
		return fits_int32(pcrel) && fits_int32(pcrel + 1) ? RELOC_RELAXED_JMP
		                                                 : RELOC_VIA_GOT;
	if (rec->type != R_X86_64_REX_GOTPCRELX || rec->offset < 3 || (loc[-3] & 0xf0) != 0x40)
		return RELOC_VIA_GOT;
	/* test, or one of add/or/adc/sbb/and/sub/xor/cmp r64, r/m64: becomes an
	 * instruction with a sign-extended 32-bit immediate. */
	if ((op == 0x85 || (op & 0xc7) == 0x03) &&
	    fits_int32(res->address + (uint64_t)rec->addend + 4))
		return RELOC_RELAXED_IMM;
	return RELOC_VIA_GOT;
}

static bool section_has_contents(const struct loaded_crate *c, const struct crate_section *s)
{
	struct elf64_shdr sh;
	elf_view_shdr(&c->elf, s->shndx, &sh);
	return sh.sh_type != SHT_NOBITS && s->write;
}

static struct status collect_relocs(struct linker *l, struct loaded_crate *c,
                                    struct link_error *err)
{
	const struct elf_view *v = &c->elf;
	struct elf64_shdr sh;
	uint64_t total = 0;
	for (uint32_t i = 1; i < c->elf.shnum; i++) {
		elf_view_shdr(v, i, &sh);
		if (sh.sh_type == SHT_RELA && c->section_of_shndx[sh.sh_info] != LINKER_NO_SECTION)
			total += sh.sh_size / sizeof(struct elf64_rela);
	}
	if (total > UINT32_MAX)
		return link_fail(err, E_BADELF, c->name, "too many relocations");
	if (total == 0)
		return STATUS_OK;
	c->relocs = meta_alloc_array(l, total, sizeof(*c->relocs));
	if (!c->relocs)
		return link_fail(err, E_NOMEM, c->name, "out of memory for relocation records");
	c->reloc_cap = (uint32_t)total;

	for (uint32_t i = 1; i < c->elf.shnum; i++) {
		elf_view_shdr(v, i, &sh);
		if (sh.sh_type != SHT_RELA)
			continue;
		uint32_t sec = c->section_of_shndx[sh.sh_info];
		if (sec == LINKER_NO_SECTION)
			continue; /* patches a section that is not loaded (debug info) */
		const struct crate_section *s = &c->sections[sec];
		uint64_t n = sh.sh_size / sizeof(struct elf64_rela);
		for (uint64_t k = 0; k < n; k++) {
			struct elf64_rela r;
			elf_view_rela(v, &sh, k, &r);
			uint32_t type = ELF64_R_TYPE(r.r_info), sym = ELF64_R_SYM(r.r_info);
			if (sym >= c->elf.sym_count)
				return reloc_fail(err, E_BADELF, c, s, r.r_offset, type, 0,
				                  "relocation symbol index out of range");
			if (type == R_X86_64_NONE)
				continue;
			/* Symbol 0 (STN_UNDEF) stands for no symbol: its value 0
			 * would send the field to address 0. */
			if (sym == 0)
				return reloc_fail(err, E_BADELF, c, s, r.r_offset, type, 0,
				                  "relocation against symbol 0 (STN_UNDEF)");
			uint32_t width = field_width(type);
			if (width == 0) {
				struct status st = reloc_fail(err, E_NOSYS, c, s, r.r_offset, type, sym,
				                              "unsupported relocation type ");
				link_error_append_u64(err, type, 0);
				return st;
			}
			if (!section_has_contents(c, s) || !range_ok(r.r_offset, width, s->size))
				return reloc_fail(err, E_BADELF, c, s, r.r_offset, type, sym,
				                  "relocation field outside its section's contents");
			const struct resolved_symbol *res = &c->resolved[sym];
			if (res->crate == c->id && res->section == LINKER_NO_SECTION)
				return reloc_fail(err, E_BADELF, c, s, r.r_offset, type, sym,
				                  "relocation against a symbol in a section that is not loaded");
			struct reloc_record *rec = &c->relocs[c->reloc_count++];
			*rec = (struct reloc_record){
				.offset = r.r_offset,
				.addend = r.r_addend,
				.section = sec,
				.symbol = sym,
				.type = type,
				.form = RELOC_DIRECT,
				.target_crate = res->crate,
				.target_section = res->section,
				.got_slot = LINKER_NO_SECTION,
			};
			if (is_got_type(type))
				rec->form = got_form(s, rec, res);
		}
	}
	return STATUS_OK;
}

/* ---- pass 2: the GOT ------------------------------------------------- */

static struct status build_got(struct linker *l, struct loaded_crate *c,
                               struct link_error *err)
{
	uint32_t needed = 0;
	for (uint32_t i = 0; i < c->reloc_count; i++)
		if (c->relocs[i].form == RELOC_VIA_GOT)
			needed++;
	if (needed == 0)
		return STATUS_OK;
	uint32_t *slot_of = meta_alloc_array(l, c->elf.sym_count, sizeof(uint32_t));
	if (!slot_of)
		return link_fail(err, E_NOMEM, c->name, "out of memory for the GOT");
	for (uint32_t i = 0; i < c->elf.sym_count; i++)
		slot_of[i] = LINKER_NO_SECTION;
	for (uint32_t i = 0; i < c->reloc_count; i++)
		if (c->relocs[i].form == RELOC_VIA_GOT)
			slot_of[c->relocs[i].symbol] = GOT_NEEDED;
	uint32_t count = 0;
	for (uint32_t pass = 0; pass < 2; pass++) {
		uint32_t from = pass ? 0 : c->elf.first_global;
		uint32_t to = pass ? c->elf.first_global : c->elf.sym_count;
		for (uint32_t i = from; i < to; i++)
			if (slot_of[i] == GOT_NEEDED)
				slot_of[i] = count++;
	}
	struct status st = STATUS_OK;
	c->got_symbols = meta_alloc_array(l, count, sizeof(uint32_t));
	if (!c->got_symbols) {
		st = link_fail(err, E_NOMEM, c->name, "out of memory for the GOT");
		goto out;
	}
	c->got_count = count;
	struct linker_region got = {0};
	st = l->env.alloc_region(l->env.ctx, (uint64_t)count * 8, 8, REGION_RODATA, &got);
	if (!status_ok(st) || !got.write || (got.vaddr & 7)) {
		if (status_ok(st))
			l->env.free_region(l->env.ctx, &got);
		st = link_fail(err, status_ok(st) ? E_INVAL : st.err, c->name,
		               "GOT allocation failed");
		goto out;
	}
	got.size = (uint64_t)count * 8;
	got.kind = REGION_RODATA;
	c->got = got;
	for (uint32_t i = 0; i < c->elf.sym_count; i++) {
		if (slot_of[i] >= count)
			continue;
		c->got_symbols[slot_of[i]] = i;
		wr64(got.write + (uint64_t)slot_of[i] * 8, c->resolved[i].address);
	}
	for (uint32_t i = 0; i < c->reloc_count; i++)
		if (c->relocs[i].form == RELOC_VIA_GOT)
			c->relocs[i].got_slot = slot_of[c->relocs[i].symbol];
out:
	meta_free_array(l, slot_of, c->elf.sym_count, sizeof(uint32_t));
	return st;
}

/* ---- pass 3: write --------------------------------------------------- */

struct status reloc_apply(const struct loaded_crate *c, const struct reloc_record *rec,
                               struct link_error *err)
{
	const struct crate_section *s = &c->sections[rec->section];
	uint8_t *loc = s->write + rec->offset;
	uint64_t S = c->resolved[rec->symbol].address;
	uint64_t A = (uint64_t)rec->addend;
	uint64_t P = s->vaddr + rec->offset;
	uint64_t v;
	const char *overflow = NULL;

	switch (rec->form) {
	case RELOC_DIRECT:
		break;
	case RELOC_VIA_GOT:
		v = c->got.vaddr + (uint64_t)rec->got_slot * 8 + A - P;
		if (!fits_int32(v))
			return reloc_fail(err, E_RANGE, c, s, rec->offset, rec->type, rec->symbol,
			                  "GOT slot out of 32-bit PC-relative range");
		wr32(loc, (uint32_t)v);
		return STATUS_OK;
	case RELOC_RELAXED_LEA:
		loc[-2] = 0x8d;
		wr32(loc, (uint32_t)(S + A - P));
		return STATUS_OK;
	case RELOC_RELAXED_CALL:
		loc[-2] = 0x67; /* addr32 prefix: keeps the instruction length */
		loc[-1] = 0xe8;
		wr32(loc, (uint32_t)(S + A - P));
		return STATUS_OK;
	case RELOC_RELAXED_JMP:
		loc[-2] = 0xe9;
		loc[3] = 0x90;
		wr32(loc - 1, (uint32_t)(S + A - P + 1));
		return STATUS_OK;
	case RELOC_RELAXED_IMM: {
		uint8_t op = loc[-2], modrm = loc[-1], rex = loc[-3];
		/* The memory operand's register moves from ModRM.reg to .rm
		 * (and REX.R to REX.B); the opcode takes an imm32. */
		if (op == 0x85) {
			loc[-1] = (uint8_t)(0xc0 | (modrm & 0x38) >> 3);
			loc[-2] = 0xf7;
		} else {
			loc[-1] = (uint8_t)(0xc0 | (modrm & 0x38) >> 3 | (op & 0x3c));
			loc[-2] = 0x81;
		}
		loc[-3] = (uint8_t)((rex & ~4) | (rex & 4) >> 2);
		wr32(loc, (uint32_t)(S + A + 4));
		return STATUS_OK;
	}
	}

	switch (rec->type) {
	case R_X86_64_64:
		wr64(loc, S + A);
		return STATUS_OK;
	case R_X86_64_PC64:
		wr64(loc, S + A - P);
		return STATUS_OK;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		v = S + A - P;
		if (!fits_int32(v))
			overflow = "PC-relative value does not fit in a signed 32-bit field";
		break;
	case R_X86_64_32:
		v = S + A;
		if (!fits_uint32(v))
			overflow = "value does not fit in an unsigned 32-bit field";
		break;
	case R_X86_64_32S:
		v = S + A;
		if (!fits_int32(v))
			overflow = "value does not fit in a sign-extended 32-bit field";
		break;
	default:
		return reloc_fail(err, E_NOSYS, c, s, rec->offset, rec->type, rec->symbol,
		                  "unsupported relocation type");
	}
	if (overflow) {
		struct status st = reloc_fail(err, E_RANGE, c, s, rec->offset, rec->type,
		                              rec->symbol, overflow);
		link_error_append(err, ": ");
		link_error_append_u64(err, v, 1);
		return st;
	}
	wr32(loc, (uint32_t)v);
	return STATUS_OK;
}

/* Reverse edge in the target crate for a relocation across crates. */
struct status add_reverse_edge(struct linker *l, struct loaded_crate *c,
                                      uint32_t index, struct link_error *err)
{
	uint32_t target = c->relocs[index].target_crate;
	if (target >= l->slot_count || target == c->id)
		return STATUS_OK;
	struct loaded_crate *t = l->slots[target].crate;
	if (t->dependent_count == t->dependent_cap) {
		uint32_t cap = t->dependent_cap ? t->dependent_cap * 2 : 8;
		if (cap < t->dependent_cap)
			return link_fail(err, E_NOMEM, c->name, "too many dependents");
		struct reloc_ref *grown = meta_alloc_array(l, cap, sizeof(*grown));
		if (!grown)
			return link_fail(err, E_NOMEM, c->name, "out of memory for dependency records");
		if (t->dependent_count)
			memcpy(grown, t->dependents, t->dependent_count * sizeof(*grown));
		meta_free_array(l, t->dependents, t->dependent_cap, sizeof(*grown));
		t->dependents = grown;
		t->dependent_cap = cap;
	}
	t->dependents[t->dependent_count++] = (struct reloc_ref){c->id, index};
	l->edges_version++;
	return STATUS_OK;
}

struct status link_crate(struct linker *l, struct loaded_crate *c, struct link_error *err)
{
	struct status st = resolve_symbols(l, c, err);
	if (status_ok(st))
		st = collect_relocs(l, c, err);
	if (status_ok(st))
		st = build_got(l, c, err);
	for (uint32_t i = 0; status_ok(st) && i < c->reloc_count; i++) {
		st = reloc_apply(c, &c->relocs[i], err);
		if (status_ok(st))
			st = add_reverse_edge(l, c, i, err);
	}
	return st;
}
