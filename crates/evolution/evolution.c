/* evolution: the policy of live evolution (include/evolution.h) on top of
 * the nano-core's mechanism: handles on crates and the one swap primitive
 * that applies a plan when the crate to replace is quiescent. */
#include <theseus/alloc.h>
#include <theseus/console.h>
#include <theseus/cpu.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include <theseus/shared_ref.h>
#include "evolution_internal.h"
#include "fmt.h"
#include "task.h"

CRATE("evolution", "1.0.0", "live evolution policy: swap, restart, push, history", "evolution_init", "",
      "fmt,heap,task");

/* How long a swap waits for every task to leave OLD and every strong
 * reference to it to go: tries, each after letting the others run for a
 * timer tick (1 ms), so about half a second. */
#define QUIESCENCE_TRIES 500
#define WAITING_MAX 8

/* The kinds of replacement (plan_hooks says what each must carry). */
enum replacement {
	REPLACE_SWAP,          /* another version, or a pushed one */
	REPLACE_RESTART,       /* a fresh copy, keeping what must survive */
	REPLACE_RESTART_FRESH, /* a fresh copy, its own data anew */
};

/* This crate's state: the history the shell shows (it outlives every
 * crate it talks about, and every version of this one); the swaps waiting
 * for quiescence, one entry each, which code that runs for good inside a
 * crate asks about to step aside; and the replacement a helper task makes
 * for a caller that runs in the crate replaced (below). It lives on the
 * heap and is shared with the next version of this crate (evolution_share,
 * evolution_migrate): a replacement of this crate is asked for from inside
 * it, so the old version's code runs on (the caller returns through it)
 * beside the new one, on the same state. */
struct evolution_state {
	struct {
		struct swap_record ring[SWAP_HISTORY_MAX];
		uint64_t total;
	} history;
	struct {
		struct crate_handle crate;
		bool used;
	} waiting[WAITING_MAX];
	struct {
		struct swap_plan plan;
		char old_name[32], new_name[32];
		enum replacement how;
		size_t waiting_entry; /* announced before the caller returns */
		bool busy;
	} deferred;
};

SHARED_REF(struct evolution_state, shared)

#define S (shared())

/* The format of what evolution_share hands over (shared_hand_over). */
#define EVOLUTION_SHARE_FORMAT 1

static void say(struct crate_error *why, const struct fmt_line *line)
{
	if (why)
		bytes_fill_cstr(BYTES_OF(why->text), fmt_view(line));
}

static void say_str(struct crate_error *why, struct str text)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, text);
	say(why, &line);
}

#define FILL(array, text) bytes_fill_cstr(BYTES_OF(array), (text))

static void log_swap(struct str old, struct str new_crate, struct str how, enum kerr result, uint64_t cycles)
{
	struct swap_record *r = ARRAY_AT(S->history.ring, S->history.total % SWAP_HISTORY_MAX);
	struct fmt_line name;
	fmt_clear(&name);
	fmt_str(&name, new_crate);
	fmt_str(&name, how);
	FILL(r->old_crate, old);
	FILL(r->new_crate, fmt_view(&name));
	r->result = result;
	r->cycles = cycles;
	r->at_cycles = cpu_timestamp();
	S->history.total += 1;
}

CRATE_EXPORT void evolution_history(struct swap_history *out)
{
	uint64_t n = S->history.total < SWAP_HISTORY_MAX ? S->history.total : SWAP_HISTORY_MAX;
	for (uint64_t i = 0; i < n; i++)
		*ARRAY_AT(out->records, i) = *ARRAY_AT(S->history.ring, (S->history.total - n + i) % SWAP_HISTORY_MAX);
	out->count = n;
	out->total = S->history.total;
}

CRATE_EXPORT bool evolution_swap_pending(void)
{
	for (size_t i = 0; i < WAITING_MAX; i++)
		if (S->waiting[i].used && kernel_crate_on_stack(&S->waiting[i].crate))
			return true;
	return false;
}

/* "2.1.0" -> 2; 0 for a version that does not start with digits. */
static uint32_t major_version(const struct crate_summary *c)
{
	struct str v = STR_FROM_CSTR_ARRAY(c->version);
	size_t digits = 0;
	while (digits < v.len && str_at(v, digits) >= '0' && str_at(v, digits) <= '9')
		digits++;
	uint64_t major = 0;
	return fmt_parse_u64(str_sub(v, 0, digits), 9, &major) ? (uint32_t)major : 0;
}

/* The number at v[*at...] (digits only, capped), stepping past it and one
 * '.' after it. */
static uint64_t version_part(struct str v, size_t *at)
{
	uint64_t n = 0;
	while (*at < v.len && str_at(v, *at) >= '0' && str_at(v, *at) <= '9' && n < UINT32_MAX) {
		n = n * 10 + (uint64_t)(str_at(v, *at) - '0');
		*at += 1;
	}
	if (*at < v.len && str_at(v, *at) == '.')
		*at += 1;
	return n;
}

/* Compare "MAJOR.MINOR.PATCH" versions (a missing or malformed part counts
 * as 0): negative, zero or positive as a < b, a == b, a > b. */
static int version_compare(const struct crate_summary *a, const struct crate_summary *b)
{
	struct str va = STR_FROM_CSTR_ARRAY(a->version), vb = STR_FROM_CSTR_ARRAY(b->version);
	size_t i = 0, j = 0;
	for (int part = 0; part < 3; part++) {
		uint64_t x = version_part(va, &i), y = version_part(vb, &j);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* The name of a crate's live-update hook FAMILY_kind ("save", "migrate"),
 * FAMILY being the crate it is an alternative of, or its own name. */
struct hook {
	char name[64];
};

static struct hook hook_name(const struct crate_summary *c, struct str kind)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, c->alternative_of[0] ? STR_FROM_CSTR_ARRAY(c->alternative_of) : STR_FROM_CSTR_ARRAY(c->name));
	fmt_char(&line, '_');
	fmt_str(&line, kind);
	struct hook h = {};
	FILL(h.name, line.truncated ? STR_EMPTY : fmt_view(&line));
	return h;
}

/* A swap drops OLD's own .data and .bss: refused when there is any unless
 * OLD exports FAMILY_save and NEW FAMILY_migrate, which carry it over
 * (through the state store, or the swap's handover for large state). The
 * paper's rule made a check: state a crate must not lose across versions
 * lives outside it, or is handed over. A restart keeps what the hooks
 * carry, so it needs at least the save hook, which may carry the state or
 * refuse to lose it (the heap, while objects live in it); without one it
 * is refused too, naming what would be lost. Only a fresh restart (after a
 * fault, or `restart --fresh`) is not checked, and even then the hooks
 * run: what a crate hands over is what no instance of it may lose
 * (memory's record of every mapping, the state store's entries). */

/* Out of line (as is the wait below): the two summaries and the lines
 * need not stay on the stack while the swap runs. A restart after a fault
 * runs on the faulted task's stack, and an interrupt may nest on it. */
__attribute__((noinline)) static struct status plan_hooks(struct swap_plan *plan, enum replacement how,
							   struct crate_error *why)
{
	struct crate_summary old, new;
	if (!status_ok(kernel_crate_describe(&plan->old_crate, &old)) ||
	    !status_ok(kernel_crate_describe(&plan->new_crate, &new))) {
		say_str(why, STR("the crate changed while the swap was planned"));
		return STATUS(E_STALE);
	}
	struct hook save = hook_name(&old, STR("save")), migrate = hook_name(&new, STR("migrate"));
	/* FAMILY_share instead of FAMILY_save: OLD keeps its state where the
	 * new version reaches it too and hands over a reference, so its code
	 * may run on for the tasks inside it (the task crate: every task
	 * switched out is inside it). The swap then retires OLD rather than
	 * wait for them to leave. */
	struct hook share = hook_name(&old, STR("share"));
	bool shares = share.name[0] && kernel_crate_has_export(&plan->old_crate, STR_FROM_CSTR_ARRAY(share.name));
	if (shares)
		save = share;
	bool saves = save.name[0] && kernel_crate_has_export(&plan->old_crate, STR_FROM_CSTR_ARRAY(save.name));
	bool migrates = migrate.name[0] &&
			kernel_crate_has_export(&plan->new_crate, STR_FROM_CSTR_ARRAY(migrate.name));
	uint64_t state = old.state_bytes;
	bool carried = how == REPLACE_SWAP ? saves && migrates : how == REPLACE_RESTART ? saves : true;
	if (shares && !migrates) {
		/* Shared state nobody takes over would be lost with OLD. */
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR_FROM_CSTR_ARRAY(new.name));
		fmt_str(&line, STR(" has no "));
		fmt_str(&line, STR_FROM_CSTR_ARRAY(migrate.name));
		fmt_str(&line, STR(" to take over what "));
		fmt_str(&line, STR_FROM_CSTR_ARRAY(share.name));
		fmt_str(&line, STR(" shares"));
		say(why, &line);
		return STATUS(E_PERM);
	}
	if (state && !carried) {
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR_FROM_CSTR_ARRAY(old.name));
		fmt_str(&line, STR(" keeps "));
		fmt_u64(&line, state);
		fmt_str(&line, STR(" bytes of state in .data/.bss and no "));
		fmt_str(&line, STR_FROM_CSTR_ARRAY(save.name));
		if (how == REPLACE_SWAP) {
			fmt_char(&line, '/');
			fmt_str(&line, STR_FROM_CSTR_ARRAY(migrate.name));
			fmt_str(&line, STR(" carries it over"));
		} else {
			fmt_str(&line, STR(" keeps it (restart --fresh starts it anew)"));
		}
		say(why, &line);
		return STATUS(E_PERM);
	}
	FILL(plan->save_hook, saves ? STR_FROM_CSTR_ARRAY(save.name) : STR_EMPTY);
	FILL(plan->migrate_hook, migrates ? STR_FROM_CSTR_ARRAY(migrate.name) : STR_EMPTY);
	plan->retire_old = shares;
	plan->migrate_arg = major_version(&old);
	return STATUS_OK;
}

static size_t wait_begin(const struct crate_handle *crate)
{
	for (size_t i = 0; i < WAITING_MAX; i++) {
		if (!S->waiting[i].used) {
			S->waiting[i].crate = *crate;
			S->waiting[i].used = true;
			return i;
		}
	}
	return WAITING_MAX; /* all taken: this swap waits without being announced */
}

static void wait_end(size_t entry)
{
	if (entry < WAITING_MAX)
		S->waiting[entry].used = false;
}

/* Apply the plan once OLD is quiescent, a tick at a time. */
__attribute__((noinline)) static struct status apply_when_quiescent(struct swap_plan *plan, struct crate_error *why)
{
	/* Announced to code that runs for good inside OLD, so that it steps
	 * aside; not for a crate to retire, which nobody need leave (every
	 * task is inside the task crate: the console session would step
	 * aside for nothing). */
	size_t entry = plan->retire_old ? WAITING_MAX : wait_begin(&plan->old_crate);
	struct status s = STATUS(E_AGAIN);
	struct crate_error holds = {""};
	for (int attempt = 0; attempt <= QUIESCENCE_TRIES && s.err == E_AGAIN; attempt++) {
		if (attempt)
			task_sleep_ticks(1);
		holds.text[0] = '\0';
		s = kernel_crate_swap_apply(plan, &holds);
	}
	wait_end(entry);
	if (s.err == E_OK) {
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR("swapped in "));
		fmt_u64(&line, plan->cycles);
		fmt_str(&line, STR(" cycles with interrupts off"));
		if (plan->save_hook[0] && plan->migrate_hook[0]) {
			fmt_str(&line, plan->retire_old ? STR("; state shared (") : STR("; state handed over by "));
			fmt_str(&line, STR_FROM_CSTR_ARRAY(plan->save_hook));
			fmt_str(&line, plan->retire_old ? STR(", ") : STR(" and "));
			fmt_str(&line, STR_FROM_CSTR_ARRAY(plan->migrate_hook));
			if (plan->retire_old)
				fmt_str(&line, STR("); the old version retired"));
		}
		say(why, &line);
		return s;
	}
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR_FROM_CSTR_ARRAY(holds.text));
	if (s.err == E_AGAIN) {
		/* A task still inside is a timeout; a reference or the linker, busy. */
		bool task_inside = str_eq(STR_FROM_CSTR_ARRAY(holds.text), STR("a task executes in it"));
		s = STATUS(task_inside ? E_TIMEOUT : E_BUSY);
		fmt_str(&line, STR(" past the time limit; nothing was changed"));
	} else if (s.err == E_STALE) {
		fmt_clear(&line);
		fmt_str(&line, STR("it was unloaded or replaced while the swap waited"));
	}
	say(why, &line);
	return s;
}

/* The figures of one replacement: request to done, and the window; or
 * that it was left to the helper below. */
struct swap_figures {
	uint64_t cycles;
	uint64_t window;
	bool deferred;
};

/* A replacement of the crate its caller runs in (`restart shell` typed at
 * the shell) cannot wait in the caller, which would never leave the crate.
 * A helper task waits instead, while the caller returns and steps aside
 * (the shell's read loop asks evolution_swap_pending); it records the
 * outcome in the history and says it on the console. One at a time
 * (S->deferred). */

static struct str how_said(enum replacement how)
{
	return how == REPLACE_RESTART	    ? STR(" (restarted)")
	       : how == REPLACE_RESTART_FRESH ? STR(" (restarted fresh)")
					      : STR_EMPTY;
}

static void drop_unused(const struct crate_handle *h, struct crate_error *why);

static void replace_for_the_caller(uint64_t unused)
{
	(void)unused;
	struct crate_error why = {""};
	uint64_t start = cpu_timestamp();
	struct status s = apply_when_quiescent(&S->deferred.plan, &why);
	struct str old = STR_FROM_CSTR_ARRAY(S->deferred.old_name), new_crate = STR_FROM_CSTR_ARRAY(S->deferred.new_name);
	wait_end(S->deferred.waiting_entry);
	log_swap(old, new_crate, how_said(S->deferred.how), s.err, cpu_timestamp() - start);
	if (!status_ok(s) && S->deferred.how != REPLACE_SWAP)
		drop_unused(&S->deferred.plan.new_crate, &why);
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("evolution: "));
	fmt_str(&line, old);
	fmt_str(&line, status_ok(s) ? STR(" replaced by ") : STR(" not replaced by "));
	fmt_str(&line, new_crate);
	fmt_str(&line, STR(" once its caller stepped aside: "));
	fmt_str(&line, STR_FROM_CSTR_ARRAY(why.text));
	kernel_console_write(fmt_view(&line));
	kernel_console_write(STR("\n")); /* apart: a long reason fills the line */
	S->deferred.busy = false;
	task_exit(0);
}

__attribute__((noinline)) static struct status defer(const struct swap_plan *plan, enum replacement how,
						     struct crate_error *why)
{
	if (S->deferred.busy) {
		say_str(why, STR("the calling context is executing in it, and a replacement already waits for "
				 "its caller"));
		return STATUS(E_BUSY);
	}
	struct crate_summary about;
	if (!status_ok(kernel_crate_describe(&plan->old_crate, &about)))
		return STATUS(E_STALE);
	FILL(S->deferred.old_name, STR_FROM_CSTR_ARRAY(about.name));
	if (!status_ok(kernel_crate_describe(&plan->new_crate, &about)))
		return STATUS(E_STALE);
	FILL(S->deferred.new_name, STR_FROM_CSTR_ARRAY(about.name));
	S->deferred.plan = *plan;
	S->deferred.how = how;
	S->deferred.busy = true;
	/* Announced now, so that the caller steps aside as soon as it can,
	 * not once the helper first runs. */
	S->deferred.waiting_entry = wait_begin(&plan->old_crate);
	struct task_result helper = task_spawn(STR("evolution_helper"), replace_for_the_caller, 0, 0);
	if (helper.err != E_OK) {
		wait_end(S->deferred.waiting_entry);
		S->deferred.busy = false;
		say_str(why, STR("the calling context is executing in it, and no helper task could start"));
		return STATUS(helper.err);
	}
	say_str(why, STR("the calling context is executing in it: a helper task replaces it once the caller steps "
			 "aside"));
	return STATUS(E_AGAIN);
}

/* Can the caller step aside from OLD, where it runs? Only from a crate
 * nobody imports: one a task entered as its entry (the shell's session,
 * an application), not one every task passes through (task). */
static bool caller_can_step_aside(const struct crate_handle *old)
{
	struct crate_summary about;
	return kernel_crate_on_stack(old) && status_ok(kernel_crate_describe(old, &about)) &&
	       about.dependent_crates == 0;
}

static struct status swap_to(struct crate_handle *old, struct crate_handle *new, enum replacement how,
			     bool may_defer, struct crate_error *why, struct swap_figures *fig)
{
	struct swap_plan plan = {.old_crate = *old, .new_crate = *new};
	uint64_t start = cpu_timestamp();
	/* Versions retired by earlier swaps go once nothing runs in them. */
	(void)kernel_crate_reap_retired();
	shared_mend();
	struct status s = plan_hooks(&plan, how, why);
	if (status_ok(s) && may_defer && caller_can_step_aside(old)) {
		s = defer(&plan, how, why);
		fig->deferred = s.err == E_AGAIN;
		return s;
	}
	if (status_ok(s))
		s = apply_when_quiescent(&plan, why);
	fig->cycles = cpu_timestamp() - start;
	fig->window = plan.cycles;
	return s;
}

static struct status find_loaded(struct str name, struct crate_handle *out, struct crate_summary *summary,
				 struct crate_error *why)
{
	struct status s = kernel_crate_find(name, out, why);
	if (status_ok(s) && status_ok(kernel_crate_describe(out, summary)) && summary->loaded)
		return s;
	if (!status_ok(s) && s.err != E_NOENT)
		return s;
	say_str(why, STR("not loaded"));
	return STATUS(E_NOENT);
}

/* An added crate that ended up unused goes; if even that fails, say so. */
static void drop_unused(const struct crate_handle *h, struct crate_error *why)
{
	if (!status_ok(kernel_crate_drop(h)) && why) {
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR_FROM_CSTR_ARRAY(why->text));
		fmt_str(&line, STR("; its copy could not be dropped"));
		say(why, &line);
	}
}

CRATE_EXPORT struct status evolution_swap(struct str old, struct str new_crate, struct crate_error *why)
{
	struct crate_handle from, to;
	struct crate_summary summary;
	struct swap_figures fig = {};
	if (why)
		why->text[0] = '\0';
	struct status s = find_loaded(old, &from, &summary, why);
	if (status_ok(s)) {
		s = kernel_crate_find_archived(new_crate, &to, why);
		if (s.err == E_NOENT) {
			struct fmt_line line;
			fmt_clear(&line);
			fmt_str(&line, STR("crate "));
			fmt_str(&line, new_crate);
			fmt_str(&line, STR(": no such crate in the archive (E_NOENT)"));
			say(why, &line);
		}
	}
	/* The archive's instance of NEW may be retired, tasks still running
	 * in it (`swap task task_v2` and back): a fresh instance serves. */
	struct crate_summary target;
	bool copied = false;
	if (status_ok(s) && status_ok(kernel_crate_describe(&to, &target)) && target.retired) {
		struct crate_handle copy;
		s = kernel_crate_add_copy(&to, &copy, why);
		copied = status_ok(s);
		if (copied)
			to = copy;
	}
	if (status_ok(s))
		s = swap_to(&from, &to, REPLACE_SWAP, true, why, &fig);
	if (copied && !status_ok(s) && !fig.deferred) {
		struct crate_error ignored;
		drop_unused(&to, &ignored);
	}
	if (!fig.deferred)
		log_swap(old, new_crate, STR_EMPTY, s.err, fig.cycles);
	return s;
}

/* evolution_restart, with its figures: the benchmark's way in
 * (evolution_internal.h). */
struct status evolution_restart_measured(struct str crate, bool fresh, bool may_defer, struct crate_error *why,
					 uint64_t *cycles, uint64_t *window)
{
	struct crate_handle loaded, copy;
	struct crate_summary summary;
	struct swap_figures fig = {};
	struct status s = find_loaded(crate, &loaded, &summary, why);
	if (status_ok(s))
		s = kernel_crate_add_copy(&loaded, &copy, why);
	if (!status_ok(s))
		return s;
	s = swap_to(&loaded, &copy, fresh ? REPLACE_RESTART_FRESH : REPLACE_RESTART, may_defer, why, &fig);
	if (fig.deferred)
		return s; /* the helper logs it, and drops the copy if it fails */
	log_swap(STR_FROM_CSTR_ARRAY(summary.name), STR_FROM_CSTR_ARRAY(summary.name),
		 how_said(fresh ? REPLACE_RESTART_FRESH : REPLACE_RESTART), s.err, fig.cycles);
	if (!status_ok(s))
		drop_unused(&copy, why);
	*cycles = fig.cycles;
	*window = fig.window;
	return s;
}

CRATE_EXPORT struct status evolution_restart(struct str crate, bool fresh, struct crate_error *why)
{
	uint64_t cycles, window;
	return evolution_restart_measured(crate, fresh, true, why, &cycles, &window);
}

/* The archive's alternative of the crate called `name` (a crate that
 * declares itself one), or of the crate it is itself an alternative of:
 * the version to swap to. Empty when there is none. */
#define LISTED_MAX 64
struct listing {
	struct crate_summary of[LISTED_MAX];
};

static void alternative_for(const struct crate_summary *running, struct bytes out)
{
	bytes_fill_cstr(out, STR_EMPTY);
	struct listing *all = NULL; /* 17 KiB: not for a stack */
	if (!status_ok(HEAP_NEW(struct listing, &all, task_current()))) /* freed with the task if it dies */
		return;
	size_t n = kernel_crate_list(all->of, LISTED_MAX);
	struct str name = STR_FROM_CSTR_ARRAY(running->name);
	struct str original = STR_FROM_CSTR_ARRAY(running->alternative_of);
	for (size_t i = 0; i < n && i < LISTED_MAX; i++) {
		const struct crate_summary *c = ARRAY_AT(all->of, i);
		struct str cname = STR_FROM_CSTR_ARRAY(c->name);
		bool other_version = original.len ? str_eq(cname, original)
						  : str_eq(STR_FROM_CSTR_ARRAY(c->alternative_of), name);
		if (other_version && !c->pushed && !str_eq(cname, name)) {
			bytes_fill_cstr(out, cname);
			break;
		}
	}
	if (!status_ok(HEAP_FREE(all)))
		bytes_fill_cstr(out, STR_EMPTY);
}

CRATE_EXPORT struct status evolution_evolve(struct str crate, struct crate_error *why)
{
	struct crate_handle loaded;
	struct crate_summary running;
	struct status s = find_loaded(crate, &loaded, &running, why);
	if (!status_ok(s))
		return s;
	char other[32];
	alternative_for(&running, BYTES_OF(other));
	struct str name = STR_FROM_CSTR_ARRAY(running.name), to = STR_FROM_CSTR_ARRAY(other);
	/* The caller runs in it (the shell that types `evolve all`): a
	 * restart is left to a helper, which makes it once the caller steps
	 * aside, after this command (E_AGAIN). A swap there and back is two
	 * replacements, which one step aside cannot take. */
	if (to.len && caller_can_step_aside(&loaded)) {
		say_str(why, STR("the calling context is executing in it, and a swap there and back cannot wait for it"));
		return STATUS(E_BUSY);
	}
	if (!to.len)
		return evolution_restart(name, false, why);
	uint64_t start = cpu_timestamp();
	s = evolution_swap(name, to, why);
	if (!status_ok(s))
		return s;
	s = evolution_swap(to, name, why);
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("to "));
	fmt_str(&line, to);
	fmt_str(&line, status_ok(s) ? STR(" and back in ") : STR(", but not back: "));
	if (status_ok(s)) {
		fmt_u64(&line, cpu_timestamp() - start);
		fmt_str(&line, STR(" cycles"));
	} else {
		fmt_str(&line, STR_FROM_CSTR_ARRAY(why->text));
	}
	say(why, &line);
	return s;
}

CRATE_EXPORT struct status evolution_push(struct str image, struct push_report *out)
{
	*out = (struct push_report){};
	struct crate_handle pushed, old;
	struct crate_summary incoming, running;
	struct status s = kernel_crate_add_pushed(image, &pushed, &out->why);
	if (!status_ok(s))
		return s;
	s = kernel_crate_describe(&pushed, &incoming);
	if (!status_ok(s)) {
		drop_unused(&pushed, &out->why);
		return s;
	}
	FILL(out->crate, STR_FROM_CSTR_ARRAY(incoming.name));
	FILL(out->new_version, STR_FROM_CSTR_ARRAY(incoming.version));
	/* What it replaces: the loaded crate of its name, else of the crate it
	 * is an alternative of; nothing loaded: it is simply loaded. */
	struct crate_error ignored;
	bool found = status_ok(find_loaded(STR_FROM_CSTR_ARRAY(incoming.name), &old, &running, &ignored));
	if (!found && incoming.alternative_of[0])
		found = status_ok(find_loaded(STR_FROM_CSTR_ARRAY(incoming.alternative_of), &old, &running, &ignored));
	if (found && !incoming.forced && version_compare(&incoming, &running) < 0) {
		/* A lower version does not silently replace a higher one. */
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR_FROM_CSTR_ARRAY(incoming.name));
		fmt_str(&line, STR(" "));
		fmt_str(&line, STR_FROM_CSTR_ARRAY(incoming.version));
		fmt_str(&line, STR(" would replace "));
		fmt_str(&line, STR_FROM_CSTR_ARRAY(running.name));
		fmt_str(&line, STR(" "));
		fmt_str(&line, STR_FROM_CSTR_ARRAY(running.version));
		fmt_str(&line, STR(": a downgrade (push with --force to allow it)"));
		say(&out->why, &line);
		struct crate_error ignored_drop;
		drop_unused(&pushed, &ignored_drop);
		return STATUS(E_PERM);
	}
	if (found) {
		out->replaced = true;
		FILL(out->old_crate, STR_FROM_CSTR_ARRAY(running.name));
		FILL(out->old_version, STR_FROM_CSTR_ARRAY(running.version));
		struct swap_figures fig = {};
		/* Not left to a helper: the receiver's loop never steps aside. */
		s = swap_to(&old, &pushed, REPLACE_SWAP, false, &out->why, &fig);
		out->cycles = fig.cycles;
		log_swap(STR_FROM_CSTR_ARRAY(running.name), STR_FROM_CSTR_ARRAY(incoming.name), STR(" (pushed)"), s.err,
			 fig.cycles);
	} else {
		uint64_t start = cpu_timestamp();
		s = kernel_crate_load_handle(&pushed, &out->why);
		out->cycles = cpu_timestamp() - start;
		if (status_ok(s)) {
			struct fmt_line line;
			fmt_clear(&line);
			fmt_str(&line, STR("loaded in "));
			fmt_u64(&line, out->cycles);
			fmt_str(&line, STR(" cycles"));
			say(&out->why, &line);
		}
	}
	if (!status_ok(s))
		drop_unused(&pushed, &out->why);
	return s;
}

/* ---- this crate's own replacement ---- */

struct status evolution_init(void);
struct status evolution_init(void)
{
	/* A new version, in a live swap's window: the state comes from the
	 * version it replaces (evolution_migrate). */
	if (kernel_swap_in_progress())
		return STATUS_OK;
	struct evolution_state *state = NULL;
	struct status s = HEAP_NEW(struct evolution_state, &state, HEAP_OWNER_KERNEL);
	if (status_ok(s))
		shared_set(state);
	return s;
}

/* The save hook when this crate is replaced (interrupts off): the state,
 * by reference. The `_share` hook tells plan_hooks (this crate's own
 * policy, in whichever version runs it) that the old version's code may
 * run on: the caller asking for the replacement returns through it. */
CRATE_EXPORT struct status evolution_share(void)
{
	return shared_hand_over(EVOLUTION_SHARE_FORMAT);
}

CRATE_EXPORT struct status evolution_migrate(uint32_t from_major)
{
	(void)from_major; /* the record's format says what it holds */
	return shared_take_over(EVOLUTION_SHARE_FORMAT);
}
