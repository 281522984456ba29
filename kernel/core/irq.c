/* Interrupt entry: vectors 32..255 reach irq_dispatch(), which calls the
 * one dispatcher crate function, held by symbol name.
 *
 * Crate functions called from here (the dispatcher, and the handlers the
 * interrupts crate calls through kernel_irq_handler_call) are never plain
 * pointers kept across calls: a reference is a name plus the runtime
 * linker's weak reference, upgraded to a strong one for each call and
 * re-resolved by name when its crate was unloaded or replaced. Nothing is
 * loaded from interrupt context: re-resolution only looks at crates that
 * are loaded already.
 *
 * A handler may switch to another task's stack and come back much later,
 * so no state here describes "the current interrupt": everything a call
 * needs lives in its own stack frame. */
#include "irq.h"
#include "crates.h"
#include "../linker/loader.h"
#include "export.h"
#include "paging.h"
#include "../arch/x86_64/cpu.h"
#include "../arch/x86_64/trap.h"
#include <theseus/cpu.h>

static struct irq_handler_ref dispatcher; /* not IRQ_REF_BOUND while none is set */
static struct irq_entry_stats entry_stats;

static void ref_unresolve(struct irq_handler_ref *ref)
{
	ref->crate_id = LINKER_NO_CRATE;
	ref->generation = 0;
	ref->flags &= IRQ_REF_BOUND;
	ref->address = 0;
}

/* The name ref holds, or NULL. */
static const char *ref_name(const struct linker *l, const struct irq_handler_ref *ref)
{
	return l && (ref->flags & IRQ_REF_BOUND) ? archive_string(&l->archive, ref->name_off) : NULL;
}

static bool copy_symbol(struct str symbol, char out[IRQ_SYMBOL_MAX])
{
	if (symbol.len == 0 || symbol.len >= IRQ_SYMBOL_MAX)
		return false;
	for (size_t i = 0; i < symbol.len; i++)
		if (!symbol.ptr[i])
			return false;
	memcpy(out, symbol.ptr, symbol.len);
	out[symbol.len] = '\0';
	return true;
}

/* The run address of symbol `index` of c, if it lies in c's code. */
static bool code_address(const struct loaded_crate *c, uint32_t index, uint64_t *address)
{
	if (!c->resolved || index >= c->sym_count)
		return false;
	const struct resolved_symbol *r = &c->resolved[index];
	if (r->crate != c->id || r->section >= c->section_count)
		return false;
	const struct crate_section *s = &c->sections[r->section];
	if (s->kind != REGION_TEXT || r->address < s->vaddr || r->address - s->vaddr >= s->size)
		return false;
	*address = r->address;
	return true;
}

/* Point ref at the crate that exports ref's name now, loading nothing:
 * the archive's default provider, else any loaded crate exporting the name
 * (an alternative swapped in for it). With allow_linking, a crate that the
 * request in progress is loading counts too (bind from a crate's init: its
 * code is linked and protected by then). E_STALE: no such crate is
 * loaded; E_INVAL: it exports the name, but not as code. */
static struct status locate(struct linker *l, struct irq_handler_ref *ref, bool allow_linking)
{
	const char *name = ref_name(l, ref);
	uint32_t first = name ? archive_find_provider(&l->archive, name, NULL) : ARCHIVE_NO_CRATE;
	if (first == ARCHIVE_NO_CRATE)
		return STATUS(E_NOENT);
	struct status st = STATUS(E_STALE);
	for (uint32_t n = 0; n <= l->slot_count; n++) {
		uint32_t id = n == 0 ? first : n - 1;
		if (n > 0 && id == first)
			continue;
		const struct crate_slot *slot = &l->slots[id];
		bool usable = slot->state == CRATE_LOADED || (allow_linking && slot->state == CRATE_LINKING);
		if (!usable || !slot->crate)
			continue;
		uint32_t index = find_export(slot->crate, name);
		if (index == LINKER_NO_SECTION)
			continue;
		uint64_t address;
		if (!code_address(slot->crate, index, &address) ||
		    !status_ok(linker_check_call_type(l, id, name, "linker_call_type_irq", NULL))) {
			st = STATUS(E_INVAL);
			continue;
		}
		ref->crate_id = id;
		ref->generation = slot->generation;
		ref->flags = IRQ_REF_BOUND | (slot->state == CRATE_LOADED ? 0 : IRQ_REF_PROVISIONAL);
		ref->address = address;
		return STATUS_OK;
	}
	return st;
}

/* A function held for one call. */
struct held_fn {
	uint64_t address;
	uint32_t crate_id;
	uint32_t generation;
	bool strong; /* a strong reference to drop after the call */
};

/* Upgrade ref for a call, re-resolving it once when it went stale. A
 * provisional reference (its crate's load still in progress) is used
 * without a strong reference: the linker only counts them on loaded
 * crates, and the request that loads it is running below us. */
static struct status acquire(struct linker *l, struct irq_handler_ref *ref, struct held_fn *out)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (ref->crate_id < l->slot_count && l->slots[ref->crate_id].generation == ref->generation) {
			const struct crate_slot *slot = &l->slots[ref->crate_id];
			if (slot->state == CRATE_LOADED) {
				struct weak_ref weak = {ref->crate_id, ref->generation, ref->name_off};
				struct linker_symbol sym;
				if (status_ok(linker_weak_upgrade(l, &weak, &sym))) {
					ref->address = sym.address;
					ref->flags &= ~IRQ_REF_PROVISIONAL;
					*out = (struct held_fn){sym.address, weak.crate_id, weak.generation, true};
					return STATUS_OK;
				}
			} else if (slot->state == CRATE_LINKING && (ref->flags & IRQ_REF_PROVISIONAL)) {
				*out = (struct held_fn){ref->address, ref->crate_id, ref->generation, false};
				return STATUS_OK;
			}
		}
		if (attempt == 0 && !status_ok(locate(l, ref, false)))
			break;
	}
	ref_unresolve(ref);
	return STATUS(E_STALE);
}

/* The strong references held by handler calls in progress, by where the
 * call's record lives: on the stack of the task the interrupt came in on.
 * A handler may switch tasks (the timer preempts), and a task killed while
 * switched out never returns to drop its reference; kernel_stack_discarded
 * drops them for it. Changed with interrupts off. */
#define HELD_CALLS_MAX 64
static struct {
	const struct held_fn *held; /* NULL: a free entry */
} held_calls[HELD_CALLS_MAX];

static void held_calls_add(const struct held_fn *h)
{
	for (size_t i = 0; i < HELD_CALLS_MAX; i++) {
		if (!held_calls[i].held) {
			held_calls[i].held = h;
			return;
		}
	}
	/* Full: this call's reference simply is not tracked (it is dropped
	 * normally when the call returns). */
}

static void held_calls_remove(const struct held_fn *h)
{
	for (size_t i = 0; i < HELD_CALLS_MAX; i++)
		if (held_calls[i].held == h)
			held_calls[i].held = NULL;
}

static void release(struct linker *l, struct held_fn *h)
{
	held_calls_remove(h);
	/* The slot check keeps a put from landing on a later incarnation. */
	if (h->strong && h->crate_id < l->slot_count && l->slots[h->crate_id].generation == h->generation)
		(void)linker_ref_put(l, h->crate_id);
	h->strong = false;
}

KERNEL_EXPORT size_t kernel_stack_discarded(struct bytes stack)
{
	struct linker *l = crates_linker();
	uint64_t lo = (uint64_t)stack.ptr, hi = lo + stack.len;
	size_t dropped = 0;
	bool irq = cpu_irq_save();
	for (size_t i = 0; l && i < HELD_CALLS_MAX; i++) {
		struct held_fn *h = (struct held_fn *)held_calls[i].held;
		uint64_t at = (uint64_t)h;
		if (h && at >= lo && at < hi) {
			release(l, h);
			dropped++;
		}
	}
	cpu_irq_restore(irq);
	return dropped;
}
KEXPORT(kernel_stack_discarded);

/* One call through a reference. All of it runs under recovery points of
 * its own: the call, so that a fault in crate code never unwinds to a
 * recovery point of the interrupted code; and the look-ups around it,
 * which read the linker's records of the target crate, records that an
 * unload interrupted right now may be freeing (docs/interrupts.md). */
struct ref_call {
	struct linker *l;
	struct irq_handler_ref *ref;
	uint8_t arg;
	enum { CALL_RESOLVING, CALL_ACQUIRED, CALL_RETURNED } phase;
	struct held_fn held;
	struct status st;
	uint64_t fault_vector, fault_rip;
};

/* An unload that this interrupt cut into may have unmapped the crate's
 * code already, before the linker marks the crate gone. */
static bool code_present(uint64_t address)
{
	uint64_t pte = paging_entry(address);
	return (pte & PTE_PRESENT) && !(pte & PTE_NX);
}

static void resolve_and_call(void *p)
{
	struct ref_call *c = p;
	c->st = acquire(c->l, c->ref, &c->held);
	if (!status_ok(c->st))
		return;
	c->phase = CALL_ACQUIRED;
	if (c->held.strong)
		held_calls_add(&c->held);
	if (!code_present(c->held.address)) {
		c->st = STATUS(E_STALE);
		return;
	}
	void (*fn)(uint8_t) = (void (*)(uint8_t))c->held.address;
	fn(c->arg);
	c->phase = CALL_RETURNED;
}

static void release_call(void *p)
{
	struct ref_call *c = p;
	release(c->l, &c->held);
}

static void report_call_fault(void *p)
{
	struct ref_call *c = p;
	uint32_t section;
	const struct loaded_crate *in = linker_crate(c->l, linker_crate_of_address(c->l, c->fault_rip, &section));
	kprintf("irq: %s(%u) faulted: exception %lu (%s) in crate %s; the call was abandoned\n",
		ref_name(c->l, c->ref), c->arg, c->fault_vector, exception_name(c->fault_vector),
		in ? in->name : "(none)");
}

static struct status invoke(struct linker *l, struct irq_handler_ref *ref, uint8_t arg)
{
	struct ref_call c = {l, ref, arg, CALL_RESOLVING, {0, 0, 0, false}, STATUS(E_STALE), 0, 0};
	struct fault_point fp;
	if (kfault_try(&fp, resolve_and_call, &c)) {
		if (c.phase == CALL_RESOLVING) {
			/* Its crate's records are going away under us. */
			ref_unresolve(ref);
			return STATUS(E_STALE);
		}
		c.fault_vector = fp.vector;
		c.fault_rip = fp.fault_rip;
		c.st = STATUS(E_FAULT);
		(void)kfault_try(&fp, report_call_fault, &c);
	}
	(void)kfault_try(&fp, release_call, &c);
	return c.st;
}

void irq_init(void)
{
	/* The BIOS left the PICs delivering on vectors 8..15, which are CPU
	 * exceptions: mask every line until a crate remaps them. */
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
}

void irq_dispatch(uint8_t vector, struct trap_frame *frame)
{
	(void)frame; /* the interrupted state stays untouched on the stack */
	entry_stats.entered++;
	struct linker *l = crates_linker();
	if (!l || !(dispatcher.flags & IRQ_REF_BOUND)) {
		entry_stats.unrouted++;
		return;
	}
	struct status st = invoke(l, &dispatcher, vector);
	if (st.err == E_FAULT)
		entry_stats.dispatcher_faults++;
	else if (!status_ok(st))
		entry_stats.unrouted++;
}

const char *irq_dispatcher_symbol(void)
{
	const char *name = ref_name(crates_linker(), &dispatcher);
	return name ? name : "";
}

KERNEL_EXPORT struct str kernel_irq_handler_symbol(const struct irq_handler_ref *ref)
{
	const char *name = ref ? ref_name(crates_linker(), ref) : NULL;
	return name ? (struct str){name, strlen(name)} : STR_EMPTY;
}
KEXPORT(kernel_irq_handler_symbol);

KERNEL_EXPORT struct status kernel_irq_handler_bind(struct str symbol, struct irq_handler_ref *out)
{
	struct linker *l = crates_linker();
	char name[IRQ_SYMBOL_MAX];
	if (!out || !copy_symbol(symbol, name))
		return STATUS(E_INVAL);
	if (!l)
		return STATUS(E_NOENT);
	struct irq_handler_ref ref = {.flags = IRQ_REF_BOUND};
	if (archive_find_provider(&l->archive, name, &ref.name_off) == ARCHIVE_NO_CRATE)
		return STATUS(E_NOENT);
	ref_unresolve(&ref);
	/* From a crate's init (a request in progress) the provider may be the
	 * crate being loaded; otherwise it may be loaded on demand. */
	struct status st = locate(l, &ref, l->busy);
	if (st.err == E_STALE && !l->busy) {
		struct weak_ref weak;
		struct link_error err;
		st = linker_weak_ref(l, name, &weak, &err);
		if (!status_ok(st)) {
			char why[200];
			link_error_format(&err, why, sizeof why);
			kprintf("irq: cannot bind %s: %s\n", name, why);
			return st;
		}
		st = locate(l, &ref, false);
	}
	if (st.err == E_STALE && l->busy)
		st = STATUS_OK; /* resolved by the first call that finds it loaded */
	if (status_ok(st))
		*out = ref;
	return st;
}
KEXPORT(kernel_irq_handler_bind);

KERNEL_EXPORT struct status kernel_irq_handler_call(struct irq_handler_ref *ref, uint8_t arg)
{
	struct linker *l = crates_linker();
	if (!ref)
		return STATUS(E_INVAL);
	if (!l)
		return STATUS(E_STALE);
	bool enabled = cpu_irq_save();
	struct status st = invoke(l, ref, arg);
	if (st.err == E_FAULT)
		entry_stats.handler_faults++;
	cpu_irq_restore(enabled);
	return st;
}
KEXPORT(kernel_irq_handler_call);

KERNEL_EXPORT struct status kernel_irq_set_dispatcher(struct str symbol)
{
	struct irq_handler_ref ref = {0};
	if (symbol.len == 0) {
		ref_unresolve(&ref);
	} else {
		struct status st = kernel_irq_handler_bind(symbol, &ref);
		if (!status_ok(st))
			return st;
	}
	bool enabled = cpu_irq_save();
	dispatcher = ref;
	cpu_irq_restore(enabled);
	return STATUS_OK;
}
KEXPORT(kernel_irq_set_dispatcher);

KERNEL_EXPORT void kernel_irq_entry_stats(struct irq_entry_stats *out)
{
	bool enabled = cpu_irq_save();
	*out = entry_stats;
	cpu_irq_restore(enabled);
}
KEXPORT(kernel_irq_entry_stats);
