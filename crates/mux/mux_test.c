/* In-kernel tests of the multiplexer pattern, on an instance of its own
 * (string targets keyed by small numbers). */
#include <theseus/ktest.h>
#include <theseus/slice.h>
#include "mux.h"

MUX_DEFINE(test_mux, uint32_t, struct str, 4)

struct seen {
	char text[32];
	size_t len;
};

/* The targets of key's subscribers, in fan-out order, each followed by ','. */
static size_t visit(const struct test_mux *m, uint32_t key, struct seen *out)
{
	struct test_mux_cursor c = test_mux_cursor(key);
	size_t slot;
	out->len = 0;
	while (test_mux_next(m, &c, &slot)) {
		struct str s = m->subs[slot].target;
		for (size_t i = 0; i < s.len && out->len < sizeof out->text - 1; i++)
			out->text[out->len++] = str_at(s, i);
		if (out->len < sizeof out->text - 1)
			out->text[out->len++] = ',';
	}
	out->text[out->len] = '\0';
	return out->len;
}

static bool same(const struct seen *got, struct str want)
{
	return str_eq(STR_FROM_ARRAY(got->text, got->len), want);
}

KTEST(mux_fans_out_in_subscription_order, "mux.fans_out_in_subscription_order")
{
	struct test_mux m = {};
	struct seen seen;
	size_t a, b, c, d;
	test_mux_init(&m);
	KT_EXPECT(t, status_ok(test_mux_add(&m, 1, STR("a"), &a)));
	KT_EXPECT(t, status_ok(test_mux_add(&m, 2, STR("b"), &b)));
	KT_EXPECT(t, status_ok(test_mux_add(&m, 1, STR("c"), &c)));
	KT_EXPECT(t, test_mux_count(&m, 1) == 2 && test_mux_count(&m, 2) == 1 && test_mux_count(&m, 3) == 0);
	visit(&m, 1, &seen);
	KT_EXPECT_MSG(t, same(&seen, STR("a,c,")), "key 1 visited %s", STR_FROM_CSTR_ARRAY(seen.text));
	/* A freed slot is reused, but the newcomer still comes last. */
	test_mux_remove_at(&m, a);
	KT_EXPECT(t, status_ok(test_mux_add(&m, 1, STR("d"), &d)));
	KT_EXPECT(t, d == a);
	visit(&m, 1, &seen);
	KT_EXPECT_MSG(t, same(&seen, STR("c,d,")), "key 1 visited %s", STR_FROM_CSTR_ARRAY(seen.text));
	visit(&m, 2, &seen);
	KT_EXPECT(t, same(&seen, STR("b,")));
	KT_EXPECT(t, visit(&m, 3, &seen) == 0);
}

KTEST(mux_full_is_an_error, "mux.full_is_an_error")
{
	struct test_mux m = {};
	size_t slot;
	test_mux_init(&m);
	for (uint32_t i = 0; i < 4; i++)
		KT_EXPECT(t, status_ok(test_mux_add(&m, i, STR("x"), &slot)));
	KT_EXPECT(t, test_mux_add(&m, 9, STR("y"), &slot).err == E_NOMEM);
	test_mux_remove_at(&m, 2);
	KT_EXPECT(t, status_ok(test_mux_add(&m, 9, STR("y"), &slot)) && slot == 2);
}

KTEST(mux_cursor_survives_changes, "mux.cursor_survives_changes")
{
	struct test_mux m = {};
	size_t a, b, c, slot;
	test_mux_init(&m);
	KT_EXPECT(t, status_ok(test_mux_add(&m, 7, STR("a"), &a)));
	KT_EXPECT(t, status_ok(test_mux_add(&m, 7, STR("b"), &b)));
	KT_EXPECT(t, status_ok(test_mux_add(&m, 7, STR("c"), &c)));
	struct test_mux_cursor cur = test_mux_cursor(7);
	KT_EXPECT(t, test_mux_next(&m, &cur, &slot) && slot == a);
	/* Between two steps: the current one and the next one leave, and a
	 * newcomer takes the first one's slot. */
	test_mux_remove_at(&m, a);
	test_mux_remove_at(&m, b);
	size_t e;
	KT_EXPECT(t, status_ok(test_mux_add(&m, 7, STR("e"), &e)));
	KT_EXPECT(t, test_mux_next(&m, &cur, &slot) && slot == c);
	KT_EXPECT(t, test_mux_next(&m, &cur, &slot) && slot == e);
	KT_EXPECT(t, !test_mux_next(&m, &cur, &slot));
}
