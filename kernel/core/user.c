/* User space, the nano-core's half (docs/user-space.md): address spaces
 * (the kernel half shared and supervisor-only), running a program in
 * ring 3 on the calling task, the system call path to the crate that
 * serves system calls (KERNEL_SERVICE_SYSCALL, a named reference: a swap
 * of that crate takes effect at the next call), the fault-safe user copy,
 * and the end of a process that faults. What each system call does is
 * the serving crate's business (crates/process). */
#include "kernel.h"
#include "crate_env.h"
#include "export.h"
#include "fault.h"
#include "frames.h"
#include "paging.h"
#include "service_calls.h"
#include "kheap.h"
#include "user_space.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/x86.h"
#include <theseus/cpu.h>
#include <theseus/image.h>
#include <theseus/user.h>

#define PTE_USER (1ull << 2)
#define USER_TOP 0x0000800000000000ull
#define USER_STACK_SIZE (512ull * 1024)
#define USER_MMAP_TOP 0x00007F0000000000ull
/* Per process: a quarter of QEMU's default guest RAM here, so that one
 * program cannot take the frames the kernel needs. */
#define USER_PAGES_MAX ((64ull << 20) / PAGE_SIZE)
#define USER_SYSCALL_VECTOR 256

struct user_space {
	uint64_t pml4; /* physical */
	uint64_t pages;
	struct user_vars vars;
};

/* user_entry.S reads and writes this layout. */
struct user_jump {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
	uint64_t rsp0;
};
_Static_assert(__builtin_offsetof(struct user_jump, rsp0) == 64, "JUMP_RSP0 in user_entry.S");

/* A task running a process: lives in kernel_user_run's frame on that
 * task's stack, and travels with it through context switches. */
struct user_context {
	struct user_jump jump;
	struct user_space *space;
	uint64_t fs_base;
	uint8_t fx[512] __attribute__((aligned(16)));
	int32_t code;
	char what[112];
};

struct user_context *user_context_current;

/* Processes running now, so that one whose task is killed (its stack
 * freed while it was switched out) is freed too. Changed with interrupts
 * off. */
#define USER_LIVE_MAX 64
static struct user_context *live[USER_LIVE_MAX];
static char live_names[USER_LIVE_MAX][32];
extern uint64_t user_kernel_rsp;
extern uint64_t boot_pml4[512];
uint64_t user_enter(struct user_jump *j, uint64_t rip, uint64_t rsp);
[[noreturn]] void user_leave(struct user_jump *j, uint64_t value);
void syscall_entry(void);
void syscall_dispatch(struct trap_frame *f);
void user_context_switch(struct user_context *old, struct user_context *new);

static uint64_t kernel_cr3, pte_nx;
static uint32_t next_pid = 1;
static uint8_t fx_clean[512] __attribute__((aligned(16)));

#define MIN_NAME(n) ((n) < 16 ? (n) : 15)
static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t *table_at(uint64_t entry) { return phys_to_virt(entry & PTE_ADDR_MASK); }

/* ---- address spaces ---- */

static struct user_space *space_new(void)
{
	struct frame_result f = frames_alloc();
	if (f.err != E_OK)
		return NULL;
	struct user_space *s = kheap_alloc(sizeof *s);
	if (!s) {
		(void)frames_free(f.value);
		return NULL;
	}
	s->pml4 = f.value;
	memset(phys_to_virt(f.value), 0, PAGE_SIZE);
	return s;
}

/* The kernel half is the kernel's own top-level entries (supervisor
 * only: no PTE_USER), copied again each time the space is loaded, so
 * that kernel tables made since are seen. */
static void space_load(struct user_space *s)
{
	uint64_t *top = phys_to_virt(s->pml4);
	for (unsigned i = 256; i < 512; i++)
		top[i] = boot_pml4[i];
	if (read_cr3() != s->pml4)
		write_cr3(s->pml4);
}

static uint64_t *space_pte(struct user_space *s, uint64_t va, bool create)
{
	uint64_t *t = phys_to_virt(s->pml4);
	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];
		if (!(*e & PTE_PRESENT)) {
			if (!create)
				return NULL;
			struct frame_result f = frames_alloc();
			if (f.err != E_OK)
				return NULL;
			memset(phys_to_virt(f.value), 0, PAGE_SIZE);
			*e = f.value | PTE_PRESENT | PTE_WRITE | PTE_USER;
		}
		t = table_at(*e);
	}
	return &t[(va >> 12) & 511];
}

static uint64_t prot_bits(uint32_t prot)
{
	return PTE_PRESENT | PTE_USER | (prot & USER_PROT_WRITE ? PTE_WRITE : 0) | (prot & USER_PROT_EXEC ? 0 : pte_nx);
}

static bool user_range(uint64_t va, uint64_t len) { return va < USER_TOP && len <= USER_TOP - va; }

/* Unmap [va, va+len), skipping absent tables whole, so that a huge range
 * (munmap of the whole user half) costs what is mapped, not its size. */
static uint64_t space_unmap(struct user_space *s, uint64_t va, uint64_t len)
{
	uint64_t n = 0, end = va + len;
	for (uint64_t a = va; a < end && a >= va;) {
		uint64_t *t = phys_to_virt(s->pml4), step = 0;
		for (int shift = 39; shift > 12; shift -= 9) {
			uint64_t e = t[(a >> shift) & 511];
			if (!(e & PTE_PRESENT)) {
				step = 1ull << shift;
				break;
			}
			t = table_at(e);
		}
		if (step) {
			a = (a & ~(step - 1)) + step;
			continue;
		}
		uint64_t *pte = &t[(a >> 12) & 511];
		if (*pte & PTE_PRESENT) {
			(void)frames_free(*pte & PTE_ADDR_MASK);
			*pte = 0;
			invlpg(a);
			s->pages--;
			n++;
		}
		a += PAGE_SIZE;
	}
	return n;
}

/* Map [va, va+len) zeroed. `merge`: an already mapped page takes the union
 * of the permissions (ELF segments sharing a page); otherwise it is
 * E_EXIST and what this call mapped is undone. */
static struct status space_map(struct user_space *s, uint64_t va, uint64_t len, uint32_t prot, bool merge)
{
	if (va % PAGE_SIZE || len % PAGE_SIZE || !len || !user_range(va, len))
		return STATUS(E_INVAL);
	if (len / PAGE_SIZE > USER_PAGES_MAX - (merge ? 0 : s->pages))
		return STATUS(E_NOMEM);
	for (uint64_t a = va; a < va + len; a += PAGE_SIZE) {
		uint64_t *pte = space_pte(s, a, false);
		if (pte && (*pte & PTE_PRESENT) && !merge)
			return STATUS(E_EXIST);
	}
	for (uint64_t a = va; a < va + len; a += PAGE_SIZE) {
		uint64_t *pte = space_pte(s, a, true);
		struct frame_result f = {E_NOMEM, 0};
		if (pte && (*pte & PTE_PRESENT)) {
			uint64_t bits = prot_bits(prot);
			*pte = (*pte | (bits & PTE_WRITE)) & ((bits & PTE_NX) ? ~0ull : ~PTE_NX);
			invlpg(a);
			continue;
		}
		if (pte && s->pages < USER_PAGES_MAX)
			f = frames_alloc();
		if (f.err != E_OK) {
			if (!merge)
				(void)space_unmap(s, va, a - va);
			return STATUS(E_NOMEM);
		}
		memset(phys_to_virt(f.value), 0, PAGE_SIZE);
		*pte = f.value | prot_bits(prot);
		s->pages++;
	}
	return STATUS_OK;
}

/* Write into mapped pages through the kernel's view of their frames
 * (the space need not be the loaded one). */
static struct status space_write(struct user_space *s, uint64_t va, const void *src, uint64_t len)
{
	const uint8_t *from = src;
	while (len) {
		uint64_t *pte = space_pte(s, va, false);
		if (!pte || !(*pte & PTE_PRESENT))
			return STATUS(E_FAULT);
		uint64_t n = min_u64(len, PAGE_SIZE - va % PAGE_SIZE);
		memcpy((uint8_t *)phys_to_virt(*pte & PTE_ADDR_MASK) + va % PAGE_SIZE, from, n);
		from += n;
		va += n;
		len -= n;
	}
	return STATUS_OK;
}

static void space_free(struct user_space *s)
{
	if (read_cr3() == s->pml4)
		write_cr3(kernel_cr3);
	uint64_t *l4 = phys_to_virt(s->pml4);
	for (unsigned i = 0; i < 256; i++) {
		if (!(l4[i] & PTE_PRESENT))
			continue;
		uint64_t *l3 = table_at(l4[i]);
		for (unsigned j = 0; j < 512; j++) {
			if (!(l3[j] & PTE_PRESENT))
				continue;
			uint64_t *l2 = table_at(l3[j]);
			for (unsigned k = 0; k < 512; k++) {
				if (!(l2[k] & PTE_PRESENT))
					continue;
				uint64_t *l1 = table_at(l2[k]);
				for (unsigned m = 0; m < 512; m++)
					if (l1[m] & PTE_PRESENT)
						(void)frames_free(l1[m] & PTE_ADDR_MASK);
				(void)frames_free(l2[k] & PTE_ADDR_MASK);
			}
			(void)frames_free(l3[j] & PTE_ADDR_MASK);
		}
		(void)frames_free(l4[i] & PTE_ADDR_MASK);
	}
	(void)frames_free(s->pml4);
	kheap_free(s, sizeof *s);
}

/* ---- running ---- */

static const char *signal_name(int sig)
{
	switch (sig) {
	case 4: return "SIGILL";
	case 5: return "SIGTRAP";
	case 7: return "SIGBUS";
	case 8: return "SIGFPE";
	case 11: return "SIGSEGV";
	case 31: return "SIGSYS";
	default: return "signal";
	}
}

static int signal_of(uint64_t vector)
{
	switch (vector) {
	case 0: case 16: case 19: return 8;  /* #DE, #MF, #XM: SIGFPE */
	case 1: case 3: return 5;            /* SIGTRAP */
	case 6: return 4;                    /* #UD: SIGILL */
	case 17: return 7;                   /* #AC: SIGBUS */
	default: return 11;                  /* #PF, #GP, #SS, ...: SIGSEGV */
	}
}

static void user_fault(struct trap_frame *f, uint64_t cr2)
{
	struct user_context *u = user_context_current;
	if (!u)
		return; /* cannot be: reported as a kernel fault */
	int sig = signal_of(f->vector);
	u->code = sig;
	if (f->vector == 14)
		ksnprintf(u->what, sizeof u->what, "%s: %s at rip 0x%lx, address 0x%lx (%s %s)", signal_name(sig),
			  exception_name(f->vector), f->rip, cr2, f->error_code & 1 ? "protection" : "not present",
			  f->error_code & 16 ? "fetch" : f->error_code & 2 ? "write" : "read");
	else
		ksnprintf(u->what, sizeof u->what, "%s: %s at rip 0x%lx", signal_name(sig), exception_name(f->vector),
			  f->rip);
	user_leave(&u->jump, USER_KILLED);
}

struct dispatch {
	struct user_syscall call;
	struct crate_call c;
	struct fault_report fault;
	struct status st;
};

static void dispatch_call(void *p)
{
	struct dispatch *d = p;
	d->st = service_call(KERNEL_SERVICE_SYSCALL, &d->c, &d->fault);
}

void syscall_dispatch(struct trap_frame *f)
{
	struct user_context *u = user_context_current;
	struct dispatch d = {
		.call = {
			.nr = f->rax,
			.arg = {f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9},
			.ret = -38, /* -ENOSYS */
		},
	};
	d.c = (struct crate_call){.shape = FN_VOID_PTR, .p = &d.call};
	u->space->vars.calls++;
	/* The whole path under a recovery point of its own: a kernel fault
	 * outside the server's protected call (or a kernel stack overflow in
	 * it) ends this process, not whatever called exec. */
	struct fault_point fp;
	cpu_irq_enable();
	int v = kfault_try(&fp, dispatch_call, &d);
	cpu_irq_disable();
	if (v) {
		u->code = 31;
		ksnprintf(u->what, sizeof u->what, "SIGSYS: system call %lu: kernel fault %s in its path",
			  d.call.nr, exception_name((uint64_t)v - 1));
		user_leave(&u->jump, USER_KILLED);
	}
	struct user_syscall call = d.call;
	struct crate_call c = d.c;
	struct fault_report fault = d.fault;
	struct status st = d.st;
	if (c.faulted) {
		u->code = 31;
		char where[96];
		fault_describe(&fault, where, sizeof where);
		ksnprintf(u->what, sizeof u->what, "SIGSYS: system call %lu: %s", call.nr, where);
		user_leave(&u->jump, USER_KILLED);
	}
	if (!status_ok(st))
		call.ret = -38;
	if (call.exit) {
		u->code = call.exit_code & 0xff;
		user_leave(&u->jump, USER_EXITED);
	}
	f->rax = (uint64_t)call.ret;
}

void user_context_switch(struct user_context *old, struct user_context *new)
{
	if (old) {
		old->fs_base = rdmsr(MSR_FS_BASE);
		__asm__ volatile("fxsave64 %0" : "=m"(old->fx));
	}
	if (new) {
		space_load(new->space);
		wrmsr(MSR_FS_BASE, new->fs_base);
		__asm__ volatile("fxrstor64 %0" ::"m"(new->fx));
		trap_set_kernel_stack(new->jump.rsp0);
		user_kernel_rsp = new->jump.rsp0;
	} else if (read_cr3() != kernel_cr3) {
		write_cr3(kernel_cr3);
	}
}

static struct user_result not_run(enum kerr err, const char *why, const char *name)
{
	struct user_result r = {.end = USER_NOT_RUN, .err = err};
	ksnprintf(r.what, sizeof r.what, "%s: %s", name, why);
	return r;
}

/* The plan's ranges, checked before anything is mapped: NULL, or what is wrong. */
static const char *plan_unsound(const struct user_load_plan *plan, const struct archive_program *p, char *buf,
				size_t cap)
{
	if (plan->segment_count == 0 || plan->segment_count > USER_SEGMENTS_MAX)
		return "load plan: 1 to 16 segments";
	for (uint32_t i = 0; i < plan->segment_count; i++) {
		const struct user_segment *g = &plan->segments[i];
		if (!user_range(g->va, g->size) || g->va + g->size > USER_STACK_TOP - USER_STACK_SIZE ||
		    g->file_size > g->size || g->file_off > p->elf_size || g->file_size > p->elf_size - g->file_off) {
			ksnprintf(buf, cap, "load plan: segment %u outside the user half or the program's bytes", i);
			return buf;
		}
	}
	if (plan->stack_start % 16 || plan->stack_start >= USER_STACK_IMAGE_MAX)
		return "load plan: the start-up stack is misaligned or empty";
	if (!user_range(plan->entry, 1) || !user_range(plan->brk, 0) || plan->brk % PAGE_SIZE)
		return "load plan: entry or break outside the user half";
	return NULL;
}

/* Map and fill the plan's segments and start-up stack. */
static struct status space_build(struct user_space *s, const struct user_load_plan *plan, const uint8_t *image)
{
	struct status st = STATUS_OK;
	for (uint32_t i = 0; i < plan->segment_count && status_ok(st); i++) {
		const struct user_segment *g = &plan->segments[i];
		uint64_t start = ALIGN_DOWN(g->va, PAGE_SIZE), end = ALIGN_UP(g->va + g->size, PAGE_SIZE);
		st = space_map(s, start, end - start, g->prot, true);
		if (status_ok(st) && g->file_size)
			st = space_write(s, g->va, image + g->file_off, g->file_size);
	}
	if (status_ok(st))
		st = space_map(s, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE, USER_PROT_READ | USER_PROT_WRITE,
			       false);
	uint64_t len = USER_STACK_IMAGE_MAX - plan->stack_start;
	if (status_ok(st))
		st = space_write(s, USER_STACK_TOP - len, plan->stack + plan->stack_start, len);
	return st;
}

KERNEL_EXPORT struct user_result kernel_user_run(const struct user_load_plan *plan)
{
	char name[sizeof plan->name], why[96];
	if (!plan)
		return not_run(E_INVAL, "no load plan", "exec");
	copy_cstr(name, sizeof name, plan->name);
	if (user_context_current)
		return not_run(E_BUSY, "a process cannot exec from inside a system call", name);
	struct linker *l = crates_linker();
	if (!l || plan->program >= l->archive.program_count)
		return not_run(E_NOENT, "no such program in the image", name);
	struct archive_program p = archive_program_at(&l->archive, plan->program);
	const char *unsound = plan_unsound(plan, &p, why, sizeof why);
	if (unsound)
		return not_run(E_INVAL, unsound, name);

	struct user_space *s = space_new();
	if (!s)
		return not_run(E_NOMEM, "no memory for an address space", name);
	struct user_result r = {.end = USER_NOT_RUN};
	struct status st = space_build(s, plan, l->archive.base + p.elf_off);
	if (!status_ok(st)) {
		ksnprintf(why, sizeof why, "cannot map the program: %s", kerr_name(st.err));
		r = not_run(st.err, why, name);
		space_free(s);
		return r;
	}
	s->vars.brk_base = s->vars.brk = plan->brk;
	s->vars.mmap_next = USER_MMAP_TOP;
	s->vars.pid = ++next_pid;
	s->vars.ppid = 1;
	memcpy(s->vars.name, name, MIN_NAME(strlen(name) + 1));

	struct user_context *u = kheap_alloc(sizeof *u);
	if (!u) {
		space_free(s);
		return not_run(E_NOMEM, "no memory for a user context", name);
	}
	u->space = s;
	memcpy(u->fx, fx_clean, sizeof u->fx);
	bool irq = cpu_irq_save();
	size_t slot = USER_LIVE_MAX;
	for (size_t i = 0; i < USER_LIVE_MAX && slot == USER_LIVE_MAX; i++)
		if (!live[i])
			slot = i;
	if (slot == USER_LIVE_MAX) {
		cpu_irq_restore(irq);
		kheap_free(u, sizeof *u);
		space_free(s);
		return not_run(E_BUSY, "too many processes", name);
	}
	live[slot] = u;
	memcpy(live_names[slot], name, sizeof name);
	/* Switch to the process as a context switch would (the stack of ring
	 * transitions is set by user_enter). */
	user_context_switch(NULL, u);
	user_context_current = u;
	uint64_t how = user_enter(&u->jump, plan->entry, USER_STACK_TOP - (USER_STACK_IMAGE_MAX - plan->stack_start));
	/* Back from ring 3 for good, interrupts off. */
	user_context_current = NULL;
	user_context_switch(u, NULL);
	wrmsr(MSR_FS_BASE, 0);
	live[slot] = NULL;
	cpu_irq_restore(irq);

	r.end = how == USER_KILLED ? USER_KILLED : USER_EXITED;
	r.code = u->code;
	r.pid = s->vars.pid;
	r.syscalls = s->vars.calls;
	memcpy(r.what, u->what, sizeof r.what);
	if (r.end == USER_KILLED)
		kprintf("user: %s (pid %u) killed by %s\n", name, r.pid, u->what);
	kheap_free(u, sizeof *u);
	space_free(s);
	return r;
}
KEXPORT(kernel_user_run);

KERNEL_EXPORT struct user_vars *kernel_user_vars(void)
{
	return user_context_current ? &user_context_current->space->vars : NULL;
}
KEXPORT(kernel_user_vars);

KERNEL_EXPORT struct status kernel_user_copy_in(struct bytes dst, uint64_t user_src)
{
	if (!user_context_current)
		return STATUS(E_INVAL);
	if (!user_range(user_src, dst.len))
		return STATUS(E_FAULT);
	return user_copy_raw(dst.ptr, (const void *)user_src, dst.len) ? STATUS(E_FAULT) : STATUS_OK;
}
KEXPORT(kernel_user_copy_in);

KERNEL_EXPORT struct status kernel_user_copy_out(uint64_t user_dst, struct str src)
{
	if (!user_context_current)
		return STATUS(E_INVAL);
	if (!user_range(user_dst, src.len))
		return STATUS(E_FAULT);
	/* A read-only user page faults for the kernel's write too (CR0.WP),
	 * and the copy ends with E_FAULT. */
	return user_copy_raw((void *)user_dst, src.ptr, src.len) ? STATUS(E_FAULT) : STATUS_OK;
}
KEXPORT(kernel_user_copy_out);

KERNEL_EXPORT struct status kernel_user_map(uint64_t va, uint64_t len, uint32_t prot)
{
	if (!user_context_current)
		return STATUS(E_INVAL);
	return space_map(user_context_current->space, va, len, prot, false);
}
KEXPORT(kernel_user_map);

KERNEL_EXPORT uint64_t kernel_user_unmap(uint64_t va, uint64_t len)
{
	if (!user_context_current || va % PAGE_SIZE || !user_range(va, len))
		return 0;
	return space_unmap(user_context_current->space, va, ALIGN_UP(len, PAGE_SIZE));
}
KEXPORT(kernel_user_unmap);

KERNEL_EXPORT struct status kernel_user_set_fs(uint64_t base)
{
	if (!user_context_current)
		return STATUS(E_INVAL);
	if (base >= USER_TOP)
		return STATUS(E_INVAL);
	user_context_current->fs_base = base;
	wrmsr(MSR_FS_BASE, base);
	return STATUS_OK;
}
KEXPORT(kernel_user_set_fs);

KERNEL_EXPORT uint64_t kernel_user_pages(void)
{
	return user_context_current ? user_context_current->space->pages : 0;
}
KEXPORT(kernel_user_pages);

KERNEL_EXPORT uint64_t kernel_user_pages_max(void) { return USER_PAGES_MAX; }
KEXPORT(kernel_user_pages_max);

KERNEL_EXPORT size_t kernel_user_list(struct user_proc_info *out, size_t cap)
{
	size_t n = 0;
	bool irq = cpu_irq_save();
	for (size_t i = 0; i < USER_LIVE_MAX; i++) {
		struct user_context *u = live[i];
		if (!u)
			continue;
		if (out && n < cap) {
			out[n] = (struct user_proc_info){.pid = u->space->vars.pid, .pages = u->space->pages,
							 .syscalls = u->space->vars.calls};
			memcpy(out[n].name, u->space->vars.name, sizeof out[n].name);
		}
		n++;
	}
	cpu_irq_restore(irq);
	return n;
}
KEXPORT(kernel_user_list);

/* A task's stack is being freed: a process it was running (switched out,
 * killed) goes with it. */
static void stack_discarded(uint64_t lo, uint64_t hi)
{
	bool irq = cpu_irq_save();
	for (size_t i = 0; i < USER_LIVE_MAX; i++) {
		struct user_context *u = live[i];
		if (!u || u == user_context_current || u->jump.rsp < lo || u->jump.rsp >= hi)
			continue;
		live[i] = NULL;
		kprintf("user: %s (pid %u) ended with its task; %lu pages freed\n", live_names[i],
			u->space->vars.pid, u->space->pages);
		space_free(u->space);
		kheap_free(u, sizeof *u);
	}
	cpu_irq_restore(irq);
}

/* ---- the image's program table, read only (theseus/image.h) ---- */

KERNEL_EXPORT struct status kernel_image_entry(uint32_t index, struct image_entry *out)
{
	struct linker *l = crates_linker();
	if (!out)
		return STATUS(E_INVAL);
	if (!l || index >= l->archive.program_count)
		return STATUS(E_NOENT);
	struct archive_program p = archive_program_at(&l->archive, index);
	*out = (struct image_entry){.size = p.elf_size, .is_file = (p.flags & ARCHIVE_PROGRAM_FILE) != 0};
	copy_cstr(out->name, sizeof out->name, p.name);
	return STATUS_OK;
}
KEXPORT(kernel_image_entry);

KERNEL_EXPORT bool kernel_image_intact(uint32_t index)
{
	struct linker *l = crates_linker();
	return l && index < l->archive.program_count && archive_program_image(&l->archive, index);
}
KEXPORT(kernel_image_intact);

KERNEL_EXPORT uint64_t kernel_image_read(uint32_t index, uint64_t offset, struct bytes dst)
{
	struct linker *l = crates_linker();
	if (!l || index >= l->archive.program_count)
		return 0;
	struct archive_program p = archive_program_at(&l->archive, index);
	if (offset >= p.elf_size)
		return 0;
	uint64_t n = min_u64(dst.len, p.elf_size - offset);
	memcpy(dst.ptr, l->archive.base + p.elf_off + offset, n);
	return n;
}
KEXPORT(kernel_image_read);

KERNEL_EXPORT struct status kernel_user_copy_cstr(struct bytes dst, uint64_t user_src, size_t *len)
{
	if (!user_context_current || !len)
		return STATUS(E_INVAL);
	for (size_t i = 0; i < dst.len; i++) {
		if (!user_range(user_src + i, 1) || user_copy_raw(dst.ptr + i, (const void *)(user_src + i), 1))
			return STATUS(E_FAULT);
		if (dst.ptr[i] == 0) {
			*len = i;
			return STATUS_OK;
		}
	}
	return STATUS(E_RANGE);
}
KEXPORT(kernel_user_copy_cstr);

void user_init(void)
{
	kernel_cr3 = read_cr3();
	pte_nx = rdmsr(MSR_EFER) & EFER_NXE ? PTE_NX : 0;
	/* SSE for programs (the kernel itself uses general registers only):
	 * CR0.MP and NE, not EM or TS; CR4.OSFXSR and OSXMMEXCPT. */
	write_cr0((read_cr0() | (1u << 1) | (1u << 5)) & ~((1ull << 2) | (1ull << 3)));
	write_cr4(read_cr4() | (1u << 9) | (1u << 10));
	uint32_t mxcsr = 0x1F80;
	__asm__ volatile("fninit; ldmxcsr %1; fxsave64 %0" : "=m"(fx_clean) : "m"(mxcsr));
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, (uint64_t)(GDT_USER_DATA - 8) << 48 | (uint64_t)GDT_KERNEL_CODE << 32);
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* SYSCALL clears IF, TF, DF, AC and NT. */
	wrmsr(MSR_FMASK, 0x200 | 0x100 | 0x400 | 0x40000 | 0x4000);
	trap_set_user_fault_handler(user_fault);
	service_set_stack_discard_hook(stack_discarded);
}
