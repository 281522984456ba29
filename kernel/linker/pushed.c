/* Crates added to the running system: pushed (linker_add_pushed in
 * linker.h) or copied for a restart (linker_add_copy).
 *
 * A pushed crate arrives as an archive of its own, holding one crate, and
 * gets a slot after the boot archive's; a copy is a slot after them that
 * stands for a boot archive entry again. Everything that reads a crate's
 * archive entry goes through linker_crate_entry/slot_image, so from then on it is
 * loaded, linked, swapped and unloaded like any other crate. */
#include "linker_internal.h"

bool linker_is_pushed(const struct linker *l, uint32_t id)
{
	return id < l->slot_count && l->slots[id].pushed;
}

/* The boot archive entry a copy slot stands for, or ARCHIVE_NO_CRATE. */
static uint32_t copy_source(const struct linker *l, uint32_t id)
{
	if (id < l->archive.crate_count || id >= l->slot_count || !l->slots[id].copy_of)
		return ARCHIVE_NO_CRATE;
	return l->slots[id].copy_of - 1;
}

bool linker_is_added(const struct linker *l, uint32_t id)
{
	return linker_is_pushed(l, id) || copy_source(l, id) != ARCHIVE_NO_CRATE;
}

bool slot_archive(const struct linker *l, uint32_t id, const struct archive **a, uint32_t *index)
{
	if (id < l->archive.crate_count || copy_source(l, id) != ARCHIVE_NO_CRATE) {
		*a = &l->archive;
		*index = id < l->archive.crate_count ? id : copy_source(l, id);
		return true;
	}
	if (!linker_is_pushed(l, id))
		return false;
	*a = l->slots[id].pushed;
	*index = 0;
	return true;
}

bool linker_crate_entry(const struct linker *l, uint32_t id, struct archive_crate *out)
{
	const struct archive *a;
	uint32_t index;
	if (!slot_archive(l, id, &a, &index))
		return false;
	*out = archive_crate_at(a, index);
	return true;
}

bool linker_crate_exports_symbol(const struct linker *l, uint32_t id, const char *symbol)
{
	const struct archive *a;
	uint32_t index;
	return slot_archive(l, id, &a, &index) && archive_crate_exports(a, index, symbol);
}

const uint8_t *slot_image(const struct linker *l, uint32_t id, struct link_error *err)
{
	const struct archive *a;
	uint32_t index;
	if (!slot_archive(l, id, &a, &index)) {
		(void)link_fail(err, E_NOENT, "", "no such crate");
		return NULL;
	}
	return archive_crate_image(a, index, err);
}

/* The checker's verdict travels with the object as its stamp (stamp.h):
 * with a key, a crate is loaded only when the stamp matches (which also
 * vouches for every byte, so the CRC-32 is not computed again), or, in
 * developer mode, marked unchecked. Without a key, the CRC-32 only. */
const uint8_t *attested_image(const struct linker *l, const struct archive *a, uint32_t index,
                              uint64_t *object_size, bool *unchecked, struct link_error *err)
{
	struct archive_crate ac = archive_crate_at(a, index);
	const uint8_t *image = a->base + ac.elf_off;
	*object_size = ac.elf_size;
	*unchecked = false;
	if (!l->attest_key)
		return archive_crate_image(a, index, err);
	uint64_t covered = 0;
	const char *why = "";
	enum stamp_verdict v = stamp_verify(image, ac.elf_size, l->attest_key, &covered, &why);
	if (v == STAMP_VALID) {
		*object_size = covered;
		return image;
	}
	if (!l->allow_unchecked) {
		(void)link_fail(err, E_PERM, ac.name, "refused: ");
		link_error_append(err, why);
		return NULL;
	}
	if (!archive_crate_image(a, index, err))
		return NULL;
	if (v == STAMP_BAD)
		*object_size = ac.elf_size - STAMP_SIZE; /* a trailer of some other key */
	*unchecked = true;
	return image;
}

const uint8_t *slot_attested_image(struct linker *l, uint32_t id, uint64_t *object_size,
                                   bool *unchecked, struct link_error *err)
{
	uint32_t index;
	const struct archive *a;
	if (!slot_archive(l, id, &a, &index)) {
		(void)link_fail(err, E_NOENT, "", "no such crate");
		return NULL;
	}
	const uint8_t *image = attested_image(l, a, index, object_size, unchecked, err);
	if (image && *unchecked && l->env.log) {
		const char *pieces[4] = {"linker: developer mode: loading crate ",
		                         archive_crate_at(a, index).name,
		                         " unchecked: ", "it carries no valid stamp of this build"};
		l->env.log(l->env.ctx, pieces, 4);
	}
	return image;
}

/* A vacant pushed slot, or a new one at the end (the slot array grows by
 * one: pushes are rare and few). */
static struct status free_slot(struct linker *l, uint32_t *id, struct link_error *err)
{
	for (uint32_t i = l->archive.crate_count; i < l->slot_count; i++) {
		if (!linker_is_added(l, i) && l->slots[i].state == CRATE_ABSENT) {
			*id = i;
			return STATUS_OK;
		}
	}
	if (l->slot_count == UINT32_MAX - 2)
		return link_fail(err, E_RANGE, "", "no crate id left for a pushed crate");
	struct crate_slot *grown = meta_alloc_array(l, l->slot_count + 1, sizeof(*grown));
	if (!grown)
		return link_fail(err, E_NOMEM, "", "out of memory for a crate slot");
	if (l->slot_count)
		memcpy(grown, l->slots, l->slot_count * sizeof(*grown));
	meta_free_array(l, l->slots, l->slot_count, sizeof(*l->slots));
	l->slots = grown;
	*id = l->slot_count++;
	/* Generation 0 is never current (see linker_init). */
	l->slots[*id].generation = 1;
	l->slots[*id].reason_crate = LINKER_NO_CRATE;
	return STATUS_OK;
}

static void free_pushed(struct linker *l, struct archive *a)
{
	meta_free_array(l, (void *)a->base, a->size, 1);
	meta_free_array(l, a, 1, sizeof(*a));
}

struct status linker_add_pushed(struct linker *l, const void *image, uint64_t size,
                                uint32_t *crate_id, struct link_error *err)
{
	if (l->busy)
		return link_fail(err, E_BUSY, "", "linker busy: a request is in progress");
	if (!image || size == 0)
		return link_fail(err, E_INVAL, "", "the pushed image is empty");
	uint8_t *copy = meta_alloc_array(l, size, 1);
	struct archive *a = meta_alloc_array(l, 1, sizeof(*a));
	if (!copy || !a) {
		meta_free_array(l, copy, size, 1);
		meta_free_array(l, a, 1, sizeof(*a));
		return link_fail(err, E_NOMEM, "", "out of memory for the pushed image");
	}
	memcpy(copy, image, size);
	struct status st = archive_open(a, copy, size, err);
	if (!status_ok(st)) {
		meta_free_array(l, copy, size, 1);
		meta_free_array(l, a, 1, sizeof(*a));
		return st;
	}
	struct archive_crate ac;
	if (a->size != size) {
		st = link_fail(err, E_BADARCH, "", "bytes follow the pushed archive's end: ");
		link_error_append_u64(err, size, 0);
		link_error_append(err, " sent for an archive of total_size ");
		link_error_append_u64(err, a->size, 0);
		a->size = size; /* what free_pushed gives back */
	} else if (a->crate_count != 1) {
		st = link_fail(err, E_BADARCH, "", "a pushed archive must hold exactly one crate; it holds ");
		link_error_append_u64(err, a->crate_count, 0);
	} else if (memcmp(a->nano_core_id, l->archive.nano_core_id, sizeof a->nano_core_id) != 0) {
		ac = archive_crate_at(a, 0);
		st = link_fail(err, E_BADARCH, ac.name,
		               "built against another nano-core than the running one (rebuild and reboot)");
	} else {
		/* The stamp (or, without a key, the CRC-32) is checked now, so a
		 * refused push names its reason before anything changes. */
		uint64_t object_size;
		bool unchecked;
		if (!attested_image(l, a, 0, &object_size, &unchecked, err))
			st = STATUS(err ? err->code : E_PERM);
	}
	uint32_t id = LINKER_NO_CRATE;
	if (status_ok(st))
		st = free_slot(l, &id, err);
	if (!status_ok(st)) {
		free_pushed(l, a);
		return st;
	}
	l->slots[id].pushed = a;
	*crate_id = id;
	return STATUS_OK;
}

struct status linker_forget_pushed(struct linker *l, uint32_t id)
{
	if (!linker_is_added(l, id))
		return STATUS(E_INVAL);
	if (l->slots[id].state != CRATE_ABSENT)
		return STATUS(E_BUSY);
	if (l->slots[id].pushed)
		free_pushed(l, l->slots[id].pushed);
	l->slots[id].pushed = NULL;
	l->slots[id].copy_of = 0;
	return STATUS_OK;
}

struct status linker_add_copy(struct linker *l, uint32_t of, uint32_t *crate_id, struct link_error *err)
{
	if (l->busy)
		return link_fail(err, E_BUSY, "", "linker busy: a request is in progress");
	if (linker_is_pushed(l, of)) {
		const struct archive *a = l->slots[of].pushed;
		return linker_add_pushed(l, a->base, a->size, crate_id, err);
	}
	uint32_t source = of < l->archive.crate_count ? of : copy_source(l, of);
	if (source == ARCHIVE_NO_CRATE)
		return link_fail(err, E_NOENT, "", "no such crate to copy");
	uint32_t id = LINKER_NO_CRATE;
	struct status st = free_slot(l, &id, err);
	if (!status_ok(st))
		return st;
	l->slots[id].copy_of = source + 1;
	*crate_id = id;
	return STATUS_OK;
}

void forget_all_pushed(struct linker *l)
{
	for (uint32_t i = l->archive.crate_count; i < l->slot_count; i++) {
		if (l->slots[i].pushed)
			free_pushed(l, l->slots[i].pushed);
		l->slots[i].pushed = NULL;
		l->slots[i].copy_of = 0;
	}
}
