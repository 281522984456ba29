/* Commands about crates: crates, deps, syms, load, unload, run. */
#include <theseus/alloc.h>
#include <theseus/crates.h>
#include "evolution.h"
#include "shell_internal.h"
#include "task.h"

#define MAX_CRATES 64
#define MAX_EDGES 48

/* The NUL-terminated text of a char array field. */
#define FMT_CSTR(line, array) fmt_str((line), STR_FROM_CSTR_ARRAY(array))

static void fmt_column(struct fmt_line *line, size_t start, size_t width)
{
	while (line->len < start + width)
		fmt_char(line, ' ');
	fmt_char(line, ' ');
}

void say_crate_error(struct str what, struct str name, const struct crate_error *why)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, what);
	fmt_char(&line, ' ');
	fmt_str(&line, name);
	fmt_str(&line, STR(": "));
	FMT_CSTR(&line, why->text);
	out_line(&line);
}

static bool has_flag(struct str args, struct str flag)
{
	for (size_t i = 0;; i++) {
		struct str w = word_at(args, i);
		if (w.len == 0)
			return false;
		if (str_eq(w, flag))
			return true;
	}
}

/* Tables too large for a task's stack (safe-C rule stack-frame) live on
 * the heap for the command. */
struct crate_table {
	struct crate_summary of[MAX_CRATES];
};
struct symbol_table {
	struct crate_symbol items[MAX_EDGES];
};

static void give_back(struct status s, struct str command)
{
	if (!status_ok(s)) {
		out_str(command);
		out_str(STR(": could not free a table\n"));
	}
}

void cmd_crates(struct str args)
{
	struct crate_table *table = NULL;
	if (!status_ok(HEAP_NEW(struct crate_table, &table, task_current()))) {
		out_str(STR("crates: out of memory\n"));
		return;
	}
	/* Versions retired by live swaps go once nothing runs in them. */
	(void)kernel_crate_reap_retired();
	size_t n = kernel_crate_list(table->of, MAX_CRATES);
	bool all = has_flag(args, STR("--all"));
	struct fmt_line line;
	/* Visible whenever it is on: the checker's guarantees do not hold
	 * for crates loaded unchecked. */
	if (kernel_crates_developer_mode())
		out_str(STR("developer mode: crates without a valid stamp of this build are loaded, marked [UNCHECKED]\n"));
	/* The name column fits the longest name shown. */
	size_t name_width = 12;
	for (size_t i = 0; i < n && i < MAX_CRATES; i++) {
		const struct crate_summary *c = ARRAY_AT(table->of, i);
		struct str name = STR_FROM_CSTR_ARRAY(c->name);
		if ((c->loaded || c->retired || all) && name.len > name_width)
			name_width = name.len;
	}
	fmt_clear(&line);
	fmt_str(&line, STR("name"));
	fmt_column(&line, 0, name_width);
	fmt_str(&line, STR("version text    data+bss refs deps swaps load-cycles loaded for"));
	out_line(&line);
	for (size_t i = 0; i < n && i < MAX_CRATES; i++) {
		const struct crate_summary *c = ARRAY_AT(table->of, i);
		if (!c->loaded && !c->retired && !all)
			continue;
		fmt_clear(&line);
		FMT_CSTR(&line, c->name);
		fmt_column(&line, 0, name_width);
		size_t col = line.len;
		FMT_CSTR(&line, c->version);
		fmt_column(&line, col, 7);
		if (!c->loaded && !c->retired) {
			fmt_str(&line, c->pushed ? STR("(pushed, not loaded)")
					: c->alternative ? STR("(in archive, alternative)") : STR("(in archive)"));
			out_line(&line);
			continue;
		}
		col = line.len;
		fmt_u64(&line, c->text_bytes);
		fmt_column(&line, col, 7);
		col = line.len;
		fmt_u64(&line, c->data_bytes + c->bss_bytes);
		fmt_column(&line, col, 8);
		col = line.len;
		fmt_u64(&line, c->refcount);
		fmt_column(&line, col, 4);
		col = line.len;
		fmt_u64(&line, c->dependent_crates);
		fmt_column(&line, col, 4);
		col = line.len;
		fmt_u64(&line, c->swaps);
		fmt_column(&line, col, 5);
		col = line.len;
		fmt_u64(&line, c->load_cycles);
		fmt_column(&line, col, 11);
		FMT_CSTR(&line, c->loaded_for);
		if (c->pushed)
			fmt_str(&line, STR(" [pushed]"));
		else if (c->restarted)
			fmt_str(&line, STR(" [restarted]"));
		if (c->unchecked)
			fmt_str(&line, STR(" [UNCHECKED]"));
		if (c->retired)
			fmt_str(&line, STR(" [retired: tasks still run in it]"));
		out_line(&line);
	}
	give_back(HEAP_FREE(table), STR("crates"));
}

#define EDGES_PER_ASK 8

static bool same_edge(const struct crate_edge *a, const struct crate_edge *b)
{
	return str_eq(STR_FROM_CSTR_ARRAY(a->from), STR_FROM_CSTR_ARRAY(b->from)) &&
	       str_eq(STR_FROM_CSTR_ARRAY(a->to), STR_FROM_CSTR_ARRAY(b->to)) &&
	       str_eq(STR_FROM_CSTR_ARRAY(a->symbol), STR_FROM_CSTR_ARRAY(b->symbol)) &&
	       str_eq(STR_FROM_CSTR_ARRAY(a->from_section), STR_FROM_CSTR_ARRAY(b->from_section)) &&
	       str_eq(STR_FROM_CSTR_ARRAY(a->to_section), STR_FROM_CSTR_ARRAY(b->to_section));
}

struct edge_table {
	struct crate_edge edges[MAX_EDGES];
	size_t used;
	bool truncated; /* more distinct edges than fit */
};

/* The nano-core lists one edge per relocation; shown, they are merged per
 * (crate, symbol), or per (section, section, symbol), with a count. */
static void merge_edges(struct str crate, enum crate_edge_direction dir, bool per_section, struct edge_table *t)
{
	t->used = 0;
	t->truncated = false;
	for (size_t first = 0;;) {
		struct crate_edge batch[EDGES_PER_ASK];
		struct count_result r = kernel_crate_edges(crate, dir, per_section, first, batch, EDGES_PER_ASK);
		for (size_t i = 0; i < r.value && i < EDGES_PER_ASK; i++) {
			size_t k = 0;
			while (k < t->used && !same_edge(ARRAY_AT(t->edges, k), ARRAY_AT(batch, i)))
				k++;
			if (k < t->used) {
				t->edges[k].count += batch[i].count;
			} else if (t->used < MAX_EDGES) {
				*ARRAY_AT(t->edges, t->used) = *ARRAY_AT(batch, i);
				t->used += 1;
			} else {
				t->truncated = true;
			}
		}
		if (r.err != E_RANGE || r.value == 0)
			return;
		first += r.value;
	}
}

static void print_edges(struct str crate, enum crate_edge_direction dir, bool per_section)
{
	struct edge_table *table = NULL;
	if (!status_ok(HEAP_NEW(struct edge_table, &table, task_current()))) {
		out_str(STR("deps: out of memory\n"));
		return;
	}
	merge_edges(crate, dir, per_section, table);
	size_t n = table->used;
	bool truncated = table->truncated;
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, dir == CRATE_IMPORTS ? STR("imports:") : STR("imported by:"));
	if (n == 0)
		fmt_str(&line, STR(" nothing"));
	out_line(&line);
	for (size_t i = 0; i < n && i < MAX_EDGES; i++) {
		const struct crate_edge *e = ARRAY_AT(table->edges, i);
		fmt_clear(&line);
		fmt_str(&line, STR("  "));
		if (per_section) {
			FMT_CSTR(&line, e->from);
			fmt_char(&line, ':');
			FMT_CSTR(&line, e->from_section);
			fmt_str(&line, STR(" -> "));
			FMT_CSTR(&line, e->to);
			fmt_char(&line, ':');
			FMT_CSTR(&line, e->to_section);
		} else {
			if (dir == CRATE_IMPORTS)
				FMT_CSTR(&line, e->to);
			else
				FMT_CSTR(&line, e->from);
		}
		fmt_str(&line, STR(" "));
		FMT_CSTR(&line, e->symbol);
		fmt_str(&line, STR(" ("));
		fmt_u64(&line, e->count);
		fmt_str(&line, e->count == 1 ? STR(" relocation)") : STR(" relocations)"));
		out_line(&line);
	}
	if (truncated)
		out_str(STR("  ... (more not shown)\n"));
	give_back(HEAP_FREE(table), STR("deps"));
}

void cmd_deps(struct str args)
{
	struct str crate = word_at(args, 0);
	if (crate.len == 0) {
		out_str(STR("usage: deps CRATE [--sections]\n"));
		return;
	}
	struct crate_edge probe[1];
	struct count_result r = kernel_crate_edges(crate, CRATE_IMPORTS, false, 0, probe, 1);
	if (r.err == E_NOENT || r.err == E_INVAL) {
		struct crate_error why = {"not loaded (try: load CRATE)"};
		say_crate_error(STR("deps"), crate, &why);
		return;
	}
	bool per_section = has_flag(args, STR("--sections"));
	print_edges(crate, CRATE_IMPORTS, per_section);
	print_edges(crate, CRATE_IMPORTED_BY, per_section);
}

void cmd_syms(struct str args)
{
	struct str crate = word_at(args, 0);
	struct symbol_table *syms = NULL;
	if (!status_ok(HEAP_NEW(struct symbol_table, &syms, task_current()))) {
		out_str(STR("syms: out of memory\n"));
		return;
	}
	struct count_result r = kernel_crate_exports(crate, syms->items, MAX_EDGES);
	if (crate.len == 0 || r.err == E_NOENT || r.err == E_INVAL) {
		struct crate_error why = {"no such crate in the archive"};
		say_crate_error(STR("syms"), crate, &why);
		r.value = 0;
	}
	for (size_t i = 0; i < r.value && i < MAX_EDGES; i++) {
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR("  "));
		if (syms->items[i].address)
			fmt_hex(&line, syms->items[i].address, 16);
		else
			fmt_str(&line, STR("(not loaded)      "));
		fmt_char(&line, ' ');
		FMT_CSTR(&line, syms->items[i].name);
		out_line(&line);
	}
	give_back(HEAP_FREE(syms), STR("syms"));
}

void cmd_sections(struct str args)
{
	struct str crate = word_at(args, 0);
	static const struct str kinds[] = {STR("code  "), STR("rodata"), STR("data  "), STR("bss   ")};
	struct crate_section_info batch[8];
	size_t shown = 0;
	for (size_t first = 0;;) {
		struct count_result r = kernel_crate_sections(crate, first, batch, 8);
		if (r.err == E_NOENT || crate.len == 0) {
			struct crate_error why = {"not loaded (try: load CRATE)"};
			say_crate_error(STR("sections"), crate, &why);
			return;
		}
		for (size_t i = 0; i < r.value && i < 8; i++) {
			struct fmt_line line;
			fmt_clear(&line);
			fmt_str(&line, STR("  "));
			fmt_hex(&line, batch[i].address, 16);
			fmt_char(&line, ' ');
			size_t mark = line.len;
			fmt_u64(&line, batch[i].size);
			fmt_pad_left(&line, mark, 7);
			fmt_char(&line, ' ');
			fmt_str(&line, *ARRAY_AT(kinds, batch[i].kind % 4));
			fmt_char(&line, ' ');
			FMT_CSTR(&line, batch[i].name);
			out_line(&line);
		}
		shown += r.value;
		if (r.err != E_RANGE || r.value == 0)
			break;
		first += r.value;
	}
	if (shown == 0)
		out_str(STR("  (no sections)\n"));
}

void cmd_load(struct str args)
{
	struct str crate = word_at(args, 0);
	struct crate_error why = {""};
	struct status s = kernel_crate_load(crate, &why);
	if (s.err == E_OK)
		out_str(STR("loaded\n"));
	else if (s.err == E_EXIST)
		out_str(STR("already loaded\n"));
	else
		say_crate_error(STR("load"), crate, &why);
}

void cmd_unload(struct str args)
{
	struct str crate = word_at(args, 0);
	struct crate_error why = {""};
	if (kernel_crate_unload(crate, &why).err == E_OK)
		out_str(STR("unloaded\n"));
	else
		say_crate_error(STR("unload"), crate, &why);
}

void cmd_swap(struct str args)
{
	struct str old = word_at(args, 0), new_crate = word_at(args, 1);
	if (old.len == 0 || new_crate.len == 0) {
		out_str(STR("usage: swap OLD NEW\n"));
		return;
	}
	struct crate_error why = {""};
	struct status s = evolution_swap(old, new_crate, &why);
	struct fmt_line line;
	fmt_clear(&line);
	if (s.err == E_OK) {
		fmt_str(&line, STR("swapped "));
		fmt_str(&line, old);
		fmt_str(&line, STR(" -> "));
		fmt_str(&line, new_crate);
		fmt_str(&line, STR(" ("));
		FMT_CSTR(&line, why.text);
		fmt_char(&line, ')');
		out_line(&line);
	} else {
		say_crate_error(STR("swap"), old, &why);
	}
}

void cmd_history(struct str args)
{
	(void)args;
	struct swap_history h;
	evolution_history(&h);
	if (h.count == 0) {
		out_str(STR("no swaps yet\n"));
		return;
	}
	for (size_t i = 0; i < h.count && i < SWAP_HISTORY_MAX; i++) {
		const struct swap_record *r = ARRAY_AT(h.records, i);
		struct fmt_line line;
		fmt_clear(&line);
		fmt_u64(&line, h.total - h.count + i + 1);
		fmt_str(&line, STR(". swap "));
		FMT_CSTR(&line, r->old_crate);
		fmt_str(&line, STR(" -> "));
		FMT_CSTR(&line, r->new_crate);
		fmt_str(&line, STR(": "));
		fmt_str(&line, r->result == E_OK ? STR("done") : KERR_STR(r->result));
		fmt_str(&line, STR(" in "));
		fmt_u64(&line, r->cycles);
		fmt_str(&line, STR(" cycles, at tsc "));
		fmt_u64(&line, r->at_cycles);
		out_line(&line);
	}
}

void cmd_run(struct str args)
{
	struct str app = word_at(args, 0);
	if (app.len == 0) {
		out_str(STR("usage: run APP [ARGS]\n"));
		return;
	}
	/* An application crate APP exports APP_main. */
	struct fmt_line symbol;
	fmt_clear(&symbol);
	fmt_str(&symbol, app);
	fmt_str(&symbol, STR("_main"));
	struct crate_error why = {""};
	struct status s = kernel_call_app(fmt_view(&symbol), rest_after(args, 0), &why);
	if (s.err != E_OK && why.text[0])
		say_crate_error(STR("run"), app, &why);
	else if (s.err != E_OK)
		out_str(STR("run: the application reported an error\n"));
}

/* evolve all | evolve CRATE...: each crate to its other version and back,
 * or restarted with its state kept (evolution_evolve), one line each, then
 * how many came through. The names are taken first: the list changes as
 * crates are replaced. */
void cmd_evolve(struct str args)
{
	if (word_at(args, 0).len == 0) {
		out_str(STR("usage: evolve all | evolve CRATE...\n"));
		return;
	}
	struct crate_table *table = NULL;
	if (!status_ok(HEAP_NEW(struct crate_table, &table, task_current()))) {
		out_str(STR("evolve: out of memory\n"));
		return;
	}
	size_t n = 0;
	if (str_eq(word_at(args, 0), STR("all"))) {
		size_t listed = kernel_crate_list(table->of, MAX_CRATES);
		for (size_t i = 0; i < listed && i < MAX_CRATES; i++) {
			struct crate_summary c = *ARRAY_AT(table->of, i);
			if (c.loaded)
				*ARRAY_AT(table->of, n++) = c;
		}
		/* The shell last: its restart waits for this command to end, and
		 * no other replacement then runs beside the one it waits for. */
		for (size_t i = 0; i + 1 < n && i + 1 < MAX_CRATES; i++)
			if (str_eq(STR_FROM_CSTR_ARRAY(ARRAY_AT(table->of, i)->name), STR("shell"))) {
				struct crate_summary shell = *ARRAY_AT(table->of, i);
				*ARRAY_AT(table->of, i) = *ARRAY_AT(table->of, i + 1);
				*ARRAY_AT(table->of, i + 1) = shell;
			}
	} else {
		for (; n < MAX_CRATES && word_at(args, n).len; n++)
			bytes_fill_cstr(BYTES_OF(ARRAY_AT(table->of, n)->name), word_at(args, n));
	}
	size_t done = 0, deferred = 0;
	for (size_t i = 0; i < n && i < MAX_CRATES; i++) {
		struct str name = STR_FROM_CSTR_ARRAY(ARRAY_AT(table->of, i)->name);
		struct crate_error why = {""};
		struct status s = evolution_evolve(name, &why);
		/* E_AGAIN: left to a helper until this command ends (the shell). */
		bool later = s.err == E_AGAIN;
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR("evolve "));
		fmt_str(&line, name);
		fmt_str(&line, status_ok(s) ? STR(": ok, ") : later ? STR(": deferred, ") : STR(": "));
		if (!status_ok(s) && !later) {
			fmt_str(&line, KERR_STR(s.err));
			fmt_str(&line, STR(", "));
		}
		FMT_CSTR(&line, why.text);
		out_line(&line);
		done += status_ok(s);
		deferred += later;
	}
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("evolve: "));
	fmt_u64(&line, done);
	fmt_str(&line, STR(" of "));
	fmt_u64(&line, n);
	fmt_str(&line, STR(" crates replaced and back"));
	if (deferred) {
		fmt_str(&line, STR(", "));
		fmt_u64(&line, deferred);
		fmt_str(&line, STR(" more once this command ends (the helper says when)"));
	}
	out_line(&line);
	give_back(HEAP_FREE(table), STR("evolve"));
}
