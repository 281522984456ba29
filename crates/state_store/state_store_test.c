/* In-kernel tests of the state store: keys, versions, limits. The keys
 * begin with "test." so they never meet a crate's own. */
#include <theseus/ktest.h>
#include "state_store.h"

KTEST(state_put_get_overwrite_remove, "state_store.put_get_overwrite_remove")
{
	uint64_t value = 41, got = 0;
	KT_EXPECT(t, status_ok(state_put(STR("test.a"), STR_OF_BYTES(BYTES_OF(value)), 3)));
	struct state_get_result r = state_get(STR("test.a"), BYTES_OF(got));
	KT_EXPECT(t, r.err == E_OK && r.value.len == sizeof value && r.value.version == 3 && got == 41);
	value = 42;
	KT_EXPECT(t, status_ok(state_put(STR("test.a"), STR_OF_BYTES(BYTES_OF(value)), 4)));
	r = state_get(STR("test.a"), BYTES_OF(got));
	KT_EXPECT(t, r.err == E_OK && r.value.version == 4 && got == 42);
	KT_EXPECT(t, status_ok(state_remove(STR("test.a"))));
	KT_EXPECT(t, state_get(STR("test.a"), BYTES_OF(got)).err == E_NOENT);
	KT_EXPECT(t, state_remove(STR("test.a")).err == E_NOENT);
}

KTEST(state_limits_are_errors, "state_store.limits_are_errors")
{
	char big[STATE_VALUE_MAX + 1] = {};
	char small[2] = {};
	KT_EXPECT(t, state_put(STR(""), STR("x"), 1).err == E_RANGE);
	KT_EXPECT(t, state_put(STR("test.a_key_that_is_longer_than_32_bytes"), STR("x"), 1).err == E_RANGE);
	KT_EXPECT(t, state_put(STR("test.big"), STR_FROM_ARRAY(big, sizeof big), 1).err == E_RANGE);
	KT_EXPECT(t, status_ok(state_put(STR("test.three"), STR("abc"), 1)));
	KT_EXPECT(t, state_get(STR("test.three"), BYTES_OF(small)).err == E_RANGE); /* out too small */
	KT_EXPECT(t, status_ok(state_remove(STR("test.three"))));
}

KTEST(state_full_store_says_so_and_keeps_what_it_has, "state_store.full_store_says_so")
{
	char key[12] = {'t', 'e', 's', 't', '.', 'f', 'u', 'l', 'l', '.', 'a', 'a'};
	size_t added = 0;
	struct status s = STATUS_OK;
	for (size_t i = 0; i <= STATE_ENTRIES && status_ok(s); i++) {
		key[10] = (char)('a' + i / 26);
		key[11] = (char)('a' + i % 26);
		s = state_put(STR_FROM_ARRAY(key, sizeof key), STR("v"), 1);
		added += status_ok(s);
	}
	KT_EXPECT_MSG(t, s.err == E_NOMEM, "the store took %zu entries without saying it was full", added);
	char v[4] = {};
	KT_EXPECT(t, state_get(STR_FROM_ARRAY(key, sizeof key), BYTES_OF(v)).err == E_NOENT); /* the refused one */
	for (size_t i = 0; i < added; i++) {
		key[10] = (char)('a' + i / 26);
		key[11] = (char)('a' + i % 26);
		KT_EXPECT(t, status_ok(state_remove(STR_FROM_ARRAY(key, sizeof key))));
	}
}

KTEST(state_hooks_outside_a_swap_change_nothing, "state_store.hooks_outside_a_swap")
{
	KT_EXPECT(t, status_ok(state_put(STR("test.hooks"), STR("kept"), 1)));
	KT_EXPECT(t, state_store_save().err == E_INVAL);
	KT_EXPECT(t, state_store_migrate(1).err == E_NOENT);
	KT_EXPECT(t, state_store_migrate(2).err == E_INVAL);
	char got[4] = {};
	struct state_get_result r = state_get(STR("test.hooks"), BYTES_OF(got));
	KT_EXPECT(t, r.err == E_OK && r.value.len == 4 && got[0] == 'k' && got[3] == 't');
	KT_EXPECT(t, status_ok(state_remove(STR("test.hooks"))));
}
