#include <theseus/crate.h>
#include "counter.h"
#include "log.h"
#include "state_store.h"

CRATE("counter", "1.0.0", "counts its runs in the state store", "", "", "fmt,state_store,log");

#define KEY STR("counter.total")

CRATE_EXPORT struct status counter_main(struct str args)
{
	(void)args;
	uint64_t total = 0;
	struct state_get_result got = state_get(KEY, BYTES_OF(total));
	if (got.err == E_OK && got.value.version != 1)
		return STATUS(E_INVAL); /* a newer format: not ours to read */
	total++;
	struct status s = state_put(KEY, STR_OF_BYTES(BYTES_OF(total)), 1);
	if (!status_ok(s))
		return s;
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("counter 1.0.0: run "));
	fmt_u64(&line, total);
	log_line(LOG_INFO, STR("counter"), &line);
	return STATUS_OK;
}

/* Version 1 knows no older format. */
CRATE_EXPORT struct status counter_migrate(uint32_t from_version)
{
	return from_version == 1 ? STATUS_OK : STATUS(E_INVAL);
}
