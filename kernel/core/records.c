/* The record runner (records.h): selection, the per-crate section walk,
 * protected runs and the line protocol, for tests and benchmarks alike. */
#include "records.h"
#include "crate_env.h"
#include "selector.h"

struct run_state {
	const struct record_kind *kind;
	const char *selector;
	const char *after;
	bool skipping;
	bool listing;
	unsigned ran, failed, counted;
};

static bool selected(const struct run_state *rs, const struct record *r)
{
	return rs->listing || selector_matches(rs->selector, r->name, r->flags & rs->kind->manual_flag);
}

static void run_one(struct run_state *rs, const struct record *r)
{
	const struct record_kind *k = rs->kind;
	if (!selected(rs, r))
		return;
	if (rs->listing) {
		kprintf("%s LIST %s%s\n", k->tag, r->name, r->flags & k->manual_flag ? " manual" : "");
		return;
	}
	if (rs->skipping) {
		rs->skipping = strcmp(r->name, rs->after) != 0;
		return;
	}
	kprintf("%s RUN %s\n", k->tag, r->name);
	char why[200] = "";
	if (k->run(r, why, sizeof why)) {
		rs->ran++;
		kprintf("%s %s %s\n", k->tag, k->pass_word, r->name);
	} else {
		rs->failed++;
		kprintf("%s FAIL %s %s\n", k->tag, r->name, why);
	}
}

static void count_one(struct run_state *rs, const struct record *r) { rs->counted += selected(rs, r); }

struct section_walk {
	struct run_state *rs;
	void (*fn)(struct run_state *, const struct record *);
};

static void walk_section(void *ctx, const char *name, uint64_t vaddr, uint64_t size, enum region_kind kind)
{
	(void)name;
	(void)kind;
	struct section_walk *w = ctx;
	const struct record *r = (const struct record *)vaddr;
	for (uint64_t n = 0; n < size / sizeof *r; n++)
		w->fn(w->rs, &r[n]);
}

/* Exact names in the selector that no nano-core record answers: only
 * then are crates loaded to look for theirs. */
static bool selector_may_name_crate_records(const struct run_state *rs)
{
	const char *p = rs->selector;
	if (!strcmp(p, "all") || rs->listing)
		return true;
	while (*p) {
		const char *end = p;
		while (*end && *end != ',')
			end++;
		size_t len = (size_t)(end - p);
		bool found = false;
		for (const struct record *r = rs->kind->own; r < rs->kind->own_end && !found; r++)
			found = strlen(r->name) == len && !strncmp(r->name, p, len);
		if (!found)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

static void run_crate_records(struct run_state *rs)
{
	const struct record_kind *k = rs->kind;
	struct linker *l = crates_linker();
	if (!l || !selector_may_name_crate_records(rs))
		return;
	for (uint32_t archived = 0; archived < l->archive.crate_count; archived++) {
		if (!linker_archive_crate_has_section(l, archived, k->section))
			continue;
		const char *name = linker_crate_name(l, archived);
		uint32_t loaded_id;
		struct link_error err;
		/* A task an earlier record left behind may be inside a request. */
		crates_wait_for_linker(l);
		(void)linker_load_crate(l, name, &loaded_id, &err);
		/* The loaded instance: the archive's, or the fresh copy an
		 * earlier record's restart swapped in under a new id. */
		uint32_t id = linker_crate_by_name(l, name);
		if (id == LINKER_NO_CRATE || !linker_is_loaded(l, id)) {
			char why[200];
			link_error_format(&err, why, sizeof why);
			kprintf("%s CRATE %s 1\n%s RUN crate.%s.load\n%s FAIL crate.%s.load %s\n", k->tag, name, k->tag,
				name, k->tag, name, why);
			rs->failed++;
			continue;
		}
		rs->counted = 0;
		struct section_walk count = {rs, count_one}, run = {rs, run_one};
		linker_for_each_section(l, id, k->section, walk_section, &count);
		if (!rs->listing)
			kprintf("%s CRATE %s %u\n", k->tag, name, rs->counted);
		linker_for_each_section(l, id, k->section, walk_section, &run);
	}
}

void records_run(const struct record_kind *k, const char *selector, const char *after)
{
	struct run_state rs = {k, selector, after, after && *after, !strcmp(selector, "list"), 0, 0, 0};
	for (const struct record *r = k->own; r < k->own_end; r++)
		count_one(&rs, r);
	kprintf("%s BEGIN %u\n", k->tag, rs.counted);
	/* The first_flag records run before anything else (boot figures:
	 * nothing may have run between kmain and them). */
	for (const struct record *r = k->own; r < k->own_end; r++)
		if (r->flags & k->first_flag)
			run_one(&rs, r);
	if (k->after_first && !rs.listing)
		k->after_first();
	for (const struct record *r = k->own; r < k->own_end; r++)
		if (!(r->flags & k->first_flag))
			run_one(&rs, r);
	run_crate_records(&rs);
	kprintf("%s END %u %s, %u failed\n", k->tag, rs.ran, k->ran_word, rs.failed);
	qemu_exit(rs.failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
}
