#include <theseus/cpu.h>
#include <theseus/crate.h>
#include "state_store.h"

CRATE("state_store", "1.0.0", "state that outlives crate versions, under keys", "", "", "");

struct entry {
	char key[STATE_KEY_MAX];
	size_t key_len;
	unsigned char value[STATE_VALUE_MAX];
	size_t len;
	uint32_t version;
	bool used;
};

/* The store's contents are the point of this crate: they are the state
 * other crates hand over across versions. */
static struct entry entries[STATE_ENTRIES];

static bool key_is(const struct entry *e, struct str key)
{
	return e->used && str_eq(STR_FROM_ARRAY(e->key, e->key_len), key);
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
		if (!entries[i].used)
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
	e->used = true;
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
		e->used = false;
	cpu_irq_restore(irq);
	return e ? STATUS_OK : STATUS(E_NOENT);
}
