/* Link-and-call: the linker core loads fixture crates into executable host
 * memory below 2 GiB (where -mcmodel=kernel code still links: 32S values
 * fit), with imports satisfied by host functions, then the test calls
 * them.  Built without PIE so the host functions are within reach of the
 * crates' 32-bit PC-relative calls.  Usage: link_and_call FIXTURES.archive */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_env.h"
#include "tap.h"

#define ARENA_BASE 0x40000000ull
#define ARENA_SIZE (16ull << 20)

/* The "nano-core" exports, implemented by the host. */
static char logged[8][64];
static int log_count;
static unsigned long host_counter = 5;

static void host_nc_log(const char *text)
{
	if (log_count < 8)
		snprintf(logged[log_count], sizeof(logged[0]), "%s", text);
	log_count++;
}

static int host_scale(int x) { return 3 * x; }

static struct host_ksym ksyms[] = {
	{"nc_log", 0}, {"nc_counter", 0}, {"host_scale", 0}, {"nc_phys_base", 0x100000}, {NULL, 0},
};

static uint8_t *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *data = malloc(*size);
	size_t got = fread(data, 1, *size, f);
	fclose(f);
	return got == *size ? data : NULL;
}

static struct linker l;

static void *sym(const char *name)
{
	struct linker_symbol s;
	struct link_error err;
	if (!status_ok(linker_resolve(&l, name, 0, &s, &err))) {
		printf("# resolve %s: %s\n", name, err.reason);
		return NULL;
	}
	return (void *)(uintptr_t)s.address;
}

static sigjmp_buf fault_jump;

static void on_fault(int sig)
{
	siglongjmp(fault_jump, sig);
}

/* Does writing one byte at p fault?  (W^X check on real page tables.) */
static int write_faults(volatile uint8_t *p)
{
	struct sigaction sa = {0}, old_segv, old_bus;
	sa.sa_handler = on_fault;
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	int faulted = 0;
	if (sigsetjmp(fault_jump, 1) == 0)
		*p = *p;
	else
		faulted = 1;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return faulted;
}

int main(int argc, char **argv)
{
	size_t size;
	uint8_t *data = argc == 2 ? read_all(argv[1], &size) : NULL;
	if (!data) {
		printf("Bail out! usage: link_and_call FIXTURES.archive\n");
		return 1;
	}
	ksyms[0].address = (uint64_t)(uintptr_t)host_nc_log;
	ksyms[1].address = (uint64_t)(uintptr_t)&host_counter;
	ksyms[2].address = (uint64_t)(uintptr_t)host_scale;

	struct host_env h = {.run_inits = 1, .ksyms = ksyms, .quiet = 0};
	if (host_env_map_arena(&h, ARENA_BASE, ARENA_SIZE)) {
		printf("Bail out! cannot map the arena at 0x%llx\n", ARENA_BASE);
		return 1;
	}
	struct linker_env env;
	struct link_error err;
	host_env_bind(&h, &env);
	struct status st = linker_init(&l, &env, data, size, NULL, &err);
	tap_check(status_ok(st), "linker_init on the fixture archive", "%s", err.reason);

	uint32_t id;
	st = linker_load_crate(&l, "mathlib", &id, &err);
	tap_check(status_ok(st), "load mathlib into executable memory", "%s", err.reason);

	int (*gcd)(int, int) = sym("math_gcd");
	long (*fib)(int) = sym("math_fib");
	int (*prime_sum)(int) = sym("math_prime_sum");
	int (*motto_length)(void) = sym("math_motto_length");
	int (*day_kind)(int) = sym("math_day_kind");
	int (*unary)(int, int) = sym("math_unary");
	int (*scaled)(int) = sym("math_scaled");
	int (*initialised)(void) = sym("math_initialised");
	long (*calls)(void) = sym("math_calls");
	int all = gcd && fib && prime_sum && motto_length && day_kind && unary && scaled &&
	          initialised && calls;
	tap_check(all, "resolve mathlib's exports", "");
	if (!all) {
		printf("Bail out! missing exports\n");
		return 1;
	}
	tap_check(initialised() == 42, "init ran (sets bss state)", "got %d", initialised());
	tap_check(gcd(84, 36) == 12 && gcd(17, 5) == 1, "gcd", "");
	tap_check(fib(50) == 12586269025L, "fib (64-bit loop)", "got %ld", fib(50));
	tap_check(prime_sum(10) == 129 && prime_sum(3) == 10, "rodata table", "got %d", prime_sum(10));
	tap_check(motto_length() == 18, "rodata string", "got %d", motto_length());
	int days_ok = 1;
	for (int d = 0; d < 7; d++)
		days_ok &= day_kind(d) == 100 * (d + 1) + d;
	tap_check(days_ok && day_kind(9) == 0, "switch through a jump table (32S + 64)", "");
	tap_check(unary(0, 21) == 42 && unary(1, 9) == 81 && unary(2, 5) == -5,
	          "function pointers in rodata", "");
	tap_check(scaled(10) == 31, "call into a host (nano-core) function", "got %d", scaled(10));
	tap_check(calls() == 1002, "writable data keeps state across calls", "got %ld", calls());

	const struct loaded_crate *m = linker_crate(&l, id);
	uint8_t *text = NULL, *bss = NULL;
	for (uint32_t i = 0; i < m->section_count; i++) {
		if (m->sections[i].kind == REGION_TEXT && m->sections[i].size && !text)
			text = m->sections[i].write;
		if (m->sections[i].kind == REGION_BSS && m->sections[i].size && !bss)
			bss = m->sections[i].write;
	}
	tap_check(text && write_faults(text) && bss && !write_faults(bss),
	          "W^X: writing text faults, bss is writable", "");

	/* Crates across a dependency and a cycle, imports from the host. */
	st = linker_load_crate(&l, "alpha", &id, &err);
	int (*apply)(int, int, int) = sym("alpha_apply");
	int (*sum)(void) = sym("alpha_sum");
	int (*sw)(int) = sym("alpha_switch");
	int (*has_optional)(void) = sym("alpha_has_optional");
	tap_check(status_ok(st) && apply && apply(2, 3, 4) == 7 && apply(0, 9, 4) == 5 &&
	                  apply(1, 6, 7) == 42,
	          "alpha calls beta through a function-pointer table", "%s", err.reason);
	/* beta_state 7 + beta_table[2] 3 + alpha_bss[3] 0 + host counter 5 */
	tap_check(sum && sum() == 15 && sw && sw(4) == 59 && sw(42) == -1,
	          "cross-crate data and nano-core data", "sum %d", sum ? sum() : -1);
	tap_check(log_count == 2 && !strcmp(logged[0], "beta") && !strcmp(logged[1], "hello from alpha"),
	          "inits ran providers first and logged rodata strings", "%d: %s / %s", log_count,
	          logged[0], logged[1]);
	tap_check(has_optional && has_optional() == 0, "weak undefined import is null", "");

	st = linker_load_crate(&l, "gotuse", &id, &err);
	long (*got_read)(void) = sym("got_read");
	tap_check(status_ok(st) && got_read && got_read() == 12, "data imported through the GOT",
	          "%s", err.reason);

	st = linker_load_crate(&l, "cyc_a", &id, &err);
	int (*cyc)(int) = sym("cyc_a_value");
	tap_check(status_ok(st) && cyc && cyc(3) == 212 && cyc(0) == 100, "calls around an import cycle",
	          "%s", err.reason);

	/* Live replacement: beta -> alt_beta under alpha (direct calls, a
	 * function-pointer table in rodata, a pointer in data) and gotuse
	 * (a GOT slot). Fields are patched in protected memory. */
	struct weak_ref old_ref;
	struct linker_symbol strong;
	uint32_t beta = linker_crate_by_name(&l, "beta"), alt = LINKER_NO_CRATE;
	tap_check(status_ok(linker_weak_ref(&l, "beta_add", &old_ref, &err)), "weak ref to beta_add", "");
	st = linker_swap(&l, beta, "lonely", &alt, &err);
	tap_check(st.err == E_NOENT && linker_crate(&l, beta) && sum() == 15 && apply(2, 3, 4) == 7,
	          "swap to a crate lacking the imported symbols is refused, beta stays",
	          "%s", err.reason);
	tap_check(strstr(err.reason, "missing from the replacement; beta") != NULL && err.symbol[0] &&
	                  !strncmp(err.symbol, "beta_", 5),
	          "the refusal names an export of beta that lonely lacks", "%s: %s", err.symbol, err.reason);
	/* Prepared: alt_beta placed, linked and protected apart from the
	 * swap, its init waiting, serving nobody until the swap. */
	uint32_t alt_id = archive_find_crate(&l.archive, "alt_beta");
	int logs = log_count;
	long regions_before = h.live_regions;
	st = linker_prepare(&l, alt_id, &err);
	tap_check(status_ok(st) && linker_is_prepared(&l, alt_id) && !linker_crate(&l, alt_id) && log_count == logs &&
	                  h.live_regions > regions_before,
	          "prepare: placed and linked, init not run, not published", "%s", err.reason);
	tap_check(linker_prepare(&l, alt_id, &err).err == E_EXIST, "preparing twice is refused", "");
	tap_check(linker_load_crate(&l, "alt_beta", &id, &err).err == E_BUSY && linker_is_prepared(&l, alt_id),
	          "a request does not load a prepared crate", "%s", err.reason);
	tap_check(status_ok(linker_resolve(&l, "beta_add", 0, &strong, &err)) && strong.crate_id == beta &&
	                  apply(2, 3, 4) == 7,
	          "names still resolve to beta while alt_beta is prepared", "%s", err.reason);
	st = linker_unprepare(&l, alt_id, &err);
	tap_check(status_ok(st) && !linker_is_prepared(&l, alt_id) && h.live_regions == regions_before &&
	                  linker_unprepare(&l, alt_id, &err).err == E_NOENT,
	          "unprepare frees it; a second unprepare finds nothing", "%s", err.reason);
	tap_check(status_ok(linker_prepare_swap(&l, beta, alt_id, &err)) && linker_is_prepared(&l, alt_id) && l.ahead,
	          "the swap planned ahead: alt_beta prepared, the fields computed", "%s", err.reason);
	long patches_before = h.patches;
	st = linker_swap(&l, beta, "alt_beta", &alt, &err);
	tap_check(status_ok(st) && !linker_crate(&l, beta) && linker_crate(&l, alt),
	          "swap beta -> alt_beta", "%s", err.reason);
	tap_check(log_count == logs + 1 && log_count <= 8 && !strcmp(logged[log_count - 1], "alt_beta init") &&
	                  !linker_is_prepared(&l, alt) && !l.ahead,
	          "the swap ran the prepared crate's init, once, and used the plan", "%d logs", log_count - logs);
	tap_check(h.patches > patches_before, "fields were patched through the env", "");
	/* alt_beta: beta_state 70 + beta_table[2] 30 + 0 + host counter 5 */
	tap_check(sum() == 105, "alpha's data references follow the swap", "sum %d", sum());
	tap_check(apply(2, 3, 4) == 107, "function-pointer table in rodata follows the swap",
	          "got %d", apply(2, 3, 4));
	tap_check(got_read() == 75, "GOT slot follows the swap", "got %ld", got_read());
	tap_check(linker_weak_upgrade(&l, &old_ref, &strong).err == E_STALE,
	          "weak reference into the old crate is stale", "");
	tap_check(status_ok(linker_resolve(&l, "beta_add", 0, &strong, &err)) && strong.crate_id == alt,
	          "resolving by name now finds the replacement", "%s", err.reason);
	tap_check(linker_unload(&l, alt, &err).err == E_BUSY, "the replacement has the dependents now", "");

	/* A plan made stale: an importer of alt_beta unlinked and linked again
	 * (as many dependents as before, at other addresses). The swap back
	 * plans again and re-points the new instance's GOT slot. */
	tap_check(linker_prepare_swap(&l, alt, alt, &err).err == E_INVAL, "a crate cannot be planned to replace itself", "");
	uint32_t beta_id = archive_find_crate(&l.archive, "beta");
	st = linker_prepare_swap(&l, alt, beta_id, &err);
	uint32_t gotuse = linker_crate_by_name(&l, "gotuse");
	if (status_ok(st))
		st = linker_unload(&l, gotuse, &err);
	if (status_ok(st))
		st = linker_load_crate(&l, "gotuse", &id, &err);
	got_read = sym("got_read");
	tap_check(status_ok(st) && got_read && got_read() == 75, "gotuse relinked after the plan was made", "%s", err.reason);
	st = linker_swap_to(&l, alt, beta_id, &err);
	tap_check(status_ok(st) && got_read() == 12 && sum() == 15 && apply(2, 3, 4) == 7 && !l.ahead,
	          "a stale plan is made again in the swap: every importer follows back to beta", "%s got %ld",
	          err.reason, got_read ? got_read() : -1);

	/* A plan cancelled while its NEW stays prepared (the kernel cancels
	 * the linker's one plan when a swap it prepared finds OLD busy): the
	 * swap finishes the prepared crate and makes the plan in its window. */
	uint32_t beta_now = linker_crate_by_name(&l, "beta");
	st = linker_prepare_swap(&l, beta_now, alt_id, &err);
	linker_cancel_swap_plan(&l);
	tap_check(status_ok(st) && linker_is_prepared(&l, alt_id) && !l.ahead,
	          "a cancelled plan leaves its NEW prepared", "%s", err.reason);
	st = linker_swap_to(&l, beta_now, alt_id, &err);
	tap_check(status_ok(st) && sum() == 105 && apply(2, 3, 4) == 107 && got_read() == 75 && !linker_is_prepared(&l, alt_id),
	          "the swap to a prepared crate without a plan plans in its window: every importer follows",
	          "%s sum %d", err.reason, sum());
	st = linker_swap_to(&l, alt_id, beta_id, &err);
	tap_check(status_ok(st) && sum() == 15 && apply(2, 3, 4) == 7 && got_read() == 12, "and back to beta",
	          "%s", err.reason);

	/* A retiring swap: beta held by a strong reference (a task inside
	 * it, in the kernel) is replaced all the same, and stays placed. */
	beta_now = linker_crate_by_name(&l, "beta");
	tap_check(status_ok(linker_ref_get(&l, beta_now)) && linker_swap_to(&l, beta_now, alt_id, &err).err == E_BUSY,
	          "a plain swap refuses a crate with a strong reference", "%s", err.reason);
	long retired_regions = h.live_regions;
	uint64_t beta_add_at = 0;
	int beta_add_found = linker_export_address(&l, beta_now, "beta_add", true, &beta_add_at);
	st = linker_swap_retiring(&l, beta_now, alt_id, &err);
	tap_check(status_ok(st) && sum() == 105 && apply(2, 3, 4) == 107 && got_read() == 75,
	          "a retiring swap re-links every importer to alt_beta", "%s", err.reason);
	struct linker_crate_stats beta_stats;
	tap_check(linker_is_retired(&l, beta_now) && !linker_is_loaded(&l, beta_now) && !linker_crate(&l, beta_now) &&
	                  linker_next_retired(&l, LINKER_NO_CRATE) == beta_now && h.live_regions > retired_regions &&
	                  status_ok(linker_crate_stats(&l, beta_now, &beta_stats)) && beta_stats.retired &&
	                  !beta_stats.loaded && beta_stats.refcount == 1 && beta_stats.text_size > 0,
	          "beta is retired: placed (its figures shown), not loaded", "");
	tap_check(status_ok(linker_resolve(&l, "beta_add", 0, &strong, &err)) && strong.crate_id == alt_id,
	          "names resolve to alt_beta, never to the retired beta", "%s", err.reason);
	tap_check(linker_load_id(&l, beta_now, &err).err == E_BUSY && strstr(err.reason, "retired"),
	          "a load of the retired crate is refused", "%s", err.reason);
	/* Its code still runs for the tasks inside it: a flipped byte in it
	 * is mended as in any loaded crate (the scrubber patrols it too). */
	static uint8_t repair_scratch[1 << 16];
	static const uint8_t int3 = 0xcc;
	uint64_t mended = 0;
	int broke = beta_add_found && status_ok(l.env.patch(l.env.ctx, beta_add_at, &int3, 1));
	st = linker_repair(&l, beta_now, repair_scratch, sizeof repair_scratch, &mended, &err);
	tap_check(broke && status_ok(st) && mended >= 1, "a retired crate's code is repaired", "%s mended %lu",
	          err.reason, mended);
	tap_check(status_ok(linker_ref_put(&l, beta_now)), "the reference taken before is given back to it", "");
	st = linker_unretire(&l, beta_now, &err);
	if (status_ok(st))
		st = linker_swap_to(&l, alt_id, beta_now, &err);
	tap_check(status_ok(st) && linker_is_loaded(&l, beta_now) && sum() == 15 && got_read() == 12,
	          "unretired and swapped back: beta serves again", "%s", err.reason);
	st = linker_swap_retiring(&l, beta_now, alt_id, &err);
	if (status_ok(st))
		st = linker_unload(&l, beta_now, &err);
	tap_check(status_ok(st) && !linker_is_retired(&l, beta_now) && !linker_crate(&l, beta_now) && sum() == 105,
	          "a retired crate is unloaded once nothing runs in it", "%s", err.reason);
	st = linker_swap_to(&l, alt_id, beta_id, &err);
	tap_check(status_ok(st) && sum() == 15, "and beta loaded again in its place", "%s", err.reason);

	/* A crate in an import cycle with what its request loads cannot be
	 * prepared apart: cyc_b's init would run before cyc_a's. */
	uint32_t cyc_a = linker_crate_by_name(&l, "cyc_a");
	regions_before = h.live_regions;
	st = linker_unload_cycle(&l, cyc_a, NULL, &err);
	long after_unload = h.live_regions;
	st = status_ok(st) ? linker_prepare(&l, cyc_a, &err) : st;
	tap_check(st.err == E_INVAL && strstr(err.reason, "import cycle") && !linker_is_prepared(&l, cyc_a) &&
	                  h.live_regions == after_unload && after_unload < regions_before,
	          "preparing a crate in an import cycle is refused, nothing left behind", "%s", err.reason);

	uint32_t math = linker_crate_by_name(&l, "mathlib");
	st = linker_unload(&l, math, &err);
	tap_check(status_ok(st) && !linker_crate(&l, math), "unload mathlib", "%s", err.reason);

	linker_fini(&l);
	tap_check(h.live_regions == 0 && h.live_meta == 0, "fini frees everything",
	          "regions %ld meta %ld", h.live_regions, h.live_meta);
	host_env_unmap_arena(&h);
	free(data);
	return tap_done();
}
