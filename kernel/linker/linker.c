/* The linker's public requests: lifecycle, load, resolve, unload,
 * references, weak references and queries. */
#include "linker_internal.h"

static void *kernel_sig_alloc(void *ctx, size_t size)
{
	return meta_alloc_array(ctx, size, 1);
}

struct status linker_check_call_type(const struct linker *l, uint32_t crate_id, const char *symbol,
                                     const char *type_name, struct link_error *err)
{
	const struct loaded_crate *c = linker_crate(l, crate_id);
	if (!c && crate_id < l->slot_count)
		c = l->slots[crate_id].crate; /* placed, still linking */
	if (!type_name || !c || !l->attest_key || c->unchecked || !l->kernel_signatures.count)
		return STATUS_OK;
	struct sig_entry want, have;
	const char *why = NULL;
	bool name_type = true;
	if (!sig_lookup(&l->kernel_signatures, false, type_name, &want))
		why = "the nano-core's record lacks the type it calls this with, ";
	else if (!sig_lookup(&c->signatures, true, symbol, &have))
		why = "the crate's record has no type signature for it", name_type = false;
	else if (sig_mismatch(&want, &have))
		why = "the nano-core calls it as ";
	if (!why)
		return STATUS_OK;
	struct status st = link_fail(err, E_PERM, c->name,
	                             "a function the nano-core calls by name has another type: ");
	link_error_append(err, why);
	if (name_type)
		link_error_append(err, type_name);
	link_error_set_symbol(err, symbol);
	return st;
}

const char *linker_call_type_name(enum linker_call_type type)
{
	static const char *const names[LINKER_CALL_TYPE_COUNT] = {
		[LINKER_CALL_UNTYPED] = NULL,
		[LINKER_CALL_STATUS_VOID] = "linker_call_type_status_void",
		[LINKER_CALL_APP] = "linker_call_type_app",
		[LINKER_CALL_IRQ] = "linker_call_type_irq",
		[LINKER_CALL_MIGRATE] = "linker_call_type_migrate",
		[LINKER_CALL_SLEEP] = "linker_call_type_sleep",
		[LINKER_CALL_STACKS] = "linker_call_type_stacks_refer_to",
		[LINKER_CALL_FAULT] = "linker_call_type_fault",
		[LINKER_CALL_SYSCALL] = "linker_call_type_syscall",
	};
	return (unsigned)type < LINKER_CALL_TYPE_COUNT ? names[type] : NULL;
}

int linker_version_compare(const char *a, const char *b)
{
	for (int part = 0; part < 3; part++) {
		uint64_t x = 0, y = 0;
		while (*a >= '0' && *a <= '9' && x < UINT32_MAX)
			x = x * 10 + (uint64_t)(*a++ - '0');
		while (*b >= '0' && *b <= '9' && y < UINT32_MAX)
			y = y * 10 + (uint64_t)(*b++ - '0');
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

struct status linker_init(struct linker *l, const struct linker_env *env,
                          const void *archive, uint64_t archive_size,
                          const struct linker_options *options,
                          struct link_error *err)
{
	memset(l, 0, sizeof(*l));
	if (!env || !env->alloc_region || !env->protect_region || !env->free_region ||
	    !env->alloc_meta || !env->free_meta)
		return link_fail(err, E_INVAL, "", "linker env lacks a required callback");
	l->env = *env;
	l->pack_sections = options ? options->pack_sections : 1;
	if (options) {
		l->attest_key = options->attest_key;
		l->allow_unchecked = options->allow_unchecked;
		l->crate_memory_limit = options->crate_memory_limit;
	}
	struct status st = archive_open(&l->archive, archive, archive_size, err);
	if (!status_ok(st))
		return st;
	if (options && options->kernel_signatures) {
		const char *why = sig_index_build(&l->kernel_signatures, options->kernel_signatures,
		                                  options->kernel_signatures_size, kernel_sig_alloc, l);
		if (why)
			return link_fail(err, E_BADELF, "nano-core", why);
	}
	l->slot_count = l->archive.crate_count;
	if (l->slot_count) {
		l->slots = meta_alloc_array(l, l->slot_count, sizeof(*l->slots));
		if (!l->slots) {
			l->slot_count = 0;
			return link_fail(err, E_NOMEM, "", "out of memory for crate slots");
		}
	}
	for (uint32_t i = 0; i < l->slot_count; i++) {
		/* Generation 0 is never current, so a zeroed weak_ref is stale. */
		l->slots[i].generation = 1;
		l->slots[i].reason_crate = LINKER_NO_CRATE;
	}
	return STATUS_OK;
}

void linker_fini(struct linker *l)
{
	for (uint32_t i = 0; i < l->slot_count; i++) {
		crate_free(l, l->slots[i].crate);
		l->slots[i].crate = NULL;
		l->slots[i].state = CRATE_ABSENT;
	}
	forget_all_pushed(l);
	swap_ahead_drop(l);
	meta_free_array(l, l->kernel_signatures.lines, l->kernel_signatures.count, sizeof(uint32_t));
	l->kernel_signatures = (struct sig_index){0};
	meta_free_array(l, l->slots, l->slot_count, sizeof(*l->slots));
	l->slots = NULL;
	l->slot_count = 0;
}

static struct status busy(struct link_error *err)
{
	return link_fail(err, E_BUSY, "", "linker busy: a request is in progress");
}

struct status linker_load_crate(struct linker *l, const char *name,
                                uint32_t *crate_id, struct link_error *err)
{
	if (l->busy)
		return busy(err);
	uint32_t id = linker_crate_by_name(l, name);
	if (id == LINKER_NO_CRATE)
		return link_fail(err, E_NOENT, name, "no such crate in the archive");
	if (crate_id)
		*crate_id = id;
	if (l->slots[id].state == CRATE_LOADED)
		return link_fail(err, E_EXIST, name, "crate already loaded");
	if (l->slots[id].state == CRATE_RETIRED)
		return link_fail(err, E_BUSY, name, "a retired version of it still runs (it goes once no task runs in it)");
	return run_request(l, id, NULL, false, err);
}

/* Load (or, with `prepare`, prepare) crate `id` and what it needs. */
static struct status request_id(struct linker *l, uint32_t id, bool prepare, struct link_error *err)
{
	if (l->busy)
		return busy(err);
	struct archive_crate ac;
	if (!linker_crate_entry(l, id, &ac))
		return link_fail(err, E_NOENT, "", "no such crate");
	if (l->slots[id].state == CRATE_LOADED || (prepare && l->slots[id].state == CRATE_PREPARED))
		return link_fail(err, E_EXIST, ac.name, prepare ? "already loaded or prepared" : "crate already loaded");
	if (l->slots[id].state == CRATE_RETIRED)
		return link_fail(err, E_BUSY, ac.name, "a retired version of it still runs (it goes once no task runs in it)");
	return run_request(l, id, NULL, prepare, err);
}

struct status linker_load_id(struct linker *l, uint32_t id, struct link_error *err)
{
	return request_id(l, id, false, err);
}

static struct status export_of(const struct linker *l, uint32_t id, const char *name,
                               struct linker_symbol *out, struct link_error *err)
{
	const struct loaded_crate *c = l->slots[id].crate;
	uint32_t ex = find_export(c, name);
	uint32_t sec;
	if (ex == LINKER_NO_SECTION || !symbol_address(c, ex, &out->address, &sec)) {
		struct status st = link_fail(err, E_BADARCH, c->name,
		                             "archive index lists a symbol the crate does not export");
		link_error_set_symbol(err, name);
		return st;
	}
	out->crate_id = id;
	out->generation = c->generation;
	return STATUS_OK;
}

static int crate_is_loaded(const void *ctx, uint32_t crate)
{
	const struct linker *l = ctx;
	return crate < l->slot_count && l->slots[crate].state == CRATE_LOADED;
}

/* A loaded pushed crate that exports `name`, or ARCHIVE_NO_CRATE. */
static uint32_t pushed_exporter(const struct linker *l, const char *name)
{
	for (uint32_t i = l->archive.crate_count; i < l->slot_count; i++)
		if (l->slots[i].state == CRATE_LOADED && find_export(l->slots[i].crate, name) != LINKER_NO_SECTION)
			return i;
	return ARCHIVE_NO_CRATE;
}

uint32_t import_provider(const struct linker *l, const char *name, uint32_t *name_off)
{
	uint32_t off = UINT32_MAX;
	uint32_t id = archive_find_provider(&l->archive, name, &off);
	/* A crate prepared for a swap serves nobody yet, and a retired one
	 * nobody new: look past them too. */
	if (id == ARCHIVE_NO_CRATE || l->slots[id].state == CRATE_ABSENT || l->slots[id].state == CRATE_PREPARED ||
	    l->slots[id].state == CRATE_RETIRED) {
		uint32_t alt = archive_find_exporter_if(&l->archive, name, crate_is_loaded, l, &off);
		if (alt == ARCHIVE_NO_CRATE)
			alt = pushed_exporter(l, name);
		if (alt != ARCHIVE_NO_CRATE)
			id = alt;
	}
	if (id != ARCHIVE_NO_CRATE && (l->slots[id].state == CRATE_PREPARED || l->slots[id].state == CRATE_RETIRED))
		id = ARCHIVE_NO_CRATE; /* until its swap, or its unload: only a load of something else was asked */
	if (name_off)
		*name_off = off;
	return id;
}

/* Provider of exported `name` (import_provider), loaded on demand. */
static struct status resolve_provider(struct linker *l, const char *name, uint32_t *id,
                                      uint32_t *name_off, struct link_error *err)
{
	if (l->busy)
		return busy(err);
	*id = import_provider(l, name, name_off);
	if (*id == ARCHIVE_NO_CRATE)
		return missing_symbol(l, "", name, err);
	if (l->slots[*id].state == CRATE_LOADED)
		return STATUS_OK;
	/* The reason outlives the request: take the name from the archive. */
	return run_request(l, *id, archive_string(&l->archive, *name_off), false, err);
}

struct status linker_resolve(struct linker *l, const char *name, unsigned flags,
                             struct linker_symbol *out, struct link_error *err)
{
	uint32_t id, name_off;
	struct status st = resolve_provider(l, name, &id, &name_off, err);
	if (status_ok(st))
		st = export_of(l, id, name, out, err);
	if (status_ok(st) && (flags & LINKER_TAKE_REF))
		st = linker_ref_get(l, id);
	return st;
}

struct status linker_resolve_loaded(struct linker *l, const char *name,
                                    struct linker_symbol *out)
{
	uint32_t id = import_provider(l, name, NULL);
	struct link_error err;
	if (id == ARCHIVE_NO_CRATE || l->slots[id].state != CRATE_LOADED)
		return STATUS(E_NOENT);
	return export_of(l, id, name, out, &err);
}

/* A crate, other than `id` and the crates of `group` (NULL: none), with a
 * relocation that still targets `id` or the group. Unloading trusts the
 * dependents lists; this scan checks them, so that a lost record refuses
 * the unload instead of leaving a field that points into freed memory,
 * which the next call through it would run as code. */
static const struct loaded_crate *still_linked_to(const struct linker *l, uint32_t id, const uint8_t *group,
                                                  uint32_t *reloc)
{
	for (uint32_t s = 0; s < l->slot_count; s++) {
		const struct loaded_crate *u = l->slots[s].crate;
		if (!u || s == id || (group && group[s]))
			continue;
		for (uint32_t r = 0; r < u->reloc_count; r++) {
			uint32_t t = u->relocs[r].target_crate;
			if (t == id || (group && t < l->slot_count && group[t])) {
				*reloc = r;
				return u;
			}
		}
	}
	return NULL;
}

static struct status refuse_still_linked(struct linker *l, const struct loaded_crate *c,
                                         const struct loaded_crate *user, uint32_t reloc, struct link_error *err)
{
	struct status st = link_fail(err, E_BUSY, c->name, "crate is still linked from crate ");
	link_error_append(err, user->name);
	link_error_append(err, ", which no dependency record shows (kept loaded)");
	link_error_set_symbol(err, linker_symbol_name(user, user->relocs[reloc].symbol));
	const char *pieces[4] = {"linker: kept ", c->name, ": still linked from ", user->name};
	if (l->env.log)
		l->env.log(l->env.ctx, pieces, 4);
	return st;
}

/* linker_unload of one crate, the crates of `group` (NULL: none) going
 * with it (linker_unload_cycle). */
static struct status unload_one(struct linker *l, uint32_t crate_id, const uint8_t *group, struct link_error *err)
{
	if (l->busy)
		return busy(err);
	if (crate_id >= l->slot_count || !crate_is_placed(l->slots[crate_id].state))
		return link_fail(err, E_NOENT, "", "crate not loaded");
	struct crate_slot *slot = &l->slots[crate_id];
	struct loaded_crate *c = slot->crate;
	if (c->refcount) {
		struct status st = link_fail(err, E_BUSY, c->name, "crate has strong references: ");
		link_error_append_u64(err, c->refcount, 0);
		return st;
	}
	for (uint32_t i = 0; i < c->dependent_count; i++) {
		const struct reloc_ref *d = &c->dependents[i];
		const struct loaded_crate *user = l->slots[d->crate].crate;
		struct status st = link_fail(err, E_BUSY, c->name, "crate is depended on by crate ");
		link_error_append(err, user->name);
		link_error_set_symbol(err, linker_symbol_name(user, user->relocs[d->reloc].symbol));
		return st;
	}
	uint32_t r = 0;
	const struct loaded_crate *user = still_linked_to(l, crate_id, group, &r);
	if (user)
		return refuse_still_linked(l, c, user, r, err);
	const char *pieces[2] = {slot->state == CRATE_RETIRED ? "linker: unloaded retired " : "linker: unloaded ", c->name};
	if (l->env.log)
		l->env.log(l->env.ctx, pieces, 2);
	drop_crate(l, crate_id, true);
	return STATUS_OK;
}

struct status linker_unload(struct linker *l, uint32_t crate_id, struct link_error *err)
{
	return unload_one(l, crate_id, NULL, err);
}

void drop_crate(struct linker *l, uint32_t id, bool new_generation)
{
	struct crate_slot *slot = &l->slots[id];
	struct loaded_crate *c = slot->crate;
	remove_reverse_edges(l, id);
	/* Unpublish before freeing: anything that looks the crate up from
	 * here on (an interrupt handler's weak reference, say) finds it gone
	 * instead of finding memory that is being returned. */
	slot->crate = NULL;
	slot->state = CRATE_ABSENT;
	slot->generation += new_generation;
	slot->reason_crate = LINKER_NO_CRATE;
	slot->reason_symbol = NULL;
	crate_free(l, c);
}

struct status linker_prepare(struct linker *l, uint32_t new_id, struct link_error *err)
{
	return request_id(l, new_id, true, err);
}

struct status linker_unprepare(struct linker *l, uint32_t crate_id, struct link_error *err)
{
	if (l->busy)
		return busy(err);
	if (!linker_is_prepared(l, crate_id))
		return link_fail(err, E_NOENT, "", "crate not prepared");
	/* Back to what it was before: it never served, so handles to it
	 * (the policy's plan) stay good. */
	swap_ahead_drop(l);
	drop_crate(l, crate_id, false);
	return STATUS_OK;
}

bool linker_is_prepared(const struct linker *l, uint32_t crate_id)
{
	return crate_id < l->slot_count && l->slots[crate_id].state == CRATE_PREPARED;
}

/* Does crate `from` reach crate `to` through its imports (forward edges)?
 * seen: scratch, slot_count entries, zeroed by the caller. */
static bool imports_reach(const struct linker *l, uint32_t from, uint32_t to, uint8_t *seen)
{
	if (from == to)
		return true;
	if (from >= l->slot_count || seen[from] || !l->slots[from].crate)
		return false;
	seen[from] = 1;
	const struct loaded_crate *c = l->slots[from].crate;
	for (uint32_t i = 0; i < c->reloc_count; i++) {
		uint32_t t = c->relocs[i].target_crate;
		if (t != from && t < l->slot_count && imports_reach(l, t, to, seen))
			return true;
	}
	return false;
}

struct status linker_unload_cycle(struct linker *l, uint32_t crate_id, uint32_t *count,
                                  struct link_error *err)
{
	if (count)
		*count = 0;
	if (l->busy)
		return busy(err);
	if (crate_id >= l->slot_count || l->slots[crate_id].state != CRATE_LOADED)
		return link_fail(err, E_NOENT, "", "crate not loaded");
	uint8_t *in_group = meta_alloc_array(l, l->slot_count, 1);
	uint8_t *seen = meta_alloc_array(l, l->slot_count, 1);
	uint32_t *members = meta_alloc_array(l, l->slot_count, sizeof(uint32_t));
	struct status st = STATUS_OK;
	if (!in_group || !seen || !members) {
		st = link_fail(err, E_NOMEM, "", "out of memory for the unload plan");
		goto out;
	}
	/* The group: the crate and everything that depends on it, directly
	 * or not. Each must be in a cycle with it (the crate imports from it
	 * in turn), or it is a dependent from outside: refused. */
	uint32_t n = 0;
	members[n++] = crate_id;
	in_group[crate_id] = 1;
	for (uint32_t k = 0; k < n && status_ok(st); k++) {
		const struct loaded_crate *c = l->slots[members[k]].crate;
		if (c->refcount) {
			st = link_fail(err, E_BUSY, c->name, "crate has strong references: ");
			link_error_append_u64(err, c->refcount, 0);
			break;
		}
		for (uint32_t i = 0; i < c->dependent_count; i++) {
			uint32_t d = c->dependents[i].crate;
			if (in_group[d])
				continue;
			memset(seen, 0, l->slot_count);
			if (!imports_reach(l, crate_id, d, seen)) {
				const struct loaded_crate *user = l->slots[d].crate;
				st = link_fail(err, E_BUSY, c->name, "crate is depended on by crate ");
				link_error_append(err, user->name);
				link_error_set_symbol(err, linker_symbol_name(user, user->relocs[c->dependents[i].reloc].symbol));
				break;
			}
			in_group[d] = 1;
			members[n++] = d;
		}
	}
	/* A link from outside the group that no record shows: refused before
	 * any edge is dropped (unload_one says which). */
	for (uint32_t k = 0; k < n && status_ok(st); k++) {
		uint32_t r = 0;
		const struct loaded_crate *user = still_linked_to(l, members[k], in_group, &r);
		if (user)
			st = refuse_still_linked(l, l->slots[members[k]].crate, user, r, err);
	}
	if (!status_ok(st))
		goto out;
	/* Drop the group's edges among themselves, then each goes alone. */
	for (uint32_t k = 0; k < n; k++)
		remove_reverse_edges(l, members[k]);
	for (uint32_t k = 0; k < n && status_ok(st); k++) {
		st = unload_one(l, members[k], in_group, err);
		if (status_ok(st) && count)
			(*count)++;
	}
	/* Stopped half-way (a strong reference taken meanwhile: an interrupt
	 * handler's call into a member, when the caller left interrupts on):
	 * the members still loaded get their edges back, or what they import
	 * could go while they still link to it. */
	for (uint32_t k = 0; k < n && !status_ok(st); k++) {
		struct loaded_crate *c = l->slots[members[k]].crate;
		if (!c || l->slots[members[k]].state != CRATE_LOADED)
			continue;
		for (uint32_t i = 0; i < c->reloc_count; i++) {
			uint32_t t = c->relocs[i].target_crate;
			struct link_error ignored;
			if (t < l->slot_count && l->slots[t].crate)
				(void)add_reverse_edge(l, c, i, &ignored);
		}
	}
out:
	meta_free_array(l, in_group, l->slot_count, 1);
	meta_free_array(l, seen, l->slot_count, 1);
	meta_free_array(l, members, l->slot_count, sizeof(uint32_t));
	return st;
}

/* ---- references ------------------------------------------------------ */

static struct loaded_crate *loaded(const struct linker *l, uint32_t id)
{
	if (id >= l->slot_count || l->slots[id].state != CRATE_LOADED)
		return NULL;
	return l->slots[id].crate;
}

/* Loaded or retired: its code may run, so its references count, its text
 * is walked for quiescence and its figures are shown. */
static struct loaded_crate *placed(const struct linker *l, uint32_t id)
{
	if (id >= l->slot_count || !crate_is_placed(l->slots[id].state))
		return NULL;
	return l->slots[id].crate;
}

bool linker_is_retired(const struct linker *l, uint32_t crate_id)
{
	return crate_id < l->slot_count && l->slots[crate_id].state == CRATE_RETIRED;
}

uint32_t linker_next_placed(const struct linker *l, uint32_t after)
{
	for (uint32_t i = after == LINKER_NO_CRATE ? 0 : after + 1; i < l->slot_count; i++)
		if (crate_is_placed(l->slots[i].state))
			return i;
	return LINKER_NO_CRATE;
}

uint32_t linker_next_retired(const struct linker *l, uint32_t after)
{
	for (uint32_t i = after == LINKER_NO_CRATE ? 0 : after + 1; i < l->slot_count; i++)
		if (l->slots[i].state == CRATE_RETIRED)
			return i;
	return LINKER_NO_CRATE;
}

struct status linker_ref_get(struct linker *l, uint32_t crate_id)
{
	struct loaded_crate *c = loaded(l, crate_id);
	if (!c)
		return STATUS(E_NOENT);
	if (c->refcount == UINT32_MAX)
		return STATUS(E_RANGE);
	c->refcount++;
	return STATUS_OK;
}

struct status linker_ref_put(struct linker *l, uint32_t crate_id)
{
	/* A reference taken before its crate retired is given back to it. */
	struct loaded_crate *c = placed(l, crate_id);
	if (!c)
		return STATUS(E_NOENT);
	if (c->refcount == 0)
		return STATUS(E_INVAL);
	c->refcount--;
	return STATUS_OK;
}

struct status linker_weak_ref(struct linker *l, const char *name, struct weak_ref *out,
                              struct link_error *err)
{
	uint32_t id, name_off;
	struct linker_symbol sym;
	struct status st = resolve_provider(l, name, &id, &name_off, err);
	if (status_ok(st))
		st = export_of(l, id, name, &sym, err);
	if (status_ok(st) && name_off == UINT32_MAX)
		st = link_fail(err, E_NOENT, "", "weak references reach only symbols the boot archive lists");
	if (status_ok(st))
		*out = (struct weak_ref){id, sym.generation, name_off};
	return st;
}

struct status linker_weak_upgrade(struct linker *l, const struct weak_ref *ref,
                                  struct linker_symbol *out)
{
	struct loaded_crate *c = loaded(l, ref->crate_id);
	if (!c || c->generation != ref->generation)
		return STATUS(E_STALE);
	const char *name = archive_string(&l->archive, ref->symbol_name_off);
	if (!name)
		return STATUS(E_INVAL);
	struct status st = export_of(l, ref->crate_id, name, out, NULL);
	if (status_ok(st))
		st = linker_ref_get(l, ref->crate_id);
	return st;
}

/* ---- queries --------------------------------------------------------- */

const struct loaded_crate *linker_crate(const struct linker *l, uint32_t crate_id)
{
	return loaded(l, crate_id);
}

bool linker_is_loaded(const struct linker *l, uint32_t crate_id)
{
	return loaded(l, crate_id) != NULL;
}

uint32_t linker_next_loaded(const struct linker *l, uint32_t after)
{
	for (uint32_t i = after == LINKER_NO_CRATE ? 0 : after + 1; i < l->slot_count; i++)
		if (l->slots[i].state == CRATE_LOADED)
			return i;
	return LINKER_NO_CRATE;
}

uint32_t linker_crate_by_name(const struct linker *l, const char *name)
{
	uint32_t id = archive_find_crate(&l->archive, name);
	if (id != ARCHIVE_NO_CRATE && l->slots[id].state == CRATE_LOADED)
		return id;
	for (uint32_t i = l->archive.crate_count; i < l->slot_count; i++)
		if (l->slots[i].state == CRATE_LOADED && !strcmp(l->slots[i].crate->name, name))
			return i;
	return id == ARCHIVE_NO_CRATE ? LINKER_NO_CRATE : id;
}

uint32_t linker_crate_serving(const struct linker *l, const char *name)
{
	uint32_t id = linker_crate_by_name(l, name);
	if (id != LINKER_NO_CRATE && l->slots[id].state == CRATE_LOADED)
		return id;
	for (uint32_t i = 0; i < l->slot_count; i++) {
		struct archive_crate ac;
		if (l->slots[i].state == CRATE_LOADED && linker_crate_entry(l, i, &ac) &&
		    !strcmp(ac.alternative_of, name))
			return i;
	}
	return id;
}

const char *linker_crate_name(const struct linker *l, uint32_t crate_id)
{
	if (crate_id == LINKER_KERNEL_CRATE)
		return "nano_core";
	struct archive_crate ac;
	return linker_crate_entry(l, crate_id, &ac) ? ac.name : NULL;
}

struct status linker_crate_stats(const struct linker *l, uint32_t crate_id,
                                 struct linker_crate_stats *out)
{
	struct archive_crate ac;
	if (!linker_crate_entry(l, crate_id, &ac))
		return STATUS(E_NOENT);
	memset(out, 0, sizeof(*out));
	const struct crate_slot *slot = &l->slots[crate_id];
	out->name = ac.name;
	out->version = ac.version;
	out->generation = slot->generation;
	out->swaps = slot->swaps;
	out->reason_crate = LINKER_NO_CRATE;
	const struct loaded_crate *c = placed(l, crate_id);
	if (!c)
		return STATUS_OK;
	out->loaded = slot->state == CRATE_LOADED;
	out->retired = slot->state == CRATE_RETIRED;
	out->unchecked = c->unchecked;
	out->text_size = c->size_of_kind[REGION_TEXT];
	out->rodata_size = c->size_of_kind[REGION_RODATA];
	out->data_size = c->size_of_kind[REGION_DATA];
	out->bss_size = c->size_of_kind[REGION_BSS];
	out->scratch_size = c->scratch_size;
	out->got_size = c->got.size;
	out->section_count = c->section_count;
	out->reloc_count = c->reloc_count;
	out->refcount = c->refcount;
	out->load_time = c->load_time;
	out->dependent_relocs = c->dependent_count;
	out->reason_crate = c->reason_crate;
	out->reason_symbol = c->reason_symbol;
	/* A crate's reverse edges are added together while it links (and
	 * removal keeps order), so each dependent crate forms one run. */
	for (uint32_t i = 0; i < c->dependent_count; i++)
		if (i == 0 || c->dependents[i].crate != c->dependents[i - 1].crate)
			out->dependent_crates++;
	return STATUS_OK;
}

static bool in_text(const struct loaded_crate *c, uint64_t address)
{
	for (uint32_t i = 0; i < c->region_count; i++) {
		const struct linker_region *r = &c->regions[i];
		if (r->kind == REGION_TEXT && address >= r->vaddr && address - r->vaddr < r->size)
			return true;
	}
	return false;
}

bool linker_export_address(const struct linker *l, uint32_t crate_id, const char *name,
                           bool code_only, uint64_t *address)
{
	const struct loaded_crate *c = loaded(l, crate_id);
	uint32_t ex = c ? find_export(c, name) : LINKER_NO_SECTION;
	uint32_t sec;
	uint64_t at;
	if (ex == LINKER_NO_SECTION || !symbol_address(c, ex, &at, &sec) || (code_only && !in_text(c, at)))
		return false;
	*address = at;
	return true;
}

struct export_walk {
	const struct linker *l;
	uint32_t crate_id;
	linker_export_fn fn;
	void *ctx;
};

static void export_with_address(void *p, const char *name)
{
	struct export_walk *w = p;
	uint64_t address = 0;
	(void)linker_export_address(w->l, w->crate_id, name, false, &address);
	w->fn(w->ctx, name, address);
}

void linker_for_each_export(const struct linker *l, uint32_t crate_id,
                            linker_export_fn fn, void *ctx)
{
	const struct archive *a;
	uint32_t index;
	if (!slot_archive(l, crate_id, &a, &index))
		return;
	struct export_walk w = {l, crate_id, fn, ctx};
	archive_for_each_export(a, index, export_with_address, &w);
}

bool linker_text_contains(const struct linker *l, uint32_t crate_id, uint64_t address)
{
	const struct loaded_crate *c = placed(l, crate_id);
	return c && in_text(c, address);
}

void linker_for_each_text(const struct linker *l, uint32_t crate_id,
                          linker_range_fn fn, void *ctx)
{
	const struct loaded_crate *c = placed(l, crate_id);
	for (uint32_t i = 0; c && i < c->region_count; i++) {
		const struct linker_region *r = &c->regions[i];
		if (r->kind == REGION_TEXT)
			fn(ctx, r->vaddr, r->vaddr + r->size);
	}
}

void linker_for_each_section(const struct linker *l, uint32_t crate_id, const char *prefix,
                             linker_section_fn fn, void *ctx)
{
	/* Loaded, or placed by the request in progress (env->crate_event). */
	const struct loaded_crate *c = crate_id < l->slot_count ? l->slots[crate_id].crate : NULL;
	size_t plen = strlen(prefix);
	for (uint32_t i = 0; c && i < c->section_count; i++) {
		const struct crate_section *s = &c->sections[i];
		if (s->vaddr && s->size && strlen(s->name) >= plen && !memcmp(s->name, prefix, plen))
			fn(ctx, s->name, s->vaddr, s->size, s->kind);
	}
}

static const char *section_name(const struct linker *l, uint32_t crate, uint32_t section)
{
	if (crate == LINKER_KERNEL_CRATE)
		return "(export)";
	const struct loaded_crate *c = loaded(l, crate);
	if (!c)
		c = crate < l->slot_count ? l->slots[crate].crate : NULL; /* still linking */
	return c && section < c->section_count ? c->sections[section].name : "-";
}

static void call_edge(const struct linker *l, uint32_t from, const struct loaded_crate *c,
                      const struct reloc_record *r, linker_edge_fn fn, void *ctx)
{
	struct linker_edge e = {from, r->target_crate, linker_symbol_name(c, r->symbol),
	                        section_name(l, from, r->section),
	                        section_name(l, r->target_crate, r->target_section)};
	fn(ctx, &e);
}

void linker_for_each_dependency(const struct linker *l, uint32_t crate_id,
                                linker_edge_fn fn, void *ctx)
{
	const struct loaded_crate *c = loaded(l, crate_id);
	for (uint32_t i = 0; c && i < c->reloc_count; i++)
		call_edge(l, crate_id, c, &c->relocs[i], fn, ctx);
}

void linker_for_each_dependent(const struct linker *l, uint32_t crate_id,
                               linker_edge_fn fn, void *ctx)
{
	const struct loaded_crate *c = loaded(l, crate_id);
	for (uint32_t i = 0; c && i < c->dependent_count; i++) {
		const struct reloc_ref *d = &c->dependents[i];
		const struct loaded_crate *user = l->slots[d->crate].crate;
		call_edge(l, d->crate, user, &user->relocs[d->reloc], fn, ctx);
	}
}

/* The loaded crate and section holding `address`. */
static const struct loaded_crate *crate_section_of(const struct linker *l, uint64_t address,
                                                   uint32_t *section)
{
	for (uint32_t id = 0; id < l->slot_count; id++) {
		const struct loaded_crate *c = l->slots[id].crate;
		for (uint32_t i = 0; c && i < c->section_count; i++) {
			const struct crate_section *s = &c->sections[i];
			if (s->size && address >= s->vaddr && address - s->vaddr < s->size) {
				*section = i;
				return c;
			}
		}
	}
	return NULL;
}

uint32_t linker_crate_of_address(const struct linker *l, uint64_t address)
{
	uint32_t section;
	const struct loaded_crate *c = crate_section_of(l, address, &section);
	return c ? c->id : LINKER_NO_CRATE;
}

bool linker_locate(const struct linker *l, uint64_t address, struct linker_location *out)
{
	uint32_t section;
	const struct loaded_crate *c = crate_section_of(l, address, &section);
	memset(out, 0, sizeof(*out));
	out->crate_id = LINKER_NO_CRATE;
	if (!c)
		return false;
	const struct crate_section *s = &c->sections[section];
	out->crate_id = c->id;
	out->crate = c->name;
	out->version = c->version;
	out->section = s->name;
	out->offset = address - s->vaddr;
	/* Symbol values of a relocatable object are offsets in their section. */
	struct elf64_sym sym;
	for (uint32_t i = 1; i < c->elf.sym_count; i++) {
		elf_view_sym(&c->elf, i, &sym);
		if (sym.st_shndx != s->shndx || ELF64_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		uint64_t off = address - s->vaddr;
		if (off >= sym.st_value && off - sym.st_value < (sym.st_size ? sym.st_size : 1)) {
			out->function = elf_view_sym_name(&c->elf, &sym);
			out->offset = off - sym.st_value;
			out->function_size = sym.st_size;
			break;
		}
	}
	return true;
}

bool linker_archive_crate_has_section(const struct linker *l, uint32_t crate_id,
                                      const char *prefix)
{
	if (crate_id >= l->archive.crate_count)
		return false;
	struct link_error err;
	const uint8_t *image = archive_crate_image(&l->archive, crate_id, &err);
	struct archive_crate ac = archive_crate_at(&l->archive, crate_id);
	struct elf_view v;
	if (!image || !status_ok(elf_view_open(&v, image, ac.elf_size, ac.name, &err)))
		return false;
	size_t plen = strlen(prefix);
	for (uint32_t i = 1; i < v.shnum; i++) {
		const char *name = elf_view_section_name(&v, i);
		if (name && strlen(name) >= plen && !memcmp(name, prefix, plen))
			return true;
	}
	return false;
}
