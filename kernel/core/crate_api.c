/* The runtime linker's services as nano-core exports for crates (the
 * shell's crates/deps/syms/load/unload and running applications). The
 * declarations are kernel/include/theseus/crates.h. */
#include "crates.h"
#include "cmdline.h"
#include "bootinfo.h"
#include "export.h"
#include "../linker/loader.h"
#include "paging.h"
#include "../arch/x86_64/cpu.h"
#include "../arch/x86_64/trap.h"
#include <theseus/crates.h>
#include <theseus/cpu.h>

static void copy_cstr(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* A struct str as a C string, refusing what does not fit or has a NUL. */
static bool str_to_cstr(struct str s, char *dst, size_t cap)
{
	if (s.len >= cap)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (!s.ptr[i])
			return false;
	memcpy(dst, s.ptr, s.len);
	dst[s.len] = '\0';
	return true;
}

static void explain(struct crate_error *why, const char *text)
{
	if (why)
		copy_cstr(why->text, sizeof why->text, text);
}

static void explain_link(struct crate_error *why, const struct link_error *err)
{
	if (why)
		link_error_format(err, why->text, sizeof why->text);
}

static struct linker *need_linker(struct crate_error *why)
{
	struct linker *l = crates_linker();
	if (!l)
		explain(why, "no crate archive was loaded at boot");
	return l;
}

static void wait_for_linker(struct linker *l);

KERNEL_EXPORT size_t kernel_crate_list(struct crate_summary *out, size_t cap)
{
	struct linker *l = crates_linker();
	if (!l)
		return 0;
	size_t n = 0;
	for (uint32_t i = 0; i < l->slot_count; i++) {
		struct archive_crate ac;
		if (!linker_crate_entry(l, i, &ac))
			continue; /* a vacant pushed slot */
		if (n++ >= cap)
			continue;
		struct crate_summary *s = &out[n - 1];
		memset(s, 0, sizeof *s);
		copy_cstr(s->name, sizeof s->name, ac.name);
		copy_cstr(s->version, sizeof s->version, ac.version);
		copy_cstr(s->description, sizeof s->description, ac.description);
		s->alternative = ac.flags & ARCHIVE_CRATE_ALTERNATIVE;
		s->pushed = linker_is_pushed(l, i);
		s->restarted = linker_is_added(l, i) && !s->pushed;
		s->generation = l->slots[i].generation;
		s->swaps = l->slots[i].swaps;
		struct linker_crate_stats st;
		if (!linker_crate(l, i) || !status_ok(linker_crate_stats(l, i, &st)))
			continue;
		s->loaded = true;
		s->generation = st.generation;
		s->text_bytes = st.text_size;
		s->rodata_bytes = st.rodata_size + st.got_size;
		s->data_bytes = st.data_size;
		s->bss_bytes = st.bss_size;
		s->sections = st.section_count;
		s->relocations = st.reloc_count;
		s->refcount = st.refcount;
		s->dependent_crates = st.dependent_crates;
		s->load_cycles = st.load_time;
		struct archive_crate by;
		if (st.reason_crate == LINKER_NO_CRATE || !linker_crate_entry(l, st.reason_crate, &by)) {
			ksnprintf(s->loaded_for, sizeof s->loaded_for, "explicit request%s%s",
				  st.reason_symbol ? " for " : "", st.reason_symbol ? st.reason_symbol : "");
		} else {
			/* The crate that needed it may have gone since (unloaded, swapped). */
			ksnprintf(s->loaded_for, sizeof s->loaded_for, "%s%s for %s", by.name,
				  linker_crate(l, st.reason_crate) ? "" : " (gone)",
				  st.reason_symbol ? st.reason_symbol : "?");
		}
	}
	return n;
}
KEXPORT(kernel_crate_list);

/* The linker and a crate name as a C string, or the reason there are none. */
static struct status crate_request(struct str name, char *cname, size_t cap, struct linker **l,
				   struct crate_error *why)
{
	*l = need_linker(why);
	if (!*l)
		return STATUS(E_NOENT);
	if (!str_to_cstr(name, cname, cap)) {
		explain(why, "crate name too long");
		return STATUS(E_INVAL);
	}
	return STATUS_OK;
}

KERNEL_EXPORT struct status kernel_crate_load(struct str name, struct crate_error *why)
{
	struct linker *l;
	char cname[48];
	struct status req = crate_request(name, cname, sizeof cname, &l, why);
	if (!status_ok(req))
		return req;
	uint32_t id;
	struct link_error err;
	wait_for_linker(l);
	struct status s = linker_load_crate(l, cname, &id, &err);
	if (!status_ok(s))
		explain_link(why, &err);
	return s;
}
KEXPORT(kernel_crate_load);

/* Drop the copies of pushed crates that are no longer loaded. */
static void forget_unloaded_pushed(struct linker *l)
{
	for (uint32_t i = l->archive.crate_count; i < l->slot_count; i++)
		if (linker_is_added(l, i) && !linker_crate(l, i))
			(void)linker_forget_pushed(l, i);
}

KERNEL_EXPORT struct status kernel_crate_unload(struct str name, struct crate_error *why)
{
	struct linker *l;
	char cname[48];
	struct status req = crate_request(name, cname, sizeof cname, &l, why);
	if (!status_ok(req))
		return req;
	uint32_t id = linker_crate_by_name(l, cname);
	if (id == LINKER_NO_CRATE || !linker_crate(l, id)) {
		explain(why, "not loaded");
		return STATUS(E_NOENT);
	}
	wait_for_linker(l);
	/* No interrupt handler may run in the crate while it goes. */
	bool irq = cpu_irq_save();
	struct link_error err;
	/* A crate in an import cycle goes with the rest of its cycle. */
	struct status s = linker_unload_cycle(l, id, NULL, &err);
	if (status_ok(s))
		forget_unloaded_pushed(l); /* their images go with them */
	cpu_irq_restore(irq);
	if (!status_ok(s))
		explain_link(why, &err);
	return s;
}
KEXPORT(kernel_crate_unload);

static bool in_crate_text(const struct loaded_crate *c, uint64_t address)
{
	for (uint32_t i = 0; i < c->region_count; i++) {
		const struct linker_region *r = &c->regions[i];
		if (r->kind == REGION_TEXT && address >= r->vaddr && address - r->vaddr < r->size)
			return true;
	}
	return false;
}

/* Does the frame-pointer chain of the running context pass through c's
 * code? Frames are followed only while they are mapped. */
static bool current_stack_in(const struct loaded_crate *c)
{
	uint64_t rbp;
	__asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
	for (unsigned depth = 0; depth < 64 && rbp >= PHYSMAP_BASE && rbp % 8 == 0; depth++) {
		if (!paging_lookup(rbp) || !paging_lookup(rbp + 8))
			break;
		const uint64_t *frame = (const uint64_t *)rbp;
		if (in_crate_text(c, frame[1]))
			return true;
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
	return false;
}

typedef bool (*stacks_refer_fn)(uint64_t lo, uint64_t hi);
typedef void (*yield_fn)(void);

/* Is some other task's saved stack inside c's code? Asks the task crate
 * when it is loaded (without loading it): without tasks there is nobody
 * else. Interrupts are off. */
static bool other_tasks_in(struct linker *l, const struct loaded_crate *c)
{
	struct linker_symbol sym;
	if (!status_ok(linker_resolve_loaded(l, "task_stacks_refer_to", &sym)))
		return false;
	stacks_refer_fn refer = (stacks_refer_fn)sym.address;
	for (uint32_t i = 0; i < c->region_count; i++) {
		const struct linker_region *r = &c->regions[i];
		if (r->kind == REGION_TEXT && refer(r->vaddr, r->vaddr + r->size))
			return true;
	}
	return false;
}

typedef void (*sleep_fn)(uint64_t ticks);

/* Let other tasks run for a tick (they may leave the crate, or drop their
 * references to it); spin a little when there is no task crate. */
static void let_others_run(struct linker *l)
{
	struct linker_symbol sym;
	if (status_ok(linker_resolve_loaded(l, "task_sleep_ticks", &sym))) {
		((sleep_fn)sym.address)(1);
		return;
	}
	if (status_ok(linker_resolve_loaded(l, "task_yield", &sym))) {
		((yield_fn)sym.address)();
		return;
	}
	for (int i = 0; i < 1000; i++)
		cpu_relax();
}

/* The linker serves one request at a time, and a task can be preempted
 * in the middle of one (loading an application it spawned, say). Another
 * task's request waits for it here, a tick at a time and at most about two
 * seconds, instead of failing with "linker busy". */
#define LINKER_WAIT_TRIES 2000
static void wait_for_linker(struct linker *l)
{
	for (int i = 0; l->busy && i < LINKER_WAIT_TRIES; i++)
		let_others_run(l);
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

/* The optional migration hook of the crate swapped in: FAMILY_migrate,
 * where FAMILY is the crate it is an alternative of (or its own name),
 * called with the major version of the crate swapped out. When it fails,
 * the swap is undone (the old crate comes back from its archive). */
static struct status migrate(struct linker *l, uint32_t new_id, uint32_t old_id, uint32_t old_major,
			     struct crate_error *why)
{
	struct archive_crate nc;
	if (!linker_crate_entry(l, new_id, &nc))
		return STATUS_OK;
	const char *family = nc.alternative_of[0] ? nc.alternative_of : nc.name;
	char hook[64];
	ksnprintf(hook, sizeof hook, "%s_migrate", family);
	const struct loaded_crate *c = linker_crate(l, new_id);
	uint32_t sym = c ? find_export(c, hook) : LINKER_NO_SECTION;
	uint64_t address;
	uint32_t section;
	if (sym == LINKER_NO_SECTION || !symbol_address(c, sym, &address, &section))
		return STATUS_OK; /* no hook: nothing to migrate */
	struct migrate_call m = {address, old_major, STATUS(E_FAULT)};
	struct fault_point fp;
	if (kfault_try(&fp, call_migrate, &m))
		m.result = STATUS(E_FAULT);
	if (status_ok(m.result))
		return STATUS_OK;
	struct link_error err;
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

static void log_swap(const char *old, const char *new_crate, enum kerr result, uint64_t cycles)
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
static struct status swap_when_quiescent(struct linker *l, uint32_t old_id, uint32_t new_id,
					 struct crate_error *why, uint64_t *cycles)
{
	uint64_t start = rdtsc();
	*cycles = 0;
	if (!linker_crate(l, old_id)) {
		explain(why, "not loaded");
		return STATUS(E_NOENT);
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
			s = linker_swap_to(l, old_id, new_id, &err);
			if (status_ok(s))
				s = migrate(l, new_id, old_id, old_major, why);
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
	return swap_when_quiescent(l, id, new_id, why, cycles);
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
	char logged_new[32];
	ksnprintf(logged_new, sizeof logged_new, "%s (pushed)", pushed.name);
	if (old) {
		out->replaced = true;
		copy_cstr(out->old_crate, sizeof out->old_crate, old->name);
		copy_cstr(out->old_version, sizeof out->old_version, old->version);
		s = swap_when_quiescent(l, old_id, id, &out->why, &out->cycles);
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
	struct status s = crate_request(name, cname, sizeof cname, &l, why);
	if (!status_ok(s))
		return s;
	uint32_t id = linker_crate_by_name(l, cname);
	if (!linker_crate(l, id)) {
		explain(why, "not loaded");
		return STATUS(E_NOENT);
	}
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
	s = swap_when_quiescent(l, id, copy, why, &cycles);
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

/* Arm a fault: the first byte of exported function SYMBOL of loaded crate
 * CRATE becomes int3 (one byte, so no task can be stopped inside the
 * patch), written through the frames' alias as a swap writes. The next
 * call faults; the fault is contained where the caller runs (kernel_call_app,
 * an interrupt handler call, a task). Restarting or swapping the crate
 * brings back clean code. */
KERNEL_EXPORT struct status kernel_crate_inject_fault(struct str crate, struct str symbol,
						      struct crate_error *why)
{
	struct linker *l;
	char cname[48], sname[96];
	struct status s = crate_request(crate, cname, sizeof cname, &l, why);
	if (!status_ok(s))
		return s;
	if (!str_to_cstr(symbol, sname, sizeof sname)) {
		explain(why, "symbol name too long");
		return STATUS(E_INVAL);
	}
	const struct loaded_crate *c = linker_crate(l, linker_crate_by_name(l, cname));
	if (!c) {
		explain(why, "not loaded");
		return STATUS(E_NOENT);
	}
	uint32_t index = find_export(c, sname);
	uint64_t address;
	uint32_t section;
	if (index == LINKER_NO_SECTION || !symbol_address(c, index, &address, &section)) {
		if (why)
			ksnprintf(why->text, sizeof why->text, "%s does not export %s", cname, sname);
		return STATUS(E_NOENT);
	}
	if (!in_crate_text(c, address)) {
		if (why)
			ksnprintf(why->text, sizeof why->text, "%s is not code", sname);
		return STATUS(E_INVAL);
	}
	static const uint8_t int3 = 0xCC;
	bool irq = cpu_irq_save();
	s = l->env.patch ? l->env.patch(l->env.ctx, address, &int3, 1) : STATUS(E_NOSYS);
	cpu_irq_restore(irq);
	if (why)
		ksnprintf(why->text, sizeof why->text, status_ok(s) ? "the next call of %s faults" : "cannot patch %s",
			  sname);
	return s;
}
KEXPORT(kernel_crate_inject_fault);

struct edge_walk {
	struct linker *l;
	uint32_t self;
	bool imports; /* walking forward edges of self */
	bool per_section;
	struct crate_edge *out;
	size_t cap, used;
	bool truncated;
};

static const char *crate_name_of(struct linker *l, uint32_t id)
{
	if (id == LINKER_KERNEL_CRATE)
		return "nano_core";
	const struct loaded_crate *c = linker_crate(l, id);
	return c ? c->name : "?";
}

static const char *section_name_of(struct linker *l, uint32_t crate, uint32_t section)
{
	const struct loaded_crate *c = linker_crate(l, crate);
	if (!c || section >= c->section_count)
		return crate == LINKER_KERNEL_CRATE ? "(export)" : "-";
	return c->sections[section].name;
}

static void collect_edge(void *ctx, const struct linker_edge *e)
{
	struct edge_walk *w = ctx;
	const struct reloc_record *r = e->reloc;
	if (r->target_crate == e->from_crate || r->target_crate == LINKER_NO_CRATE)
		return; /* inside one crate: not a dependency between crates */
	struct crate_edge edge;
	memset(&edge, 0, sizeof edge);
	copy_cstr(edge.from, sizeof edge.from, crate_name_of(w->l, e->from_crate));
	copy_cstr(edge.to, sizeof edge.to, crate_name_of(w->l, r->target_crate));
	copy_cstr(edge.symbol, sizeof edge.symbol, e->symbol);
	if (w->per_section) {
		copy_cstr(edge.from_section, sizeof edge.from_section,
			  section_name_of(w->l, e->from_crate, r->section));
		copy_cstr(edge.to_section, sizeof edge.to_section,
			  section_name_of(w->l, r->target_crate, r->target_section));
	}
	for (size_t i = 0; i < w->used; i++) {
		struct crate_edge *o = &w->out[i];
		if (!strcmp(o->from, edge.from) && !strcmp(o->to, edge.to) && !strcmp(o->symbol, edge.symbol) &&
		    !strcmp(o->from_section, edge.from_section) && !strcmp(o->to_section, edge.to_section)) {
			o->count++;
			return;
		}
	}
	if (w->used == w->cap) {
		w->truncated = true;
		return;
	}
	edge.count = 1;
	w->out[w->used++] = edge;
}

KERNEL_EXPORT struct count_result kernel_crate_edges(struct str crate, enum crate_edge_direction dir,
						     bool per_section, struct crate_edge *out, size_t cap)
{
	struct linker *l = crates_linker();
	char cname[48];
	if (!l || !str_to_cstr(crate, cname, sizeof cname))
		return (struct count_result){E_INVAL, 0};
	uint32_t id = linker_crate_by_name(l, cname);
	if (id == LINKER_NO_CRATE || !linker_crate(l, id))
		return (struct count_result){E_NOENT, 0};
	struct edge_walk w = {l, id, dir == CRATE_IMPORTS, per_section, out, cap, 0, false};
	if (dir == CRATE_IMPORTS)
		linker_for_each_dependency(l, id, collect_edge, &w);
	else
		linker_for_each_dependent(l, id, collect_edge, &w);
	return (struct count_result){w.truncated ? E_RANGE : E_OK, w.used};
}
KEXPORT(kernel_crate_edges);

KERNEL_EXPORT struct count_result kernel_crate_exports(struct str crate, struct crate_symbol *out, size_t cap)
{
	struct linker *l = crates_linker();
	char cname[48];
	if (!l || !str_to_cstr(crate, cname, sizeof cname))
		return (struct count_result){E_INVAL, 0};
	uint32_t id = archive_find_crate(&l->archive, cname);
	if (id == ARCHIVE_NO_CRATE)
		return (struct count_result){E_NOENT, 0};
	const struct loaded_crate *lc = linker_crate(l, id);
	size_t used = 0;
	bool truncated = false;
	/* The index is validated by archive_open: entries and strings are in bounds. */
	const uint8_t *index = l->archive.base + l->archive.symbol_index_off;
	for (uint32_t i = 0; i < l->archive.symbol_count; i++) {
		uint32_t name_off, crate_index;
		memcpy(&name_off, index + i * ARCHIVE_SYMBOL_ENTRY_SIZE, 4);
		memcpy(&crate_index, index + i * ARCHIVE_SYMBOL_ENTRY_SIZE + 4, 4);
		if (crate_index != id)
			continue;
		if (used == cap) {
			truncated = true;
			break;
		}
		struct crate_symbol *s = &out[used++];
		const char *name = archive_string(&l->archive, name_off);
		copy_cstr(s->name, sizeof s->name, name);
		s->address = 0;
		uint32_t sym = lc && name ? find_export(lc, name) : LINKER_NO_SECTION;
		if (sym != LINKER_NO_SECTION)
			s->address = lc->resolved[sym].address;
	}
	return (struct count_result){truncated ? E_RANGE : E_OK, used};
}
KEXPORT(kernel_crate_exports);

struct app_call {
	uint64_t address;
	struct str args;
	struct status result;
};

static void call_app(void *arg)
{
	struct app_call *c = arg;
	struct status (*fn)(struct str) = (struct status (*)(struct str))c->address;
	c->result = fn(c->args);
}

/* Boot option recover=restart: a crate in which an application faults
 * is restarted at once (the paper's recovery by reloading the faulty
 * crate), so the next call finds clean code and fresh data. */
static bool recover_by_restart(void)
{
	static int mode = -1; /* not read yet */
	if (mode < 0) {
		char value[16];
		mode = cmdline_get(boot_info()->cmdline, "recover", value, sizeof value) && !strcmp(value, "restart");
	}
	return mode == 1;
}

static void restart_after_fault(const char *crate, struct crate_error *why)
{
	struct crate_error result;
	result.text[0] = '\0';
	struct status s = kernel_crate_restart((struct str){crate, strlen(crate)}, &result);
	kprintf("recover: crate %s faulted; %s%s\n", crate, status_ok(s) ? "restarted it" : "restarting it failed: ",
		status_ok(s) ? "" : result.text);
	if (why) {
		size_t used = strnlen(why->text, sizeof why->text);
		ksnprintf(why->text + used, sizeof why->text - used, status_ok(s) ? "; crate %s restarted"
						      : "; restarting crate %s failed", crate);
	}
}

KERNEL_EXPORT struct status kernel_call_app(struct str symbol, struct str args, struct crate_error *why)
{
	struct linker *l = need_linker(why);
	char cname[96];
	if (!l)
		return STATUS(E_NOENT);
	if (!str_to_cstr(symbol, cname, sizeof cname)) {
		explain(why, "symbol name too long");
		return STATUS(E_INVAL);
	}
	struct linker_symbol sym;
	struct link_error err;
	wait_for_linker(l);
	struct status s = linker_resolve(l, cname, LINKER_TAKE_REF, &sym, &err);
	if (!status_ok(s)) {
		explain_link(why, &err);
		return s;
	}
	struct app_call c = {sym.address, args, STATUS(E_FAULT)};
	struct fault_point fp;
	char faulted[48] = "";
	if (kfault_try(&fp, call_app, &c)) {
		uint32_t section;
		uint32_t at = linker_crate_of_address(l, fp.fault_rip, &section);
		if (at != LINKER_NO_CRATE)
			copy_cstr(faulted, sizeof faulted, crate_name_of(l, at));
		char text[200];
		ksnprintf(text, sizeof text, "%s faulted: exception %lu (%s) in crate %s", cname, fp.vector,
			  exception_name(fp.vector), faulted[0] ? faulted : "(none)");
		explain(why, text);
		c.result = STATUS(E_FAULT);
	}
	(void)linker_ref_put(l, sym.crate_id);
	if (faulted[0] && recover_by_restart())
		restart_after_fault(faulted, why);
	return c.result;
}
KEXPORT(kernel_call_app);

KERNEL_EXPORT void kernel_power_off(void)
{
	kprintf("shutting down\n");
	qemu_exit(QEMU_EXIT_SUCCESS);
}
KEXPORT(kernel_power_off);

KERNEL_EXPORT char kernel_console_read_char(void) { return serial_getc(); }
KEXPORT(kernel_console_read_char);

KERNEL_EXPORT bool kernel_console_try_read_char(char *out) { return serial_try_getc(out); }
KEXPORT(kernel_console_try_read_char);
