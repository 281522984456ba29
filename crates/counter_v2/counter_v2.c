#include <theseus/crate.h>
#include "counter_v2.h"
#include "log.h"
#include "state_store.h"

CRATE("counter_v2", "2.0.0", "counts its runs, and those since the upgrade", "", "counter", "fmt,state_store,log");

#define KEY STR("counter.total")

struct counter_state_v2 {
	uint64_t total;
	uint64_t since_upgrade;
};

CRATE_EXPORT struct status counter_main(struct str args)
{
	(void)args;
	struct counter_state_v2 st = {0, 0};
	struct state_get_result got = state_get(KEY, BYTES_OF(st));
	if (got.err == E_OK && got.value.version != 2)
		return STATUS(E_INVAL); /* not migrated */
	st.total++;
	st.since_upgrade++;
	struct status s = state_put(KEY, STR_OF_BYTES(BYTES_OF(st)), 2);
	if (!status_ok(s))
		return s;
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("counter 2.0.0: run "));
	fmt_u64(&line, st.total);
	fmt_str(&line, STR(" ("));
	fmt_u64(&line, st.since_upgrade);
	fmt_str(&line, STR(" since the upgrade)"));
	log_line(LOG_INFO, STR("counter"), &line);
	return STATUS_OK;
}

/* Format 1 (the total alone) becomes format 2; format 2 stays. */
CRATE_EXPORT struct status counter_migrate(uint32_t from_version)
{
	if (from_version == 2)
		return STATUS_OK;
	if (from_version != 1)
		return STATUS(E_INVAL);
	uint64_t total = 0;
	struct state_get_result got = state_get(KEY, BYTES_OF(total));
	if (got.err == E_NOENT)
		return STATUS_OK; /* never ran: nothing to convert */
	if (got.err != E_OK || got.value.version != 1)
		return STATUS(got.err != E_OK ? got.err : E_INVAL);
	struct counter_state_v2 st = {total, 0};
	return state_put(KEY, STR_OF_BYTES(BYTES_OF(st)), 2);
}
