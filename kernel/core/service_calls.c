/* The service registry (theseus/services.h) and named calls (services.h).
 *
 * A handler may switch to another task's stack and come back much later
 * (the timer preempts from inside its handler), so nothing here describes
 * "the current call": what a call needs lives in its own stack frame. The
 * strong references of calls in progress are tracked by where their
 * record lives, so that a task killed while switched out inside one does
 * not leak them (kernel_stack_discarded). */
#include "service_calls.h"
#include "crate_env.h"
#include "export.h"
#include "paging.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/x86.h"
#include <theseus/cpu.h>
#include <theseus/irq.h>

static struct linker_named_ref services[KERNEL_SERVICE_COUNT];

#define HELD_CALLS_MAX 64
static const struct linker_held *held_calls[HELD_CALLS_MAX]; /* changed with interrupts off */

static void held_calls_add(const struct linker_held *h)
{
	for (size_t i = 0; i < HELD_CALLS_MAX; i++) {
		if (!held_calls[i]) {
			held_calls[i] = h;
			return;
		}
	}
	/* Full: this call's reference is simply not tracked (it is dropped
	 * normally when the call returns). */
}

static void held_calls_remove(const struct linker_held *h)
{
	for (size_t i = 0; i < HELD_CALLS_MAX; i++)
		if (held_calls[i] == h)
			held_calls[i] = NULL;
}

static void (*stack_discard_hook)(uint64_t lo, uint64_t hi);

void service_set_stack_discard_hook(void (*hook)(uint64_t lo, uint64_t hi)) { stack_discard_hook = hook; }

KERNEL_EXPORT size_t kernel_stack_discarded(struct bytes stack)
{
	struct linker *l = crates_linker();
	uint64_t lo = (uint64_t)stack.ptr, hi = lo + stack.len;
	if (stack_discard_hook)
		stack_discard_hook(lo, hi);
	size_t dropped = 0;
	bool irq = cpu_irq_save();
	for (size_t i = 0; l && i < HELD_CALLS_MAX; i++) {
		struct linker_held *h = (struct linker_held *)held_calls[i];
		if (h && (uint64_t)h >= lo && (uint64_t)h < hi) {
			held_calls[i] = NULL;
			linker_named_ref_release(l, h);
			dropped++;
		}
	}
	cpu_irq_restore(irq);
	return dropped;
}
KEXPORT(kernel_stack_discarded);

struct held_call {
	struct linker *l;
	struct linker_named_ref *ref;
	struct linker_held held;
	struct status st;
};

static void acquire(void *p)
{
	struct held_call *h = p;
	h->st = linker_named_ref_acquire(h->l, h->ref, &h->held);
}

static void release(void *p)
{
	struct held_call *h = p;
	held_calls_remove(&h->held);
	linker_named_ref_release(h->l, &h->held);
}

/* An unload that this call cut into (from an interrupt) may have unmapped
 * the crate's code already, before the linker marks the crate gone. */
static bool code_present(uint64_t address)
{
	uint64_t pte = paging_entry(address);
	return (pte & PTE_PRESENT) && !(pte & PTE_NX);
}

/* Call c with h->held (taken by the caller) tracked, then drop it. */
static struct status call_held(struct held_call *h, struct crate_call *c, struct fault_report *fault)
{
	bool irq = cpu_irq_save();
	if (h->held.strong)
		held_calls_add(&h->held);
	cpu_irq_restore(irq);
	struct status st = STATUS(E_STALE);
	if (code_present(h->held.address)) {
		c->address = h->held.address;
		st = protected_call(c, fault) ? c->result : STATUS(E_FAULT);
	}
	irq = cpu_irq_save();
	struct fault_point fp;
	(void)kfault_try(&fp, release, h);
	cpu_irq_restore(irq);
	return st;
}

struct status named_call(struct linker_named_ref *ref, struct crate_call *c, struct fault_report *fault)
{
	struct held_call h = {crates_linker(), ref, {0, 0, 0, false}, STATUS(E_STALE)};
	c->faulted = false;
	if (!h.l || !(ref->flags & LINKER_REF_BOUND))
		return STATUS(E_STALE);
	bool irq = cpu_irq_save();
	/* The look-ups read the target crate's records, which an unload
	 * this call cut into may be freeing: a fault there means "gone". */
	struct fault_point fp;
	if (kfault_try(&fp, acquire, &h)) {
		linker_named_ref_unresolve(ref);
		h.st = STATUS(E_STALE);
	}
	cpu_irq_restore(irq);
	return status_ok(h.st) ? call_held(&h, c, fault) : h.st;
}

struct status symbol_call(const struct linker_symbol *sym, struct crate_call *c, struct fault_report *fault)
{
	struct held_call h = {crates_linker(), NULL, {sym->address, sym->crate_id, sym->generation, true}, STATUS_OK};
	c->faulted = false;
	return h.l ? call_held(&h, c, fault) : STATUS(E_STALE);
}

struct status service_call(enum kernel_service service, struct crate_call *c, struct fault_report *fault)
{
	return (unsigned)service < KERNEL_SERVICE_COUNT ? named_call(&services[service], c, fault) : STATUS(E_INVAL);
}

void service_sleep(uint64_t ticks)
{
	struct crate_call c = {.shape = FN_VOID_U64, .a = ticks};
	if (status_ok(service_call(KERNEL_SERVICE_SLEEP, &c, NULL)))
		return;
	for (int i = 0; i < 1000; i++)
		cpu_relax();
}

/* The type each service's function is called with (crate_call shapes). */
static const enum linker_call_type service_types[KERNEL_SERVICE_COUNT] = {
	[KERNEL_SERVICE_IRQ_DISPATCH] = LINKER_CALL_IRQ,
	[KERNEL_SERVICE_STACKS_IN] = LINKER_CALL_STACKS,
	[KERNEL_SERVICE_SLEEP] = LINKER_CALL_SLEEP,
	[KERNEL_SERVICE_FAULT] = LINKER_CALL_FAULT,
	[KERNEL_SERVICE_SYSCALL] = LINKER_CALL_SYSCALL,
	[KERNEL_SERVICE_PREEMPT] = LINKER_CALL_STATUS_VOID,
	[KERNEL_SERVICE_ABANDON] = LINKER_CALL_SLEEP, /* the same type: void fn(uint64_t) */
};

KERNEL_EXPORT struct status kernel_service_register(enum kernel_service service, struct str symbol)
{
	struct linker *l = crates_linker();
	char name[IRQ_SYMBOL_MAX];
	if ((unsigned)service >= KERNEL_SERVICE_COUNT || !text_to_cstr(symbol.ptr, symbol.len, name, sizeof name))
		return STATUS(E_INVAL);
	struct linker_named_ref ref = {0};
	if (symbol.len) {
		if (!l)
			return STATUS(E_NOENT);
		struct link_error err;
		struct status st = linker_named_ref_bind(l, name, service_types[service], &ref, &err);
		if (!status_ok(st))
			return st;
	}
	bool irq = cpu_irq_save();
	services[service] = ref;
	cpu_irq_restore(irq);
	return STATUS_OK;
}
KEXPORT(kernel_service_register);

KERNEL_EXPORT struct str kernel_service_symbol(enum kernel_service service)
{
	struct linker *l = crates_linker();
	const char *name = l && (unsigned)service < KERNEL_SERVICE_COUNT ? linker_named_ref_name(l, &services[service])
									 : NULL;
	return name ? (struct str){name, strlen(name)} : STR_EMPTY;
}
KEXPORT(kernel_service_symbol);
