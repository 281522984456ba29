/* Named references (linker.h): an export held by name, re-resolved to its
 * current provider when the crate it resolved to was unloaded or
 * replaced. The weak reference's upgrade, made to survive a swap. */
#include "linker_internal.h"

void linker_named_ref_unresolve(struct linker_named_ref *ref)
{
	ref->crate_id = LINKER_NO_CRATE;
	ref->generation = 0;
	ref->flags &= LINKER_REF_BOUND | LINKER_REF_TYPE_MASK;
	ref->address = 0;
}

static enum linker_call_type ref_type(const struct linker_named_ref *ref)
{
	return (enum linker_call_type)((ref->flags & LINKER_REF_TYPE_MASK) >> LINKER_REF_TYPE_SHIFT);
}

const char *linker_named_ref_name(const struct linker *l, const struct linker_named_ref *ref)
{
	return (ref->flags & LINKER_REF_BOUND) ? archive_string(&l->archive, ref->name_off) : NULL;
}

/* Point ref at the crate that exports its name now, loading nothing: the
 * archive's default provider first, else any loaded crate exporting the
 * name (an alternative or a pushed crate swapped in for it). With
 * allow_linking, a crate that the request in progress is loading counts
 * too (its code is linked and protected by the time its init runs).
 * E_STALE: no such crate is loaded; E_INVAL: it exports the name, but
 * not as code; E_PERM: with another type than the reference's. The type is
 * compared when a provider is located, not at every call. */
static struct status locate(const struct linker *l, struct linker_named_ref *ref, bool allow_linking)
{
	const char *name = linker_named_ref_name(l, ref);
	uint32_t first = name ? archive_find_provider(&l->archive, name, NULL) : ARCHIVE_NO_CRATE;
	if (first == ARCHIVE_NO_CRATE)
		return STATUS(E_NOENT);
	struct status st = STATUS(E_STALE);
	for (uint32_t n = 0; n <= l->slot_count; n++) {
		uint32_t id = n == 0 ? first : n - 1;
		if (n > 0 && id == first)
			continue;
		const struct crate_slot *slot = &l->slots[id];
		bool usable = slot->state == CRATE_LOADED || (allow_linking && slot->state == CRATE_LINKING);
		if (!usable || !slot->crate || find_export(slot->crate, name) == LINKER_NO_SECTION)
			continue;
		uint32_t index = find_export(slot->crate, name), section;
		uint64_t address;
		if (!symbol_address(slot->crate, index, &address, &section) || section == LINKER_NO_SECTION ||
		    slot->crate->sections[section].kind != REGION_TEXT) {
			st = STATUS(E_INVAL);
			continue;
		}
		if (!status_ok(linker_check_call_type(l, id, name, linker_call_type_name(ref_type(ref)), NULL))) {
			st = STATUS(E_PERM);
			continue;
		}
		ref->crate_id = id;
		ref->generation = slot->generation;
		ref->flags = LINKER_REF_BOUND | (ref->flags & LINKER_REF_TYPE_MASK) |
			     (slot->state == CRATE_LOADED ? 0 : LINKER_REF_PROVISIONAL);
		ref->address = address;
		return STATUS_OK;
	}
	return st;
}

struct status linker_named_ref_bind(struct linker *l, const char *name, enum linker_call_type type,
                                    struct linker_named_ref *out, struct link_error *err)
{
	if ((unsigned)type >= LINKER_CALL_TYPE_COUNT)
		return link_fail(err, E_INVAL, "", "unknown call type for a named reference");
	struct linker_named_ref ref = {.flags = LINKER_REF_BOUND | ((uint32_t)type << LINKER_REF_TYPE_SHIFT)};
	if (archive_find_provider(&l->archive, name, &ref.name_off) == ARCHIVE_NO_CRATE) {
		struct status st = link_fail(err, E_NOENT, "", "no crate of the boot archive exports it");
		link_error_set_symbol(err, name);
		return st;
	}
	linker_named_ref_unresolve(&ref);
	/* From a crate's init (a request in progress) the provider may be the
	 * crate being loaded; otherwise it may be loaded on demand. */
	struct status st = locate(l, &ref, l->busy);
	if (st.err == E_STALE && !l->busy) {
		struct linker_symbol sym;
		st = linker_resolve(l, name, 0, &sym, err);
		if (status_ok(st))
			st = locate(l, &ref, false);
	}
	if (st.err == E_STALE && l->busy)
		st = STATUS_OK; /* resolved by the first call that finds it loaded */
	if (st.err == E_INVAL) {
		(void)link_fail(err, E_INVAL, "", "the export is not code");
		link_error_set_symbol(err, name);
	}
	if (st.err == E_PERM) {
		(void)link_fail(err, E_PERM, "", "a function the nano-core calls by name has another type: "
		                "the provider does not define it as ");
		link_error_append(err, linker_call_type_name(type));
		link_error_set_symbol(err, name);
	}
	if (status_ok(st))
		*out = ref;
	return st;
}

struct status linker_named_ref_acquire(struct linker *l, struct linker_named_ref *ref,
                                       struct linker_held *out)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (ref->crate_id < l->slot_count && l->slots[ref->crate_id].generation == ref->generation) {
			const struct crate_slot *slot = &l->slots[ref->crate_id];
			if (slot->state == CRATE_LOADED) {
				struct weak_ref weak = {ref->crate_id, ref->generation, ref->name_off};
				struct linker_symbol sym;
				if (status_ok(linker_weak_upgrade(l, &weak, &sym))) {
					ref->address = sym.address;
					ref->flags &= ~LINKER_REF_PROVISIONAL;
					*out = (struct linker_held){sym.address, weak.crate_id, weak.generation, true};
					return STATUS_OK;
				}
			} else if (slot->state == CRATE_LINKING && (ref->flags & LINKER_REF_PROVISIONAL)) {
				/* The request that loads it runs below us: no strong
				 * reference, the linker counts them on loaded crates. */
				*out = (struct linker_held){ref->address, ref->crate_id, ref->generation, false};
				return STATUS_OK;
			}
		}
		if (attempt == 0 && !status_ok(locate(l, ref, false)))
			break;
	}
	linker_named_ref_unresolve(ref);
	return STATUS(E_STALE);
}

void linker_named_ref_release(struct linker *l, struct linker_held *held)
{
	/* The generation check keeps a put from landing on a later incarnation. */
	if (held->strong && held->crate_id < l->slot_count &&
	    l->slots[held->crate_id].generation == held->generation)
		(void)linker_ref_put(l, held->crate_id);
	held->strong = false;
}
