#include <theseus/cpu.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include "state_store.h"

CRATE("state_store", "1.0.0", "state that outlives crate versions, under keys", "", "", "");

struct entry {
	char key[STATE_KEY_MAX];
	size_t key_len;
	unsigned char value[STATE_VALUE_MAX];
	size_t len;
	uint32_t version;
	uint8_t used; /* 0 or 1; a byte, not a bool, so a handed-over copy can be checked */
};

/* The store's contents are the point of this crate: they are the state
 * other crates hand over across versions. */
static struct entry entries[STATE_ENTRIES];

static bool key_is(const struct entry *e, struct str key)
{
	return e->used == 1 && str_eq(STR_FROM_ARRAY(e->key, e->key_len), key);
}

static struct entry *find(struct str key)
{
	for (size_t i = 0; i < STATE_ENTRIES; i++)
		if (key_is(ARRAY_AT(entries, i), key))
			return ARRAY_AT(entries, i);
	return NULL;
}

CRATE_EXPORT struct status state_put(struct str key, struct str value, uint32_t version)
{
	if (key.len == 0 || key.len > STATE_KEY_MAX || value.len > STATE_VALUE_MAX)
		return STATUS(E_RANGE);
	bool irq = cpu_irq_save();
	struct entry *e = find(key);
	for (size_t i = 0; !e && i < STATE_ENTRIES; i++)
		if (entries[i].used != 1)
			e = ARRAY_AT(entries, i);
	if (!e) {
		cpu_irq_restore(irq);
		return STATUS(E_NOMEM);
	}
	for (size_t i = 0; i < key.len; i++)
		e->key[i] = str_at(key, i);
	e->key_len = key.len;
	for (size_t i = 0; i < value.len; i++)
		e->value[i] = (unsigned char)str_at(value, i);
	e->len = value.len;
	e->version = version;
	e->used = 1;
	cpu_irq_restore(irq);
	return STATUS_OK;
}

CRATE_EXPORT struct state_get_result state_get(struct str key, struct bytes out)
{
	bool irq = cpu_irq_save();
	const struct entry *e = find(key);
	struct state_get_result r = {E_NOENT, {0, 0}};
	if (e && e->len > out.len) {
		r.err = E_RANGE;
	} else if (e) {
		for (size_t i = 0; i < e->len; i++)
			bytes_set(out, i, e->value[i]);
		r = (struct state_get_result){E_OK, {e->len, e->version}};
	}
	cpu_irq_restore(irq);
	return r;
}

CRATE_EXPORT struct status state_remove(struct str key)
{
	bool irq = cpu_irq_save();
	struct entry *e = find(key);
	if (e)
		e->used = 0;
	cpu_irq_restore(irq);
	return e ? STATUS_OK : STATUS(E_NOENT);
}

/* A swap or a restart of the store hands every entry to the next instance
 * (the swap's handover): the entries are other crates' state, which no
 * version of the store may drop. */
CRATE_EXPORT struct status state_store_save(void)
{
	bool irq = cpu_irq_save();
	struct status s = kernel_swap_handover_put(STR_OF_BYTES(BYTES_OF(entries)));
	cpu_irq_restore(irq);
	return s;
}

static bool entry_valid(const struct entry *e)
{
	return e->used == 0 ||
	       (e->used == 1 && e->key_len >= 1 && e->key_len <= STATE_KEY_MAX && e->len <= STATE_VALUE_MAX);
}

/* Takes the entries over. An entry that is not well formed (the store may
 * be restarted because it faulted) is dropped, not trusted: the others
 * still carry over. */
CRATE_EXPORT struct status state_store_migrate(uint32_t from_major)
{
	if (from_major != 1)
		return STATUS(E_INVAL); /* only this entry layout exists */
	bool irq = cpu_irq_save();
	struct count_result got = kernel_swap_handover_get(BYTES_OF(entries));
	bool ok = got.err == E_OK && got.value == sizeof entries;
	/* Nothing handed over: nothing was copied, the entries stand. A
	 * handover of the wrong size: this instance is swapped back out. */
	for (size_t i = 0; got.err == E_OK && i < STATE_ENTRIES; i++)
		if (!ok || !entry_valid(ARRAY_AT(entries, i)))
			*ARRAY_AT(entries, i) = (struct entry){};
	cpu_irq_restore(irq);
	return ok ? STATUS_OK : STATUS(got.err == E_OK ? E_INVAL : got.err);
}
