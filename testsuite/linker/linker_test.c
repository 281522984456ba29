/* Behaviour of the runtime linker core on the fixture archive: on-demand
 * loading, private namespaces, errors, all-or-nothing, references, weak
 * references, the dependency graph, pushed crates.
 * Usage: linker_test FIXTURES.archive PUSH.archive */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_env.h"
#include "tap.h"

#define KERNEL_BASE 0xffffffffc0000000ull

static uint8_t *archive_data, *push_data;
static size_t archive_size, push_size;

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	*size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	*data = malloc(*size);
	size_t got = fread(*data, 1, *size, f);
	fclose(f);
	return got == *size ? 0 : -1;
}

struct fixture {
	struct host_env h;
	struct linker_env env;
	struct linker l;
	struct link_error err;
	uint8_t *copy; /* private archive copy (tests corrupt it) */
};

static struct status setup_with(struct fixture *f, const uint8_t *data, size_t size, int pack)
{
	memset(f, 0, sizeof(*f));
	f->h.base = KERNEL_BASE;
	f->h.quiet = 1;
	f->copy = malloc(size);
	memcpy(f->copy, data, size);
	host_env_bind(&f->h, &f->env);
	struct linker_options opt = {.pack_sections = pack};
	struct status st = linker_init(&f->l, &f->env, f->copy, size, &opt, &f->err);
	if (status_ok(st))
		f->h.ksym_archive = &f->l.archive;
	return st;
}

static void setup(struct fixture *f)
{
	struct status st = setup_with(f, archive_data, archive_size, 1);
	if (!status_ok(st)) {
		printf("Bail out! fixture archive refused: %s\n", f->err.reason);
		exit(1);
	}
}

static void teardown(struct fixture *f)
{
	linker_fini(&f->l);
	free(f->copy);
}

static int is_loaded(struct fixture *f, const char *name)
{
	return linker_crate(&f->l, linker_crate_by_name(&f->l, name)) != NULL;
}

static int nothing_allocated(const struct fixture *f)
{
	/* Only the slot table stays between requests. */
	return f->h.live_regions == 0 && f->h.live_meta == 1;
}

static const char *fmt(const struct link_error *e)
{
	static char buf[512];
	link_error_format(e, buf, sizeof(buf));
	return buf;
}

/* ---- archive --------------------------------------------------------- */

static void test_archive_checks(void)
{
	struct fixture f;
	struct status st = setup_with(&f, archive_data, archive_size, 1);
	tap_check(status_ok(st) && f.l.archive.crate_count > 10, "fixture archive opens",
	          "%s", fmt(&f.err));
	teardown(&f);

	uint8_t *bad = malloc(archive_size);
	struct { const char *name; size_t offset; } flips[] = {
		{"header CRC mismatch refused", 20},
		{"metadata CRC mismatch refused", 112 + 3},
	};
	for (size_t i = 0; i < 2; i++) {
		memcpy(bad, archive_data, archive_size);
		bad[flips[i].offset] ^= 0x40;
		st = setup_with(&f, bad, archive_size, 1);
		tap_check(st.err == E_BADARCH && strstr(f.err.reason, "CRC"), flips[i].name,
		          "got %s", fmt(&f.err));
		teardown(&f);
	}

	memcpy(bad, archive_data, archive_size);
	bad[8] = 3;
	st = setup_with(&f, bad, archive_size, 1);
	tap_check(st.err == E_BADARCH && strstr(f.err.reason, "version 3") &&
	                  strstr(f.err.reason, "version 2"),
	          "unknown format version refused naming both versions", "got %s", fmt(&f.err));
	teardown(&f);

	st = setup_with(&f, archive_data, 50, 1);
	tap_check(st.err == E_BADARCH, "truncated archive refused", "got %s", fmt(&f.err));
	teardown(&f);

	/* A crate image whose bytes changed: its CRC-32 no longer matches. */
	memcpy(bad, archive_data, archive_size);
	setup(&f);
	struct archive_crate beta = archive_crate_at(&f.l.archive, linker_crate_by_name(&f.l, "beta"));
	teardown(&f);
	bad[beta.elf_off + 70] ^= 1;
	st = setup_with(&f, bad, archive_size, 1);
	uint32_t id;
	st = linker_load_crate(&f.l, "alpha", &id, &f.err);
	tap_check(st.err == E_BADARCH && !strcmp(f.err.crate, "beta") && strstr(f.err.reason, "CRC") &&
	                  !is_loaded(&f, "alpha") && nothing_allocated(&f),
	          "crate image CRC mismatch refuses the load", "got %s", fmt(&f.err));
	teardown(&f);
	free(bad);
}

/* ---- on demand, reasons, init order ---------------------------------- */

static void test_on_demand(void)
{
	struct fixture f;
	uint32_t alpha;
	setup(&f);
	struct status st = linker_load_crate(&f.l, "alpha", &alpha, &f.err);
	tap_check(status_ok(st), "load alpha", "%s", fmt(&f.err));
	tap_check(is_loaded(&f, "beta") && !is_loaded(&f, "lonely") && !is_loaded(&f, "alt_beta") &&
	                  !is_loaded(&f, "gotuse"),
	          "on demand: beta pulled in, unneeded crates stay in the archive", "");
	const struct loaded_crate *b = linker_crate(&f.l, linker_crate_by_name(&f.l, "beta"));
	const struct loaded_crate *a = linker_crate(&f.l, alpha);
	tap_check(b && b->reason_crate == alpha && b->reason_symbol &&
	                  !strncmp(b->reason_symbol, "beta_", 5) &&
	                  a->reason_crate == LINKER_NO_CRATE,
	          "load log: beta needed by alpha for a beta_ symbol, alpha explicit", "");
	tap_check(f.h.init_count == 2 && f.h.init_calls[0] == b->init_address &&
	                  f.h.init_calls[1] == a->init_address,
	          "inits run providers first (beta, then alpha)", "count %d", f.h.init_count);
	st = linker_load_crate(&f.l, "alpha", &alpha, &f.err);
	tap_check(st.err == E_EXIST, "loading a loaded crate says E_EXIST", "%s", fmt(&f.err));

	struct linker_symbol sym;
	st = linker_resolve(&f.l, "lonely_answer", 0, &sym, &f.err);
	uint32_t lonely_id = linker_crate_by_name(&f.l, "lonely");
	const struct loaded_crate *lonely = linker_crate(&f.l, lonely_id);
	struct linker_location at;
	tap_check(status_ok(st) && lonely && lonely->reason_crate == LINKER_NO_CRATE &&
	                  lonely->reason_symbol && !strcmp(lonely->reason_symbol, "lonely_answer") &&
	                  sym.crate_id == lonely_id &&
	                  linker_crate_of_address(&f.l, sym.address) == lonely_id &&
	                  linker_locate(&f.l, sym.address, &at) && !strcmp(at.section, ".text.lonely_answer") &&
	                  at.function && !strcmp(at.function, "lonely_answer") && at.offset == 0 &&
	                  !strcmp(at.crate, "lonely"),
	          "resolve by symbol loads its provider on demand", "%s", fmt(&f.err));

	/* The weak undefined nc_optional resolves to 0, like ld.lld. */
	int found = 0;
	for (uint32_t i = 0; i < a->elf.sym_count; i++)
		if (!strcmp(linker_symbol_name(a, i), "nc_optional"))
			found = a->resolved[i].address == 0 && a->resolved[i].crate == LINKER_NO_CRATE;
	tap_check(found, "weak undefined import resolves to 0", "");

	/* Sections get the kinds their flags ask for; the env saw protects. */
	int kinds_ok = 1;
	for (uint32_t i = 0; i < a->section_count; i++) {
		const struct crate_section *s = &a->sections[i];
		if (!strncmp(s->name, ".text", 5))
			kinds_ok &= s->kind == REGION_TEXT;
		else if (!strncmp(s->name, ".rodata", 7))
			kinds_ok &= s->kind == REGION_RODATA;
		else if (!strncmp(s->name, ".data", 5))
			kinds_ok &= s->kind == REGION_DATA || !strncmp(s->name, ".data.rel.ro", 12);
		else if (!strncmp(s->name, ".bss", 4))
			kinds_ok &= s->kind == REGION_BSS;
	}
	tap_check(kinds_ok && f.h.protects[REGION_TEXT] >= 2 && f.h.protects[REGION_BSS] >= 1 &&
	                  f.h.protects[REGION_RODATA] >= 2,
	          "W^X kinds per section, every region protected", "text %ld bss %ld ro %ld",
	          f.h.protects[REGION_TEXT], f.h.protects[REGION_BSS], f.h.protects[REGION_RODATA]);

	/* Enumeration for the shell. */
	int listed = 0;
	struct linker_crate_stats stats;
	for (uint32_t id = linker_next_loaded(&f.l, LINKER_NO_CRATE); id != LINKER_NO_CRATE;
	     id = linker_next_loaded(&f.l, id))
		listed++;
	st = linker_crate_stats(&f.l, linker_crate_by_name(&f.l, "beta"), &stats);
	tap_check(listed == 3 && status_ok(st) && stats.text_size > 0 && stats.data_size > 0 &&
	                  stats.bss_size > 0 && stats.dependent_crates == 1 && !strcmp(stats.version, "1.0.0"),
	          "enumeration and stats", "listed %d deps %u", listed, stats.dependent_crates);

	uint32_t owner = linker_crate_of_address(&f.l, a->init_address);
	tap_check(owner == alpha && linker_text_contains(&f.l, alpha, a->init_address) &&
	                  linker_locate(&f.l, a->init_address + 1, &at) && at.function &&
	                  !strcmp(at.function, a->init_name) && at.offset == 1,
	          "address -> crate, function and offset (fault attribution)", "");
	teardown(&f);
	tap_check(f.h.live_regions == 0 && f.h.live_meta == 0, "fini returns all memory",
	          "regions %ld meta %ld", f.h.live_regions, f.h.live_meta);
}

/* ---- namespaces and errors ------------------------------------------- */

static void test_errors(void)
{
	struct fixture f;
	uint32_t id;
	struct linker_symbol sym;
	setup(&f);

	struct status st = linker_load_crate(&f.l, "needs_missing", &id, &f.err);
	tap_check(st.err == E_NOENT && !strcmp(f.err.symbol, "no_such_symbol") &&
	                  !strcmp(f.err.crate, "needs_missing") && nothing_allocated(&f),
	          "missing symbol: clean error naming it, nothing left", "%s", fmt(&f.err));

	st = linker_load_crate(&f.l, "needs_private", &id, &f.err);
	tap_check(st.err == E_PERM && !strcmp(f.err.symbol, "beta_private_helper") &&
	                  strstr(f.err.reason, "beta") && !is_loaded(&f, "beta") && nothing_allocated(&f),
	          "hidden symbol not resolvable by exact name (E_PERM names beta)", "%s", fmt(&f.err));
	st = linker_resolve(&f.l, "beta_private_helper", 0, &sym, &f.err);
	tap_check(st.err == E_PERM, "hidden symbol refused by explicit resolve", "%s", fmt(&f.err));
	st = linker_resolve(&f.l, "beta_calls", 0, &sym, &f.err);
	tap_check(st.err == E_PERM && strstr(f.err.reason, "beta"),
	          "static (local) symbol refused by explicit resolve", "%s", fmt(&f.err));
	st = linker_resolve(&f.l, "does_not_exist_anywhere", 0, &sym, &f.err);
	tap_check(st.err == E_NOENT, "unknown symbol: E_NOENT", "%s", fmt(&f.err));

	st = linker_load_crate(&f.l, "overflow32", &id, &f.err);
	tap_check(st.err == E_RANGE && f.err.has_reloc && f.err.reloc_type == 10 &&
	                  !strcmp(f.err.symbol, "nc_counter") && !strcmp(f.err.section, ".rodata.overflow") &&
	                  nothing_allocated(&f),
	          "R_X86_64_32 overflow detected and reported", "%s", fmt(&f.err));
	st = linker_load_crate(&f.l, "overflow_pc32", &id, &f.err);
	tap_check(st.err == E_RANGE && f.err.has_reloc && f.err.reloc_type == 4 &&
	                  !strcmp(f.err.symbol, "nc_far"),
	          "PLT32 overflow detected and reported", "%s", fmt(&f.err));

	st = linker_load_crate(&f.l, "badreloc", &id, &f.err);
	tap_check(st.err == E_NOSYS && f.err.reloc_type == 25 && strstr(f.err.reason, "25") &&
	                  nothing_allocated(&f),
	          "unknown relocation type refused, naming the type", "%s", fmt(&f.err));

	st = linker_load_crate(&f.l, "no_such_crate", &id, &f.err);
	tap_check(st.err == E_NOENT, "unknown crate name: E_NOENT", "%s", fmt(&f.err));

	char line[512];
	st = linker_load_crate(&f.l, "needs_missing", &id, &f.err);
	link_error_format(&f.err, line, sizeof(line));
	tap_check(strstr(line, "needs_missing") && strstr(line, "no_such_symbol") &&
	                  strstr(line, "E_NOENT"),
	          "error formats as one line", "%s", line);
	teardown(&f);
}

/* ---- all or nothing -------------------------------------------------- */

static struct status init_fails(uint64_t address)
{
	(void)address;
	return STATUS(E_FAULT);
}

static void test_rollback(void)
{
	struct fixture f;
	uint32_t id;
	setup(&f);
	long baseline = f.h.live_meta;
	struct status st = linker_load_crate(&f.l, "chain", &id, &f.err);
	tap_check(st.err == E_NOENT && !is_loaded(&f, "chain") && !is_loaded(&f, "fresh") &&
	                  f.h.live_regions == 0 && f.h.live_meta == baseline &&
	                  f.h.total_region_allocs > 0,
	          "failure deep in the import graph: all or nothing, zero allocations left",
	          "%s regions %ld", fmt(&f.err), f.h.live_regions);

	/* badinit's init reports failure (the kernel would run it under fault
	 * protection); the record-mode env returns what the crate would. */
	f.h.fake_init = init_fails;
	st = linker_load_crate(&f.l, "badinit", &id, &f.err);
	tap_check(st.err == E_FAULT && !strcmp(f.err.crate, "badinit") &&
	                  !strcmp(f.err.symbol, "badinit_init") && !is_loaded(&f, "fresh") &&
	                  f.h.live_regions == 0 && f.h.live_meta == baseline,
	          "failing init unloads the crate and its providers", "%s", fmt(&f.err));
	f.h.fake_init = NULL;
	teardown(&f);

	/* Out of memory at every allocation of a load: always clean. */
	int clean = 1, steps = 0, finally_loaded = 0;
	for (long k = 1; k < 400 && !finally_loaded; k++) {
		setup(&f);
		long base_meta = f.h.live_meta;
		f.h.fail_alloc_countdown = k;
		st = linker_load_crate(&f.l, "gotuse", &id, &f.err);
		if (status_ok(st))
			finally_loaded = 1;
		else if (st.err != E_NOMEM || f.h.live_regions || f.h.live_meta != base_meta)
			clean = 0;
		steps++;
		teardown(&f);
		if (f.h.live_regions || f.h.live_meta)
			clean = 0;
	}
	tap_check(clean && finally_loaded, "allocation failure at each step rolls back cleanly",
	          "after %d steps", steps);
}

/* ---- cycles, graph, unload, references ------------------------------- */

struct edge_probe {
	const struct linker *l;
	const char *symbol;
	uint32_t target;
	int hits;
};

static void probe(void *ctx, const struct linker_edge *e)
{
	struct edge_probe *p = ctx;
	if (!strcmp(e->symbol, p->symbol) && e->to_crate == p->target)
		p->hits++;
}

static void test_graph_and_unload(void)
{
	struct fixture f;
	uint32_t alpha, beta, cyc_a, cyc_b;
	setup(&f);
	struct status st = linker_load_crate(&f.l, "cyc_a", &cyc_a, &f.err);
	cyc_b = linker_crate_by_name(&f.l, "cyc_b");
	tap_check(status_ok(st) && is_loaded(&f, "cyc_b"), "cyclic imports link", "%s", fmt(&f.err));
	struct edge_probe p = {&f.l, "cyc_b_value", cyc_b, 0};
	linker_for_each_dependent(&f.l, cyc_b, probe, &p);
	struct edge_probe q = {&f.l, "cyc_a_value", cyc_a, 0};
	linker_for_each_dependent(&f.l, cyc_a, probe, &q);
	tap_check(p.hits >= 1 && q.hits >= 1, "cycle: reverse edges both ways", "%d %d", p.hits, q.hits);
	st = linker_unload(&f.l, cyc_a, &f.err);
	tap_check(st.err == E_BUSY && strstr(f.err.reason, "cyc_b"),
	          "unload refused while a dependent remains (names it)", "%s", fmt(&f.err));

	st = linker_load_crate(&f.l, "alpha", &alpha, &f.err);
	beta = linker_crate_by_name(&f.l, "beta");
	const struct loaded_crate *a = linker_crate(&f.l, alpha);
	struct edge_probe fwd = {&f.l, "beta_state", beta, 0};
	linker_for_each_dependency(&f.l, alpha, probe, &fwd);
	struct edge_probe rev = {&f.l, "beta_state", beta, 0};
	linker_for_each_dependent(&f.l, beta, probe, &rev);
	struct edge_probe kern = {&f.l, "nc_log", LINKER_KERNEL_CRATE, 0};
	linker_for_each_dependency(&f.l, alpha, probe, &kern);
	int records_ok = a->reloc_count > 10;
	for (uint32_t i = 0; i < a->reloc_count; i++) {
		const struct reloc_record *r = &a->relocs[i];
		if (r->target_crate == beta) {
			const struct loaded_crate *b = linker_crate(&f.l, beta);
			records_ok &= r->target_section < b->section_count;
		}
		records_ok &= r->section < a->section_count;
	}
	tap_check(fwd.hits >= 1 && fwd.hits == rev.hits && kern.hits >= 1 && records_ok,
	          "per-section graph: forward and reverse edges agree", "fwd %d rev %d kern %d",
	          fwd.hits, rev.hits, kern.hits);

	st = linker_unload(&f.l, beta, &f.err);
	tap_check(st.err == E_BUSY && strstr(f.err.reason, "alpha"), "unload beta refused: alpha depends on it",
	          "%s", fmt(&f.err));
	/* Lost dependency records (a bug elsewhere would lose them): alpha's
	 * relocations into beta still keep beta loaded, alone or in a cycle
	 * unload, instead of leaving alpha's fields pointing into freed memory. */
	struct loaded_crate *b = (struct loaded_crate *)linker_crate(&f.l, beta);
	uint32_t kept_count = b->dependent_count;
	b->dependent_count = 0;
	st = linker_unload(&f.l, beta, &f.err);
	tap_check(st.err == E_BUSY && strstr(f.err.reason, "still linked from crate alpha") && is_loaded(&f, "beta"),
	          "unload beta refused while alpha's relocations target it, records or not", "%s", fmt(&f.err));
	st = linker_unload_cycle(&f.l, beta, NULL, &f.err);
	tap_check(st.err == E_BUSY && strstr(f.err.reason, "still linked from crate alpha") && is_loaded(&f, "beta") &&
	                  b->dependent_count == 0,
	          "... and so is its cycle unload, before any record is dropped", "%s", fmt(&f.err));
	b->dependent_count = kept_count;

	st = linker_ref_get(&f.l, alpha);
	struct status busy = linker_unload(&f.l, alpha, &f.err);
	tap_check(status_ok(st) && busy.err == E_BUSY && strstr(f.err.reason, "strong references"),
	          "unload refused while strong references remain", "%s", fmt(&f.err));
	st = linker_ref_put(&f.l, alpha);

	struct weak_ref w;
	struct linker_symbol sym, direct;
	st = linker_weak_ref(&f.l, "beta_add", &w, &f.err);
	struct status up = linker_weak_upgrade(&f.l, &w, &sym);
	struct status res = linker_resolve(&f.l, "beta_add", 0, &direct, &f.err);
	tap_check(status_ok(st) && status_ok(up) && status_ok(res) && sym.address == direct.address &&
	                  linker_crate(&f.l, beta)->refcount == 1,
	          "weak reference upgrades to a strong one", "");
	(void)linker_ref_put(&f.l, beta);

	long regions_before = f.h.live_regions;
	const struct loaded_crate *ac = linker_crate(&f.l, alpha);
	long alpha_regions = ac->region_count + (ac->got.size ? 1 : 0);
	st = linker_unload(&f.l, alpha, &f.err);
	struct status st2 = linker_unload(&f.l, beta, &f.err);
	tap_check(status_ok(st) && status_ok(st2) && !is_loaded(&f, "alpha") && !is_loaded(&f, "beta") &&
	                  f.h.live_regions < regions_before - alpha_regions,
	          "unload returns crate memory to the env", "%s", fmt(&f.err));

	up = linker_weak_upgrade(&f.l, &w, &sym);
	tap_check(up.err == E_STALE, "weak upgrade after unload fails with E_STALE", "got %d", up.err);
	st = linker_load_crate(&f.l, "beta", &beta, &f.err);
	up = linker_weak_upgrade(&f.l, &w, &sym);
	tap_check(status_ok(st) && up.err == E_STALE, "... and stays stale after a reload (generation)",
	          "got %d", up.err);
	struct weak_ref fresh;
	st = linker_weak_ref(&f.l, "beta_add", &fresh, &f.err);
	up = linker_weak_upgrade(&f.l, &fresh, &sym);
	tap_check(status_ok(up) && fresh.generation != w.generation, "a new weak reference works", "");
	(void)linker_ref_put(&f.l, beta);

	/* Alternatives: never chosen for imports, loadable by name. */
	uint32_t alt;
	st = linker_load_crate(&f.l, "alt_beta", &alt, &f.err);
	res = linker_resolve(&f.l, "beta_add", 0, &direct, &f.err);
	tap_check(status_ok(st) && status_ok(res) && direct.crate_id == beta,
	          "ALTERNATIVE crate loads by name but does not provide imports", "%s", fmt(&f.err));
	teardown(&f);
}

static void test_per_section_mode(void)
{
	struct fixture f;
	uint32_t alpha;
	struct status st = setup_with(&f, archive_data, archive_size, 0);
	st = linker_load_crate(&f.l, "alpha", &alpha, &f.err);
	const struct loaded_crate *a = linker_crate(&f.l, alpha);
	uint32_t nonempty = 0;
	int distinct = 1;
	for (uint32_t i = 0; a && i < a->section_count; i++) {
		if (!a->sections[i].size)
			continue;
		nonempty++;
		for (uint32_t j = 0; j < i; j++)
			if (a->sections[j].size && a->sections[j].region == a->sections[i].region)
				distinct = 0;
	}
	tap_check(status_ok(st) && a && a->region_count == nonempty && distinct,
	          "per-section mode: one region per section", "%s", fmt(&f.err));
	teardown(&f);
}

/* Does any relocation of crate `from` point into crate `to`? */
static int relocs_point_into(const struct loaded_crate *from, uint32_t to)
{
	for (uint32_t i = 0; i < from->reloc_count; i++)
		if (from->relocs[i].target_crate == to)
			return 1;
	return 0;
}

/* A rebuilt beta pushed at run time: checked like the boot archive, given
 * an id of its own, swapped in for the boot archive's beta, found by name
 * and by later imports, and forgotten without leaking. */
static void test_pushed_crates(void)
{
	struct fixture f;
	setup(&f);
	long meta_before = f.h.live_meta;
	uint32_t bad;

	/* Refusals: nothing is kept. */
	struct status st = linker_add_pushed(&f.l, archive_data, archive_size, &bad, &f.err);
	tap_check(st.err == E_BADARCH && strstr(f.err.reason, "exactly one crate") &&
	                  f.h.live_meta == meta_before,
	          "push: an archive of several crates is refused", "%s", fmt(&f.err));
	uint8_t *broken = malloc(push_size + 1);
	memcpy(broken, push_data, push_size);
	broken[push_size] = 0;
	st = linker_add_pushed(&f.l, broken, push_size + 1, &bad, &f.err);
	tap_check(st.err == E_BADARCH && strstr(f.err.reason, "follow the pushed archive") &&
	                  f.h.live_meta == meta_before,
	          "push: trailing bytes after the archive are refused", "%s", fmt(&f.err));
	broken[push_size - 1] ^= 0x40; /* inside the crate image: its CRC no longer matches */
	st = linker_add_pushed(&f.l, broken, push_size, &bad, &f.err);
	tap_check(!status_ok(st) && f.h.live_meta == meta_before, "push: a corrupted crate image is refused",
	          "%s", fmt(&f.err));
	memcpy(broken, push_data, push_size);
	f.l.archive.nano_core_id[0] ^= 1; /* as if the running nano-core were another build */
	st = linker_add_pushed(&f.l, broken, push_size, &bad, &f.err);
	f.l.archive.nano_core_id[0] ^= 1;
	tap_check(st.err == E_BADARCH && strstr(f.err.reason, "another nano-core"),
	          "push: a crate built against another nano-core is refused", "%s", fmt(&f.err));
	st = linker_add_pushed(&f.l, NULL, 0, &bad, &f.err);
	tap_check(st.err == E_INVAL, "push: an empty image is refused", "%s", fmt(&f.err));

	/* Swap the boot archive's beta for the pushed one under a loaded alpha. */
	uint32_t alpha, beta, pushed;
	st = linker_load_crate(&f.l, "alpha", &alpha, &f.err);
	beta = linker_crate_by_name(&f.l, "beta");
	struct status add = linker_add_pushed(&f.l, broken, push_size, &pushed, &f.err);
	memset(broken, 0, push_size); /* the linker kept its own copy */
	free(broken);
	struct archive_crate entry;
	tap_check(status_ok(st) && status_ok(add) && pushed >= f.l.archive.crate_count &&
	                  linker_is_pushed(&f.l, pushed) && !linker_crate(&f.l, pushed) &&
	                  linker_crate_entry(&f.l, pushed, &entry) && !strcmp(entry.name, "beta") &&
	                  !strcmp(entry.version, "1.1.0"),
	          "push: the pushed crate gets an id after the archive's, unloaded", "%s", fmt(&f.err));
	st = linker_forget_pushed(&f.l, beta);
	tap_check(st.err == E_INVAL, "push: a boot archive crate cannot be forgotten", "got %d", st.err);

	unsigned patches_before = f.h.patches;
	st = linker_swap_to(&f.l, beta, pushed, &f.err);
	const struct loaded_crate *a = linker_crate(&f.l, alpha);
	struct linker_symbol sym;
	struct status res = linker_resolve(&f.l, "beta_add", 0, &sym, &f.err);
	tap_check(status_ok(st) && !linker_crate(&f.l, beta) && linker_crate(&f.l, pushed) &&
	                  f.h.patches > patches_before && relocs_point_into(a, pushed) &&
	                  !relocs_point_into(a, beta) && status_ok(res) && sym.crate_id == pushed,
	          "push: swap_to re-links alpha to the pushed beta and unloads the old one",
	          "%s", fmt(&f.err));
	tap_check(linker_crate_by_name(&f.l, "beta") == pushed,
	          "push: the loaded pushed crate is what its name finds", "");
	st = linker_load_crate(&f.l, "beta", NULL, &f.err);
	tap_check(st.err == E_EXIST, "push: loading beta again finds the pushed one loaded", "%s", fmt(&f.err));
	uint32_t gotuse;
	st = linker_load_crate(&f.l, "gotuse", &gotuse, &f.err);
	const struct loaded_crate *g = linker_crate(&f.l, gotuse);
	tap_check(status_ok(st) && !linker_crate(&f.l, beta) && g && relocs_point_into(g, pushed),
	          "push: a crate loaded later imports from the pushed beta, not the archive's",
	          "%s", fmt(&f.err));
	struct weak_ref w;
	st = linker_weak_ref(&f.l, "beta_add", &w, &f.err);
	tap_check(status_ok(st) && w.crate_id == pushed, "push: weak references reach the pushed crate",
	          "%s", fmt(&f.err));

	/* Swap back to the archive's beta, then forget the pushed copy. */
	st = linker_forget_pushed(&f.l, pushed);
	tap_check(st.err == E_BUSY, "push: a loaded pushed crate cannot be forgotten", "got %d", st.err);
	st = linker_swap_to(&f.l, pushed, beta, &f.err);
	struct status forget = linker_forget_pushed(&f.l, pushed);
	tap_check(status_ok(st) && status_ok(forget) && linker_crate(&f.l, beta) &&
	                  !linker_is_pushed(&f.l, pushed) && linker_crate_by_name(&f.l, "beta") == beta &&
	                  relocs_point_into(linker_crate(&f.l, alpha), beta),
	          "push: swapping back to the archive's crate, the pushed one is forgotten", "%s", fmt(&f.err));
	uint32_t again;
	add = linker_add_pushed(&f.l, push_data, push_size, &again, &f.err);
	tap_check(status_ok(add) && again == pushed, "push: a vacant pushed slot is reused", "%u %u", again, pushed);
	(void)linker_forget_pushed(&f.l, again);
	teardown(&f);
	tap_check(f.h.live_meta == 0 && f.h.live_regions == 0, "push: teardown leaves nothing allocated",
	          "meta %ld regions %ld", f.h.live_meta, f.h.live_regions);
}

/* An import cycle goes as a whole; a plain dependent from outside the
 * cycle, or a strong reference, keeps everything. */
static void test_cycle_unload(void)
{
	struct fixture f;
	setup(&f);
	uint32_t cyc_a, n = 99;
	struct status st = linker_load_crate(&f.l, "cyc_a", &cyc_a, &f.err);
	uint32_t cyc_b = linker_crate_by_name(&f.l, "cyc_b");
	struct status plain = linker_unload(&f.l, cyc_b, &f.err);
	tap_check(status_ok(st) && plain.err == E_BUSY, "cycle: plain unload of a member is refused", "%s",
	          fmt(&f.err));

	(void)linker_ref_get(&f.l, cyc_b);
	st = linker_unload_cycle(&f.l, cyc_a, &n, &f.err);
	tap_check(st.err == E_BUSY && n == 0 && strstr(f.err.reason, "strong references") && is_loaded(&f, "cyc_a") &&
	                  is_loaded(&f, "cyc_b"),
	          "cycle: a strong reference on a member keeps the whole cycle", "%s", fmt(&f.err));
	(void)linker_ref_put(&f.l, cyc_b);

	st = linker_unload_cycle(&f.l, cyc_b, &n, &f.err);
	tap_check(status_ok(st) && n == 2 && !is_loaded(&f, "cyc_a") && !is_loaded(&f, "cyc_b"),
	          "cycle: unload_cycle takes both members", "%s (n %u)", fmt(&f.err), n);

	uint32_t alpha, beta;
	st = linker_load_crate(&f.l, "alpha", &alpha, &f.err);
	beta = linker_crate_by_name(&f.l, "beta");
	struct status refused = linker_unload_cycle(&f.l, beta, &n, &f.err);
	tap_check(status_ok(st) && refused.err == E_BUSY && strstr(f.err.reason, "alpha") && n == 0 &&
	                  is_loaded(&f, "beta") && is_loaded(&f, "alpha"),
	          "cycle: a dependent outside any cycle is named and nothing goes", "%s", fmt(&f.err));
	st = linker_unload_cycle(&f.l, alpha, &n, &f.err);
	tap_check(status_ok(st) && n == 1 && !is_loaded(&f, "alpha") && is_loaded(&f, "beta"),
	          "cycle: a crate outside any cycle goes alone", "%s", fmt(&f.err));
	(void)linker_unload(&f.l, beta, &f.err);
	tap_check(nothing_allocated(&f), "cycle: nothing left allocated", "regions %ld meta %ld", f.h.live_regions,
	          f.h.live_meta);
	teardown(&f);
}

/* A restart: a copy of a loaded crate under a new id, swapped in for it. */
static void test_copy_for_restart(void)
{
	struct fixture f;
	setup(&f);
	uint32_t alpha, beta, copy, again;
	struct status st = linker_load_crate(&f.l, "alpha", &alpha, &f.err);
	beta = linker_crate_by_name(&f.l, "beta");
	struct status add = linker_add_copy(&f.l, beta, &copy, &f.err);
	struct archive_crate entry;
	tap_check(status_ok(st) && status_ok(add) && copy >= f.l.archive.crate_count && linker_is_added(&f.l, copy) &&
	                  !linker_is_pushed(&f.l, copy) && linker_crate_entry(&f.l, copy, &entry) &&
	                  !strcmp(entry.name, "beta") && !linker_crate(&f.l, copy),
	          "copy: a second, unloaded instance of beta under a new id", "%s", fmt(&f.err));
	st = linker_swap_to(&f.l, beta, copy, &f.err);
	const struct loaded_crate *a = linker_crate(&f.l, alpha);
	tap_check(status_ok(st) && !linker_crate(&f.l, beta) && linker_crate(&f.l, copy) && relocs_point_into(a, copy) &&
	                  linker_crate_by_name(&f.l, "beta") == copy,
	          "copy: swapped in, alpha re-linked to it, found by name", "%s", fmt(&f.err));
	add = linker_add_copy(&f.l, copy, &again, &f.err);
	st = linker_swap_to(&f.l, copy, again, &f.err);
	struct status forget = linker_forget_pushed(&f.l, copy);
	tap_check(status_ok(add) && status_ok(st) && status_ok(forget) && linker_crate(&f.l, again) &&
	                  !linker_is_added(&f.l, copy),
	          "copy: a copy of a copy restarts again; the old one is forgotten", "%s", fmt(&f.err));
	add = linker_add_copy(&f.l, 12345, &copy, &f.err);
	tap_check(add.err == E_NOENT, "copy: of no crate is refused", "%s", fmt(&f.err));
	teardown(&f);
	tap_check(f.h.live_meta == 0 && f.h.live_regions == 0, "copy: teardown leaves nothing allocated",
	          "meta %ld regions %ld", f.h.live_meta, f.h.live_regions);
}

/* Every code and read-only byte of crate c, in section order. */
static size_t snapshot(const struct loaded_crate *c, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (uint32_t i = 0; i < c->section_count; i++) {
		const struct crate_section *s = &c->sections[i];
		if (!s->size || !s->write || (s->kind != REGION_TEXT && s->kind != REGION_RODATA))
			continue;
		if (n + s->size > cap)
			return 0;
		memcpy(out + n, s->write, s->size);
		n += s->size;
	}
	if (c->got_count && n + 8 * c->got_count <= cap) {
		memcpy(out + n, c->got.write, 8 * c->got_count);
		n += 8 * c->got_count;
	}
	return n;
}

static void test_repair(void)
{
	struct fixture f;
	setup(&f);
	uint32_t id;
	uint64_t changed = 99;
	/* gotuse has every relocation form, relaxed and through the GOT. */
	struct status st = linker_load_crate(&f.l, "gotuse", &id, &f.err);
	const struct loaded_crate *c = linker_crate(&f.l, id);
	static uint8_t before[1 << 16], after[1 << 16], scratch[1 << 16];
	size_t n = c ? snapshot(c, before, sizeof before) : 0;
	struct status clean = linker_repair(&f.l, id, scratch, sizeof scratch, &changed, &f.err);
	tap_check(status_ok(st) && n && status_ok(clean) && changed == 0,
	          "repair: a crate as loaded needs no byte written", "%s changed %lu", fmt(&f.err), changed);

	/* Break it as a fault would: a breakpoint at a function's entry, a
	 * flipped bit in a relaxed relocation's field, a GOT slot pointing
	 * elsewhere, a byte of read-only data. */
	uint64_t got_read = 0, got_forms = 0;
	int found = linker_export_address(&f.l, id, "got_read", true, &got_read) &&
	            linker_export_address(&f.l, id, "got_forms", true, &got_forms);
	static const uint8_t int3 = 0xcc, zero8[8] = {0}, flip = 0x5a;
	uint64_t rodata = 0;
	for (uint32_t i = 0; i < c->section_count; i++)
		if (c->sections[i].kind == REGION_RODATA && c->sections[i].size)
			rodata = c->sections[i].vaddr;
	int broken = status_ok(f.env.patch(f.env.ctx, got_read, &int3, 1)) &&
	             status_ok(f.env.patch(f.env.ctx, got_forms + 3, &flip, 1)) && c->got_count &&
	             status_ok(f.env.patch(f.env.ctx, c->got.vaddr, zero8, 8)) && rodata &&
	             status_ok(f.env.patch(f.env.ctx, rodata, &flip, 1));
	st = linker_repair(&f.l, id, scratch, sizeof scratch, &changed, &f.err);
	size_t m = snapshot(c, after, sizeof after);
	tap_check(found && broken && status_ok(st) && changed >= 4 && m == n && !memcmp(before, after, n),
	          "repair: code, relocated fields, GOT slots and read-only data come back byte for byte",
	          "%s changed %lu", fmt(&f.err), changed);

	/* Data is state: it is left as it is. */
	uint64_t data = 0;
	broken = linker_export_address(&f.l, id, "got_local_data", false, &data) &&
	         status_ok(f.env.patch(f.env.ctx, data, &flip, 1));
	st = linker_repair(&f.l, id, scratch, sizeof scratch, &changed, &f.err);
	uint8_t now = 0;
	for (uint32_t i = 0; i < c->section_count; i++) {
		const struct crate_section *s = &c->sections[i];
		if (data >= s->vaddr && data < s->vaddr + s->size)
			now = s->write[data - s->vaddr];
	}
	tap_check(broken && status_ok(st) && changed == 0 && now == flip, "repair: data is left alone", "changed %lu",
	          changed);
	st = linker_repair(&f.l, 12345, scratch, sizeof scratch, &changed, &f.err);
	tap_check(st.err == E_NOENT, "repair: a crate that is not loaded is refused", "%s", fmt(&f.err));
	st = linker_repair(&f.l, id, scratch, 16, &changed, &f.err);
	tap_check(st.err == E_RANGE && changed == 0, "repair: too little scratch space is refused, nothing written",
	          "%s", fmt(&f.err));
	teardown(&f);
}

int main(int argc, char **argv)
{
	if (argc != 3 || read_file(argv[1], &archive_data, &archive_size) ||
	    read_file(argv[2], &push_data, &push_size)) {
		printf("Bail out! usage: linker_test FIXTURES.archive PUSH.archive\n");
		return 1;
	}
	test_archive_checks();
	test_on_demand();
	test_errors();
	test_rollback();
	test_graph_and_unload();
	test_per_section_mode();
	test_pushed_crates();
	test_cycle_unload();
	test_copy_for_restart();
	test_repair();
	free(archive_data);
	free(push_data);
	return tap_done();
}
