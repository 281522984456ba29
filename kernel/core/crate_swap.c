/* Live evolution: replacing a loaded crate while the system runs. The
 * quiescent swap (no task in OLD, no strong reference), the migration
 * hook, the swap history, and the three ways a replacement arrives: from
 * the archive (kernel_crate_swap), from the host (kernel_crate_push), and
 * as a fresh copy of the crate itself (kernel_crate_restart). See
 * docs/live-update.md. */
#include "crate_api.h"
#include "export.h"
#include "../arch/x86_64/cpu.h"
#include "../arch/x86_64/trap.h"
#include <theseus/cpu.h>

typedef bool (*stacks_refer_fn)(uint64_t lo, uint64_t hi);

/* Is some other task's saved stack inside c's code? Asks the task crate
 * when it is loaded (without loading it): without tasks there is nobody
 * else. Interrupts are off. */
static bool other_tasks_in(struct linker *l, const struct loaded_crate *c)
{
	struct linker_symbol sym;
	if (!status_ok(linker_resolve_loaded(l, "task_stacks_refer_to", &sym)) ||
	    !status_ok(linker_check_call_type(l, sym.crate_id, "task_stacks_refer_to",
					      "linker_call_type_stacks_refer_to", NULL)))
		return false;
	stacks_refer_fn refer = (stacks_refer_fn)sym.address;
	for (uint32_t i = 0; i < c->region_count; i++) {
		const struct linker_region *r = &c->regions[i];
		if (r->kind == REGION_TEXT && refer(r->vaddr, r->vaddr + r->size))
			return true;
	}
	return false;
}

/* "2.1.0" -> 2 */
static uint32_t major_version(const char *version)
{
	uint32_t v = 0;
	for (const char *p = version; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint32_t)(*p - '0');
	return v;
}

struct migrate_call {
	uint64_t address;
	uint32_t from_version;
	struct status result;
};

static void call_migrate(void *arg)
{
	struct migrate_call *m = arg;
	struct status (*hook)(uint32_t) = (struct status (*)(uint32_t))m->address;
	m->result = hook(m->from_version);
}

/* The name of a crate's live-update hook FAMILY_kind ("save", "migrate"),
 * FAMILY being the crate it is an alternative of, or its own name. */
static bool hook_name(struct linker *l, uint32_t id, const char *kind, char *hook, size_t cap)
{
	struct archive_crate c;
	if (!linker_crate_entry(l, id, &c))
		return false;
	ksnprintf(hook, cap, "%s_%s", c.alternative_of[0] ? c.alternative_of : c.name, kind);
	return true;
}

/* A swap drops OLD's own .data and .bss: refused when there is any unless
 * OLD exports FAMILY_save and NEW FAMILY_migrate, which carry it over
 * through the state store. The paper's rule made a check: state a crate
 * must not lose across versions lives outside it, or is handed over. A
 * restart (a copy of the crate itself) means to start afresh and is not
 * checked. */
static struct status check_state_carried(struct linker *l, uint32_t old_id, uint32_t new_id,
					 struct crate_error *why)
{
	const struct loaded_crate *old = linker_crate(l, old_id);
	uint64_t bytes = old->size_of_kind[REGION_DATA] + old->size_of_kind[REGION_BSS];
	char save[64], hook[64];
	if (bytes == 0 || !hook_name(l, old_id, "save", save, sizeof save) ||
	    !hook_name(l, new_id, "migrate", hook, sizeof hook))
		return STATUS_OK;
	bool saves = find_export(old, save) != LINKER_NO_SECTION;
	if (saves && linker_crate_exports_symbol(l, new_id, hook))
		return STATUS_OK;
	if (why)
		ksnprintf(why->text, sizeof why->text, "%s keeps %lu bytes of state in .data/.bss and no %s/%s carries it over",
			  old->name, bytes, save, hook);
	return STATUS(E_PERM);
}

struct save_call {
	uint64_t address;
	struct status result;
};

static void call_save(void *arg)
{
	struct save_call *c = arg;
	c->result = ((struct status (*)(void))c->address)();
}

/* Run OLD's FAMILY_save, if it has one, under a recovery point. */
static struct status save_state(struct linker *l, uint32_t old_id, struct crate_error *why)
{
	const struct loaded_crate *old = linker_crate(l, old_id);
	char save[64];
	uint32_t sym = hook_name(l, old_id, "save", save, sizeof save) ? find_export(old, save) : LINKER_NO_SECTION;
	uint64_t address;
	uint32_t section;
	if (sym == LINKER_NO_SECTION || !symbol_address(old, sym, &address, &section))
		return STATUS_OK;
	struct link_error err;
	if (!status_ok(linker_check_call_type(l, old_id, save, "linker_call_type_status_void", &err))) {
		if (why)
			link_error_format(&err, why->text, sizeof why->text);
		return STATUS(E_PERM);
	}
	struct save_call c = {address, STATUS(E_FAULT)};
	struct fault_point fp;
	if (kfault_try(&fp, call_save, &c))
		c.result = STATUS(E_FAULT);
	if (!status_ok(c.result) && why)
		ksnprintf(why->text, sizeof why->text, "%s() failed (%s); nothing was changed", save,
			  kerr_name(c.result.err));
	return c.result;
}

/* The optional migration hook of the crate swapped in: FAMILY_migrate,
 * called with the major version of the crate swapped out. When it fails,
 * the swap is undone (the old crate comes back from its archive). */
static struct status migrate(struct linker *l, uint32_t new_id, uint32_t old_id, uint32_t old_major,
			     struct crate_error *why)
{
	char hook[64];
	if (!hook_name(l, new_id, "migrate", hook, sizeof hook))
		return STATUS_OK;
	const struct loaded_crate *c = linker_crate(l, new_id);
	uint32_t sym = c ? find_export(c, hook) : LINKER_NO_SECTION;
	uint64_t address;
	uint32_t section;
	if (sym == LINKER_NO_SECTION || !symbol_address(c, sym, &address, &section))
		return STATUS_OK; /* no hook: nothing to migrate */
	struct link_error err;
	struct migrate_call m = {address, old_major, STATUS(E_FAULT)};
	/* Called as struct status FAMILY_migrate(uint32_t): a hook of another
	 * type is not called, and the swap is undone as for a failing one. */
	bool typed = status_ok(linker_check_call_type(l, new_id, hook, "linker_call_type_migrate", &err));
	struct fault_point fp;
	if (!typed)
		m.result = STATUS(E_PERM);
	else if (kfault_try(&fp, call_migrate, &m))
		m.result = STATUS(E_FAULT);
	if (status_ok(m.result))
		return STATUS_OK;
	bool undone = status_ok(linker_swap_to(l, new_id, old_id, &err));
	if (why)
		ksnprintf(why->text, sizeof why->text, "%s(%u) failed (%s); %s", hook, old_major,
			  kerr_name(m.result.err), undone ? "the swap was undone" : "and undoing the swap failed too");
	return m.result;
}

/* The swap log the shell's `history` shows: nano-core state by nature
 * (it outlives every crate it talks about). */
static struct {
	struct swap_record ring[SWAP_HISTORY_MAX];
	uint64_t total;
} swap_log;

void log_swap(const char *old, const char *new_crate, enum kerr result, uint64_t cycles)
{
	struct swap_record *r = &swap_log.ring[swap_log.total % SWAP_HISTORY_MAX];
	copy_cstr(r->old_crate, sizeof r->old_crate, old);
	copy_cstr(r->new_crate, sizeof r->new_crate, new_crate);
	r->result = result;
	r->cycles = cycles;
	r->at_cycles = rdtsc();
	swap_log.total++;
}

KERNEL_EXPORT void kernel_swap_history(struct swap_history *out)
{
	uint64_t n = swap_log.total < SWAP_HISTORY_MAX ? swap_log.total : SWAP_HISTORY_MAX;
	for (uint64_t i = 0; i < n; i++)
		out->records[i] = swap_log.ring[(swap_log.total - n + i) % SWAP_HISTORY_MAX];
	out->count = n;
	out->total = swap_log.total;
}
KEXPORT(kernel_swap_history);

/* How long a swap waits for every task to leave OLD and every strong
 * reference to it to go: tries, each after letting the others run for a
 * timer tick (1 ms), so about half a second. */
#define SWAP_QUIESCENCE_TRIES 500

/* The crates swaps are waiting on, one entry per waiting swap
 * (LINKER_NO_CRATE: free). Code that runs for good inside a crate (the
 * shell's read loop) asks kernel_crate_swap_pending at a safe point and
 * steps aside. */
#define SWAPS_WAITING_MAX 8
static uint32_t swaps_waiting[SWAPS_WAITING_MAX] = {
	LINKER_NO_CRATE, LINKER_NO_CRATE, LINKER_NO_CRATE, LINKER_NO_CRATE,
	LINKER_NO_CRATE, LINKER_NO_CRATE, LINKER_NO_CRATE, LINKER_NO_CRATE,
};

/* The entry taken, or SWAPS_WAITING_MAX when all are (that swap then
 * waits without being announced). */
static size_t swap_wait_begin(uint32_t crate)
{
	for (size_t i = 0; i < SWAPS_WAITING_MAX; i++) {
		if (swaps_waiting[i] == LINKER_NO_CRATE) {
			swaps_waiting[i] = crate;
			return i;
		}
	}
	return SWAPS_WAITING_MAX;
}

static void swap_wait_end(size_t entry)
{
	if (entry < SWAPS_WAITING_MAX)
		swaps_waiting[entry] = LINKER_NO_CRATE;
}

KERNEL_EXPORT bool kernel_crate_swap_pending(void)
{
	struct linker *l = crates_linker();
	for (size_t i = 0; l && i < SWAPS_WAITING_MAX; i++) {
		const struct loaded_crate *c = linker_crate(l, swaps_waiting[i]);
		if (c && current_stack_in(c))
			return true;
	}
	return false;
}
KEXPORT(kernel_crate_swap_pending);

void crates_wait_for_swaps(void)
{
	struct linker *l = crates_linker();
	for (size_t i = 0; l && i < SWAPS_WAITING_MAX; i++)
		while (swaps_waiting[i] != LINKER_NO_CRATE)
			let_others_run(l);
}

/* Replace loaded crate old_id by new_id once no task executes in OLD,
 * then run NEW's migration hook. *cycles: request to done. A pushed OLD
 * is forgotten once it is out. */
struct status swap_when_quiescent(struct linker *l, uint32_t old_id, uint32_t new_id, bool fresh_state,
				  struct crate_error *why, uint64_t *cycles)
{
	uint64_t start = rdtsc();
	*cycles = 0;
	if (!linker_crate(l, old_id)) {
		explain(why, "not loaded");
		return STATUS(E_NOENT);
	}
	if (!fresh_state) {
		struct status st = check_state_carried(l, old_id, new_id, why);
		if (!status_ok(st))
			return st;
	}
	if (current_stack_in(linker_crate(l, old_id))) {
		explain(why, "the calling context is executing in it");
		return STATUS(E_BUSY);
	}
	/* Quiescence: no task may be executing in OLD (no saved return
	 * address into its code) and nobody may hold a strong reference to
	 * it. With interrupts off nothing enters OLD between the check and
	 * the re-linking. */
	struct status s = STATUS_OK;
	size_t waiting = swap_wait_begin(old_id);
	for (int attempt = 0;; attempt++) {
		bool irq = cpu_irq_save();
		const struct loaded_crate *c = linker_crate(l, old_id);
		if (!c) {
			cpu_irq_restore(irq);
			explain(why, "it was unloaded while the swap waited");
			s = STATUS(E_NOENT);
			break;
		}
		if (!l->busy && c->refcount == 0 && !other_tasks_in(l, c)) {
			swap_wait_end(waiting);
			uint32_t old_major = major_version(c->version);
			struct link_error err;
			crates_keep_interrupts_off(true);
			s = fresh_state ? STATUS_OK : save_state(l, old_id, why);
			if (status_ok(s))
				s = linker_swap_to(l, old_id, new_id, &err);
			if (status_ok(s))
				s = migrate(l, new_id, old_id, old_major, why);
			crates_keep_interrupts_off(false);
			if (status_ok(s) && linker_is_added(l, old_id))
				(void)linker_forget_pushed(l, old_id);
			*cycles = rdtsc() - start;
			cpu_irq_restore(irq);
			if (s.err == E_OK && why)
				ksnprintf(why->text, sizeof why->text, "swapped in %lu cycles", *cycles);
			else if (s.err != E_OK && s.err != E_FAULT && !(why && why->text[0]))
				explain_link(why, &err);
			return s;
		}
		uint32_t refs = c->refcount;
		cpu_irq_restore(irq);
		if (attempt == SWAP_QUIESCENCE_TRIES) {
			if (l->busy) {
				explain(why, "the linker stayed busy with another request past the time limit; "
					     "nothing was changed");
				s = STATUS(E_BUSY);
			} else if (refs) {
				if (why)
					ksnprintf(why->text, sizeof why->text,
						  "%u strong references to it stayed past the time limit; "
						  "nothing was changed", refs);
				s = STATUS(E_BUSY);
			} else {
				explain(why, "a task stayed inside it past the time limit; nothing was changed");
				s = STATUS(E_TIMEOUT);
			}
			break;
		}
		let_others_run(l);
	}
	swap_wait_end(waiting);
	return s;
}

static struct status swap_request(struct str old, struct str new_crate, struct crate_error *why,
				  uint64_t *cycles)
{
	*cycles = 0;
	if (why)
		why->text[0] = '\0';
	struct linker *l = need_linker(why);
	char old_name[48], new_name[48];
	if (!l)
		return STATUS(E_NOENT);
	if (!str_to_cstr(old, old_name, sizeof old_name) || !str_to_cstr(new_crate, new_name, sizeof new_name)) {
		explain(why, "crate name too long");
		return STATUS(E_INVAL);
	}
	uint32_t id = linker_crate_by_name(l, old_name);
	if (!linker_crate(l, id)) {
		explain(why, "not loaded");
		return STATUS(E_NOENT);
	}
	/* NEW by name is the boot archive's crate: `swap hello hello` after a
	 * push goes back to the archive's hello. */
	uint32_t new_id = archive_find_crate(&l->archive, new_name);
	if (new_id == ARCHIVE_NO_CRATE) {
		struct link_error err;
		struct status s = link_fail(&err, E_NOENT, new_name, "no such crate in the archive");
		explain_link(why, &err);
		return s;
	}
	return swap_when_quiescent(l, id, new_id, false, why, cycles);
}

KERNEL_EXPORT struct status kernel_crate_swap(struct str old, struct str new_crate, struct crate_error *why)
{
	uint64_t cycles;
	uint64_t start = rdtsc();
	struct status s = swap_request(old, new_crate, why, &cycles);
	char old_name[32], new_name[32];
	if (!str_to_cstr(old, old_name, sizeof old_name))
		copy_cstr(old_name, sizeof old_name, "?");
	if (!str_to_cstr(new_crate, new_name, sizeof new_name))
		copy_cstr(new_name, sizeof new_name, "?");
	log_swap(old_name, new_name, s.err, cycles ? cycles : rdtsc() - start);
	return s;
}
KEXPORT(kernel_crate_swap);

/* A crate pushed from the host: checked and added (linker_add_pushed),
 * then swapped in for the loaded crate of its name (or of the crate it is
 * an alternative of), or loaded when neither is loaded. On any failure
 * the pushed copy is dropped and what ran before still runs. */
KERNEL_EXPORT struct status kernel_crate_push(struct str image, struct push_report *out)
{
	memset(out, 0, sizeof *out);
	struct linker *l = need_linker(&out->why);
	if (!l)
		return STATUS(E_NOENT);
	uint64_t start = rdtsc();
	uint32_t id;
	struct link_error err;
	wait_for_linker(l);
	/* Adding may move the slot table that interrupt handlers read. */
	bool irq = cpu_irq_save();
	struct status s = linker_add_pushed(l, image.ptr, image.len, &id, &err);
	cpu_irq_restore(irq);
	if (!status_ok(s)) {
		explain_link(&out->why, &err);
		return s;
	}
	struct archive_crate pushed;
	(void)linker_crate_entry(l, id, &pushed);
	copy_cstr(out->crate, sizeof out->crate, pushed.name);
	copy_cstr(out->new_version, sizeof out->new_version, pushed.version);

	uint32_t old_id = linker_crate_by_name(l, pushed.name);
	if (!linker_crate(l, old_id) && pushed.alternative_of[0])
		old_id = linker_crate_by_name(l, pushed.alternative_of);
	const struct loaded_crate *old = linker_crate(l, old_id);
	/* A lower version does not silently replace a higher one. */
	if (old && linker_version_compare(pushed.version, old->version) < 0 &&
	    !(pushed.flags & ARCHIVE_CRATE_FORCED)) {
		ksnprintf(out->why.text, sizeof out->why.text,
			  "%s %s would replace %s %s: a downgrade (push with --force to allow it)",
			  pushed.name, pushed.version, old->name, old->version);
		irq = cpu_irq_save();
		(void)linker_forget_pushed(l, id);
		cpu_irq_restore(irq);
		return STATUS(E_PERM);
	}
	char logged_new[32];
	ksnprintf(logged_new, sizeof logged_new, "%s (pushed)", pushed.name);
	if (old) {
		out->replaced = true;
		copy_cstr(out->old_crate, sizeof out->old_crate, old->name);
		copy_cstr(out->old_version, sizeof out->old_version, old->version);
		s = swap_when_quiescent(l, old_id, id, false, &out->why, &out->cycles);
		log_swap(out->old_crate, logged_new, s.err, out->cycles);
	} else {
		s = linker_load_id(l, id, &err);
		out->cycles = rdtsc() - start;
		if (status_ok(s))
			ksnprintf(out->why.text, sizeof out->why.text, "loaded in %lu cycles", out->cycles);
		else
			explain_link(&out->why, &err);
	}
	if (!status_ok(s)) {
		irq = cpu_irq_save();
		(void)linker_forget_pushed(l, id);
		cpu_irq_restore(irq);
	}
	return s;
}
KEXPORT(kernel_crate_push);

/* A fresh instance of a loaded crate swapped in for it: new .data/.bss,
 * init run again, migration hook called with its own major version. What
 * it kept outside itself (the state store, its clients) carries on. */
KERNEL_EXPORT struct status kernel_crate_restart(struct str name, struct crate_error *why)
{
	struct linker *l;
	char cname[48];
	uint32_t id;
	struct status s = loaded_crate_request(name, cname, sizeof cname, &l, &id, why);
	if (!status_ok(s))
		return s;
	uint32_t copy;
	struct link_error err;
	wait_for_linker(l);
	bool irq = cpu_irq_save();
	s = linker_add_copy(l, id, &copy, &err);
	cpu_irq_restore(irq);
	if (!status_ok(s)) {
		explain_link(why, &err);
		return s;
	}
	uint64_t cycles;
	s = swap_when_quiescent(l, id, copy, true, why, &cycles);
	char logged[32];
	ksnprintf(logged, sizeof logged, "%s (restarted)", cname);
	log_swap(cname, logged, s.err, cycles);
	if (!status_ok(s)) {
		irq = cpu_irq_save();
		(void)linker_forget_pushed(l, copy);
		cpu_irq_restore(irq);
	} else if (why) {
		ksnprintf(why->text, sizeof why->text, "%lu cycles", cycles);
	}
	return s;
}
KEXPORT(kernel_crate_restart);
