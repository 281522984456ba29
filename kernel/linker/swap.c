/* Live replacement of a loaded crate (linker_swap in linker.h).
 *
 * Every relocation another crate applied against OLD is known from OLD's
 * reverse edges. A swap computes, for each of them, the bytes the field
 * must hold when the symbol lives in NEW instead; only when every one is
 * computable (NEW exports the name, the value fits the field) are they
 * written, the records moved, and OLD unloaded. */
#include "linker_internal.h"

#define SWAP_MAX_PATCH 8

struct swap_patch {
	uint64_t vaddr;
	uint8_t bytes[SWAP_MAX_PATCH];
	uint8_t len;
	uint32_t new_symbol_section;
	uint64_t new_address;
};

static void put_le(uint8_t *b, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/* The field write that points `rec` of crate d at address S. */
static struct status plan_patch(const struct loaded_crate *d, const struct reloc_record *rec,
                                uint64_t S, struct swap_patch *p, struct link_error *err)
{
	const struct crate_section *s = &d->sections[rec->section];
	uint64_t A = (uint64_t)rec->addend;
	uint64_t P = s->vaddr + rec->offset;
	uint64_t v;
	p->vaddr = P;
	p->len = 4;
	switch (rec->form) {
	case RELOC_VIA_GOT:
		/* The code reads the slot: only the slot changes. */
		p->vaddr = d->got.vaddr + (uint64_t)rec->got_slot * 8;
		p->len = 8;
		put_le(p->bytes, S, 8);
		return STATUS_OK;
	case RELOC_RELAXED_LEA:
	case RELOC_RELAXED_CALL:
		v = S + A - P;
		break;
	case RELOC_RELAXED_JMP:
		p->vaddr = P - 1;
		v = S + A - P + 1;
		break;
	case RELOC_RELAXED_IMM:
		v = S + A + 4;
		if (!fits_int32(v))
			goto overflow;
		put_le(p->bytes, v, 4);
		return STATUS_OK;
	case RELOC_DIRECT:
	default:
		switch (rec->type) {
		case R_X86_64_64:
			p->len = 8;
			put_le(p->bytes, S + A, 8);
			return STATUS_OK;
		case R_X86_64_PC64:
			p->len = 8;
			put_le(p->bytes, S + A - P, 8);
			return STATUS_OK;
		case R_X86_64_PC32:
		case R_X86_64_PLT32:
			v = S + A - P;
			break;
		case R_X86_64_32:
			v = S + A;
			if (!fits_uint32(v))
				goto overflow;
			put_le(p->bytes, v, 4);
			return STATUS_OK;
		case R_X86_64_32S:
			v = S + A;
			break;
		default:
			return link_fail(err, E_NOSYS, d->name, "cannot re-point this relocation type");
		}
	}
	if (!fits_int32(v))
		goto overflow;
	put_le(p->bytes, v, 4);
	return STATUS_OK;
overflow:
	link_error_set_reloc(err, s->name, rec->offset, rec->type);
	return link_fail(err, E_RANGE, d->name, "the new address does not fit the relocated field");
}

/* Does any loaded crate import `name` from OLD now? */
static bool imported_by_a_dependent(const struct linker *l, const struct loaded_crate *old, const char *name)
{
	for (uint32_t i = 0; i < old->dependent_count; i++) {
		const struct reloc_ref *ref = &old->dependents[i];
		const struct loaded_crate *d = l->slots[ref->crate].crate;
		if (!strcmp(linker_symbol_name(d, d->relocs[ref->reloc].symbol), name))
			return true;
	}
	return false;
}

/* A replacement serves whatever OLD served: every name OLD exports, with
 * the type OLD defines it with (when both records are checked). Importers
 * are only part of it; the rest are named references (an application's
 * entry, a service, an IRQ handler) that re-resolve after the swap, and a
 * crate that drops or retypes one would break them later, far from the
 * swap. So `swap hello counter` is refused at the swap, naming hello_main.
 * A forced replacement (mkimage push --force) may drop an export nobody
 * imports now: the developer's way to change an interface in place. */
static struct status check_replaces_interface(const struct linker *l, const struct loaded_crate *old,
                                              const struct loaded_crate *new, uint32_t new_id,
                                              struct link_error *err)
{
	bool typed = l->attest_key && !old->unchecked && !new->unchecked;
	struct archive_crate ac;
	bool forced = linker_crate_entry(l, new_id, &ac) && (ac.flags & ARCHIVE_CRATE_FORCED);
	for (uint32_t k = 0; k < old->export_count; k++) {
		const char *name = linker_symbol_name(old, old->exports[k]);
		if (find_export(new, name) == LINKER_NO_SECTION) {
			if (forced && !imported_by_a_dependent(l, old, name))
				continue;
			struct status st = link_fail(err, E_NOENT, new->name, "missing from the replacement; ");
			link_error_append(err, old->name);
			link_error_append(err, ", which it would replace, exports it");
			link_error_set_symbol(err, name);
			return st;
		}
		struct sig_entry was, now;
		if (!typed || !sig_lookup(&old->signatures, true, name, &was))
			continue;
		const char *why = sig_lookup(&new->signatures, true, name, &now)
		                          ? sig_mismatch(&was, &now)
		                          : "the replacement's record has no type signature for it";
		if (why) {
			struct status st = link_fail(err, E_PERM, new->name, "exported with another type than by ");
			link_error_append(err, old->name);
			link_error_append(err, ", which it would replace: ");
			link_error_append(err, why);
			link_error_set_symbol(err, name);
			return st;
		}
	}
	return STATUS_OK;
}

/* Where importer d's symbol lives in NEW, checked to have the type d
 * imports it with, as its provider at load did. */
#define SWAP_CACHE 64u
struct resolved_import {
	uint32_t crate, symbol;
	uint64_t address;
	uint32_t section;
};

static struct status resolve_in_new(const struct linker *l, const struct loaded_crate *d, uint32_t symbol,
                                    const struct loaded_crate *old, const struct loaded_crate *new,
                                    struct resolved_import *out, struct link_error *err)
{
	const char *name = linker_symbol_name(d, symbol);
	uint32_t ex = find_export(new, name);
	if (ex == LINKER_NO_SECTION || !symbol_address(new, ex, &out->address, &out->section)) {
		struct status st = link_fail(err, E_NOENT, new->name, "lacks a symbol other crates import from ");
		link_error_append(err, old->name);
		link_error_set_symbol(err, name);
		return st;
	}
	return check_import_signature(l, d, name, new->unchecked ? NULL : &new->signatures, new->name, err);
}

struct status linker_swap(struct linker *l, uint32_t old_id, const char *new_name,
                          uint32_t *new_id_out, struct link_error *err)
{
	uint32_t id = archive_find_crate(&l->archive, new_name);
	if (id == ARCHIVE_NO_CRATE)
		return link_fail(err, E_NOENT, new_name, "no such crate in the archive");
	if (new_id_out)
		*new_id_out = id;
	return linker_swap_to(l, old_id, id, err);
}

/* A swap planned ahead: OLD's importers' fields as NEW needs them. */
struct swap_ahead {
	uint32_t old_id, new_id;
	uint64_t edges_version;
	uint32_t count;
	struct swap_patch *patches;
};

void swap_ahead_drop(struct linker *l)
{
	struct swap_ahead *a = l->ahead;
	if (!a)
		return;
	meta_free_array(l, a->patches, a->count, sizeof(*a->patches));
	meta_free_array(l, a, 1, sizeof(*a));
	l->ahead = NULL;
}

void linker_cancel_swap_plan(struct linker *l) { swap_ahead_drop(l); }

/* NEW (loaded or prepared) serves what OLD does; compute the bytes of
 * every field that points into OLD when it points into NEW instead. All
 * or nothing: *patches is NULL on an error. */
static struct status plan_swap(struct linker *l, struct loaded_crate *old, struct loaded_crate *new, uint32_t new_id,
                               struct swap_patch **patches_out, struct link_error *err)
{
	*patches_out = NULL;
	struct status st = check_replaces_interface(l, old, new, new_id, err);
	if (!status_ok(st))
		return st;
	uint32_t n = old->dependent_count;
	if (!n)
		return STATUS_OK;
	struct swap_patch *patches = meta_alloc_array(l, n, sizeof(*patches));
	/* An importer names one symbol in many relocations (the shell calls
	 * fmt_str from hundreds of places): each (importer, symbol) is
	 * resolved and type-checked once, through a small cache. */
	struct resolved_import *cache = meta_alloc_array(l, SWAP_CACHE, sizeof(*cache));
	if (!patches || !cache) {
		st = link_fail(err, E_NOMEM, old->name, "out of memory for the swap plan");
		goto out;
	}
	for (uint32_t k = 0; k < SWAP_CACHE; k++)
		cache[k].crate = LINKER_NO_CRATE;
	for (uint32_t i = 0; i < n && status_ok(st); i++) {
		const struct reloc_ref *ref = &old->dependents[i];
		const struct loaded_crate *d = l->slots[ref->crate].crate;
		const struct reloc_record *rec = &d->relocs[ref->reloc];
		struct resolved_import *hit = &cache[(ref->crate * 31u + rec->symbol) % SWAP_CACHE];
		if (hit->crate != ref->crate || hit->symbol != rec->symbol) {
			st = resolve_in_new(l, d, rec->symbol, old, new, hit, err);
			hit->crate = status_ok(st) ? ref->crate : LINKER_NO_CRATE;
			hit->symbol = rec->symbol;
		}
		if (status_ok(st)) {
			patches[i].new_address = hit->address;
			patches[i].new_symbol_section = hit->section;
			st = plan_patch(d, rec, hit->address, &patches[i], err);
		}
	}
out:
	meta_free_array(l, cache, cache ? SWAP_CACHE : 0, sizeof(*cache));
	if (status_ok(st))
		*patches_out = patches;
	else
		meta_free_array(l, patches, patches ? n : 0, sizeof(*patches));
	return st;
}

struct status linker_prepare_swap(struct linker *l, uint32_t old_id, uint32_t new_id, struct link_error *err)
{
	if (l->busy)
		return link_fail(err, E_BUSY, "", "linker busy: a request is in progress");
	if (old_id >= l->slot_count || l->slots[old_id].state != CRATE_LOADED)
		return link_fail(err, E_NOENT, "", "the crate to replace is not loaded");
	if (new_id == old_id)
		return link_fail(err, E_INVAL, l->slots[old_id].crate->name, "a crate cannot replace itself");
	bool prepared_here = false;
	if (!linker_is_loaded(l, new_id) && !linker_is_prepared(l, new_id)) {
		struct status st = linker_prepare(l, new_id, err);
		if (!status_ok(st))
			return st;
		prepared_here = true;
	}
	/* Busy while the plan is made: the kernel makes it with interrupts
	 * on, and another task's request meanwhile (a load that grows OLD's
	 * dependents, a cancel, another plan) would change what it reads. */
	l->busy = 1;
	swap_ahead_drop(l);
	struct loaded_crate *old = l->slots[old_id].crate, *new = l->slots[new_id].crate;
	struct swap_patch *patches;
	struct status st = plan_swap(l, old, new, new_id, &patches, err);
	struct swap_ahead *a = status_ok(st) ? meta_alloc_array(l, 1, sizeof(*a)) : NULL;
	if (status_ok(st) && !a)
		st = link_fail(err, E_NOMEM, old->name, "out of memory for the swap plan");
	if (!status_ok(st)) {
		meta_free_array(l, patches, patches ? old->dependent_count : 0, sizeof(*patches));
		if (prepared_here)
			drop_crate(l, new_id, false);
		l->busy = 0;
		return st;
	}
	*a = (struct swap_ahead){old_id, new_id, l->edges_version, old->dependent_count, patches};
	l->ahead = a;
	l->busy = 0;
	return STATUS_OK;
}

/* Write the planned fields, move the records to NEW, drop OLD (or, with
 * `retire`, leave it placed and serving nobody new). */
static struct status commit_swap(struct linker *l, uint32_t old_id, uint32_t new_id, struct swap_patch *patches,
                                 uint32_t n, bool retire, struct link_error *err)
{
	struct loaded_crate *old = l->slots[old_id].crate;
	struct status st = STATUS_OK;
	for (uint32_t i = 0; i < n; i++) {
		const struct reloc_ref *ref = &old->dependents[i];
		struct loaded_crate *d = l->slots[ref->crate].crate;
		struct reloc_record *rec = &d->relocs[ref->reloc];
		st = l->env.patch(l->env.ctx, patches[i].vaddr, patches[i].bytes, patches[i].len);
		if (!status_ok(st))
			/* Only the environment failing can get here; the fields
			 * written so far point at NEW, which stays loaded. */
			return link_fail(err, st.err, d->name, "patching a relocation failed");
		d->resolved[rec->symbol] = (struct resolved_symbol){patches[i].new_address, new_id,
		                                                    patches[i].new_symbol_section};
		rec->target_crate = new_id;
		rec->target_section = patches[i].new_symbol_section;
		st = add_reverse_edge(l, d, ref->reloc, err);
		if (!status_ok(st))
			return st;
	}
	old->dependent_count = 0;
	l->edges_version++;
	l->slots[old_id].swaps++;
	l->slots[new_id].swaps++;
	if (!retire)
		return linker_unload(l, old_id, err);
	l->slots[old_id].state = CRATE_RETIRED;
	const char *pieces[3] = {"linker: retired ", old->name, " (tasks run on in it; it goes once none does)"};
	if (l->env.log)
		l->env.log(l->env.ctx, pieces, 3);
	return STATUS_OK;
}

struct status linker_unretire(struct linker *l, uint32_t crate_id, struct link_error *err)
{
	if (l->busy)
		return link_fail(err, E_BUSY, "", "linker busy: a request is in progress");
	if (crate_id >= l->slot_count || l->slots[crate_id].state != CRATE_RETIRED)
		return link_fail(err, E_NOENT, "", "the crate is not retired");
	l->slots[crate_id].state = CRATE_LOADED;
	return STATUS_OK;
}

static struct status swap_to(struct linker *l, uint32_t old_id, uint32_t new_id, bool retire,
                             struct link_error *err)
{
	if (l->busy)
		return link_fail(err, E_BUSY, "", "linker busy: a request is in progress");
	if (!l->env.patch)
		return link_fail(err, E_NOSYS, "", "this environment cannot patch loaded code");
	if (old_id >= l->slot_count || l->slots[old_id].state != CRATE_LOADED)
		return link_fail(err, E_NOENT, "", "the crate to replace is not loaded");
	struct loaded_crate *old = l->slots[old_id].crate;
	if (old->refcount && !retire) {
		struct status st = link_fail(err, E_BUSY, old->name, "crate has strong references: ");
		link_error_append_u64(err, old->refcount, 0);
		return st;
	}
	if (new_id == old_id)
		return link_fail(err, E_INVAL, old->name, "a crate cannot replace itself");
	struct archive_crate ac;
	if (!linker_crate_entry(l, new_id, &ac))
		return link_fail(err, E_NOENT, "", "the replacement crate does not exist");
	/* The plan made ahead holds if nothing was linked or unlinked since. */
	struct swap_ahead *a = l->ahead;
	bool ahead = a && a->old_id == old_id && a->new_id == new_id && a->edges_version == l->edges_version &&
	             a->count == old->dependent_count;
	bool loaded_here = false;
	struct status st = STATUS_OK;
	if (l->slots[new_id].state == CRATE_PREPARED) {
		st = finish_prepared(l, new_id, err); /* its init, now */
		loaded_here = status_ok(st);
	} else if (l->slots[new_id].state != CRATE_LOADED) {
		st = run_request(l, new_id, NULL, false, err);
		loaded_here = status_ok(st);
	}
	struct swap_patch *patches = NULL;
	uint32_t n = old->dependent_count;
	if (status_ok(st) && ahead) {
		patches = a->patches;
		a->patches = NULL;
		a->count = 0;
	} else if (status_ok(st)) {
		st = plan_swap(l, old, l->slots[new_id].crate, new_id, &patches, err);
	}
	swap_ahead_drop(l);
	if (status_ok(st)) {
		st = commit_swap(l, old_id, new_id, patches, n, retire, err);
	} else if (loaded_here) {
		struct link_error ignored;
		(void)linker_unload(l, new_id, &ignored);
	}
	meta_free_array(l, patches, patches ? n : 0, sizeof(*patches));
	return st;
}

struct status linker_swap_to(struct linker *l, uint32_t old_id, uint32_t new_id, struct link_error *err)
{
	return swap_to(l, old_id, new_id, false, err);
}

struct status linker_swap_retiring(struct linker *l, uint32_t old_id, uint32_t new_id, struct link_error *err)
{
	return swap_to(l, old_id, new_id, true, err);
}
