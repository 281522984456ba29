/* The nano-core's side of the runtime linker: the one `struct linker`, the
 * environment it runs in (crate memory, page permissions, patching, crate
 * code under recovery points), and starting the entry crate. */
#include "crate_env.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "crate_memory.h"
#include "debug_rendezvous.h"
#include "export.h"
#include "fault.h"
#include "kheap.h"
#include "service_calls.h"
#include "arch/x86_64/x86.h"
#include <theseus/cpu.h>

static struct linker the_linker;
static bool linker_ready;

/* Where the nano-core reads each boot module: through the boot window
 * when it lies below 1 GiB, else through a read-only mapping made once
 * (QEMU puts the initrd near the top of RAM, above 1 GiB with -m 2G). */
static const uint8_t *module_bytes[BOOT_MAX_MODULES];

static const uint8_t *module_view(unsigned i, const struct boot_module *m)
{
	if (module_bytes[i])
		return module_bytes[i];
	if (m->end <= KERNEL_WINDOW_SIZE) {
		module_bytes[i] = phys_to_virt(m->start);
	} else {
		uint64_t first = ALIGN_DOWN(m->start, PAGE_SIZE);
		uint64_t va = crate_memory_map_phys(first, (ALIGN_UP(m->end, PAGE_SIZE) - first) / PAGE_SIZE);
		if (va)
			module_bytes[i] = (const uint8_t *)(va + (m->start - first));
	}
	return module_bytes[i];
}

static const uint8_t *archive_bytes;

const struct boot_module *crates_archive_module(void)
{
	const struct boot_info *bi = boot_info();
	for (unsigned i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		if (m->end - m->start < ARCHIVE_HEADER_SIZE)
			continue;
		const uint8_t *bytes = module_view(i, m);
		if (bytes && !memcmp(bytes, ARCHIVE_MAGIC, sizeof ARCHIVE_MAGIC)) {
			archive_bytes = bytes;
			return m;
		}
	}
	return NULL;
}

bool kernel_export_lookup(const char *name, uint64_t *address)
{
	for (const struct kexport *e = __kexports_start; e < __kexports_end; e++)
		if (!strcmp(e->name, name)) {
			*address = (uint64_t)e->addr;
			return true;
		}
	return false;
}

/* ---- the environment the linker core runs in ---- */

static uint64_t pages_of(uint64_t size) { return ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE; }

static struct status env_alloc_region(void *ctx, uint64_t size, uint64_t align, enum region_kind kind,
				      struct linker_region *out)
{
	(void)ctx;
	if (size == 0 || align > PAGE_SIZE)
		return STATUS(E_INVAL);
	uint64_t va = crate_memory_alloc(pages_of(size));
	if (!va)
		return STATUS(E_NOMEM);
	*out = (struct linker_region){(uint8_t *)va, va, size, kind, NULL};
	return STATUS_OK;
}

static struct status env_protect_region(void *ctx, const struct linker_region *r)
{
	(void)ctx;
	enum page_perm perm = r->kind == REGION_TEXT ? PAGE_EXEC
			    : r->kind == REGION_RODATA ? PAGE_READ : PAGE_WRITE;
	return crate_memory_protect(r->vaddr, pages_of(r->size), perm);
}

static void env_free_region(void *ctx, const struct linker_region *r)
{
	(void)ctx;
	crate_memory_free(r->vaddr, pages_of(r->size));
}

static void *env_alloc_meta(void *ctx, size_t size)
{
	(void)ctx;
	return kheap_alloc(size);
}

static void env_free_meta(void *ctx, void *ptr, size_t size)
{
	(void)ctx;
	kheap_free(ptr, size);
}

/* One linker line, in one console write (no task's output inside it),
 * begun on a line of its own (not after a prompt or a half-typed
 * command, which the shell then draws again below). A line longer than
 * the buffer ends in "...". */
static void env_log(void *ctx, const char *const *pieces, size_t count)
{
	(void)ctx;
	char line[512];
	size_t n = 0;
	for (size_t i = 0; i < count; i++) {
		size_t len = strlen(pieces[i]), room = sizeof line - 1 - n;
		memcpy(line + n, pieces[i], len < room ? len : room);
		n += len < room ? len : room;
	}
	if (n == sizeof line - 1)
		memcpy(line + n - 3, "...", 3);
	line[n++] = '\n';
	serial_write_line(line, n);
}

static uint64_t env_now(void *ctx)
{
	(void)ctx;
	return rdtsc();
}

static int env_kernel_symbol(void *ctx, const char *name, uint64_t *address)
{
	(void)ctx;
	return kernel_export_lookup(name, address);
}

/* Write through the frames' alias in the boot window: crate text is
 * mapped read-only, and its permissions never change for a patch. */
static struct status env_patch(void *ctx, uint64_t vaddr, const uint8_t *bytes, size_t n)
{
	(void)ctx;
	while (n) {
		uint64_t pa = paging_lookup(vaddr);
		if (!pa || vaddr < CRATE_REGION_BASE)
			return STATUS(E_INVAL);
		size_t chunk = PAGE_SIZE - (vaddr % PAGE_SIZE);
		if (chunk > n)
			chunk = n;
		memcpy(phys_to_virt(pa), bytes, chunk);
		vaddr += chunk;
		bytes += chunk;
		n -= chunk;
	}
	return STATUS_OK;
}

/* Set while a live swap re-links with interrupts off (crate_swap.c). */
static bool inits_keep_interrupts_off;

void crates_keep_interrupts_off(bool on) { inits_keep_interrupts_off = on; }

/* A crate's code runs under a recovery point: its fault fails the call,
 * never the kernel. An init that turns interrupts on (the timer's, which
 * starts the tick at boot) has them turned off again when it runs inside
 * a swap: a tick must not switch tasks while relocations are half
 * re-pointed. The swap restores the caller's state when it is done. */
static struct status env_call_init(void *ctx, uint64_t address)
{
	(void)ctx;
	struct crate_call c = {.address = address, .shape = FN_STATUS_VOID};
	struct fault_report fault;
	if (!protected_call(&c, &fault)) {
		char why[200];
		fault_describe(&fault, why, sizeof why);
		kprintf("crates: an init faulted: %s\n", why);
	}
	if (inits_keep_interrupts_off)
		(void)cpu_irq_save();
	return c.result;
}

static void env_crate_event(void *ctx, enum linker_crate_event event, uint32_t crate_id, uint32_t generation)
{
	(void)ctx;
	debug_rendezvous_crate_event(&the_linker, event, crate_id, generation);
}

static const struct linker_env kernel_env = {
	.ctx = NULL,
	.alloc_region = env_alloc_region,
	.protect_region = env_protect_region,
	.free_region = env_free_region,
	.alloc_meta = env_alloc_meta,
	.free_meta = env_free_meta,
	.log = env_log,
	.now = env_now,
	.kernel_symbol = env_kernel_symbol,
	.call_init = env_call_init,
	.patch = env_patch,
	.crate_event = env_crate_event,
};

/* The build's attestation key (generated into attest_key.c): crates must
 * carry a stamp made with it. */
extern const uint8_t nano_core_attest_key[STAMP_KEY_SIZE];
/* The nano-core's own type signatures (the safe-C plugin's record, made in
 * signatures mode for every nano-core source), for crates' imports. */
extern const char __kernel_signatures_start[];
extern const char __kernel_signatures_end[];

/* Through integers: the two symbols are distinct objects to the compiler,
 * which would fold a pointer comparison of them to "different". */
static uint64_t kernel_signatures_size(void)
{
	return (uint64_t)((uintptr_t)__kernel_signatures_end - (uintptr_t)__kernel_signatures_start);
}

#define CRATE_MEM_LIMIT_DEFAULT (16ull << 20)

static bool developer_mode;

KERNEL_EXPORT bool kernel_crates_developer_mode(void) { return developer_mode; }
KEXPORT(kernel_crates_developer_mode);

/* `crate_mem_limit=N[K|M|G]`: bytes one crate's sections may take. */
static uint64_t crate_memory_limit(void)
{
	char text[24];
	if (!cmdline_get(boot_info()->cmdline, "crate_mem_limit", text, sizeof text))
		return CRATE_MEM_LIMIT_DEFAULT;
	uint64_t v = 0;
	const char *p = text;
	for (; *p >= '0' && *p <= '9' && v < (1ull << 40); p++)
		v = v * 10 + (uint64_t)(*p - '0');
	unsigned shift = *p == 'K' ? 10 : *p == 'M' ? 20 : *p == 'G' ? 30 : 0;
	bool too_big = v >= (1ull << 40) || v > (UINT64_MAX >> shift);
	if (p == text || (shift && p[1]) || (!shift && *p) || v == 0 || too_big) {
		kprintf("crates: crate_mem_limit=%s is not a size (N, NK, NM or NG); using %lu bytes\n",
			text, (unsigned long)CRATE_MEM_LIMIT_DEFAULT);
		return CRATE_MEM_LIMIT_DEFAULT;
	}
	return v << shift;
}

bool crates_init(void)
{
	const struct boot_module *m = crates_archive_module();
	if (!m) {
		kprintf("crates: no crate archive among the boot modules\n");
		return false;
	}
	if (kernel_signatures_size() == 0) {
		/* Without them crates' imports could not be type-checked. */
		kprintf("crates: the nano-core carries no type signatures (not built in the checker's signatures mode)\n");
		return false;
	}
	struct link_error err;
	char word[8];
	developer_mode = cmdline_get(boot_info()->cmdline, "unchecked_crates", word, sizeof word);
	struct linker_options opts = {
		.pack_sections = 1,
		.attest_key = nano_core_attest_key,
		.allow_unchecked = developer_mode,
		.crate_memory_limit = crate_memory_limit(),
		.kernel_signatures = __kernel_signatures_start,
		.kernel_signatures_size = kernel_signatures_size(),
	};
	if (!status_ok(linker_init(&the_linker, &kernel_env, archive_bytes, m->end - m->start,
				   &opts, &err))) {
		char line[256];
		link_error_format(&err, line, sizeof line);
		kprintf("crates: the archive is unusable: %s\n", line);
		return false;
	}
	linker_ready = true;
	kprintf("crates: archive with %u crates\n", the_linker.archive.crate_count);
	if (developer_mode)
		kprintf("crates: developer mode: crates without a valid stamp are loaded, marked unchecked\n");
	return true;
}

struct linker *crates_linker(void) { return linker_ready ? &the_linker : NULL; }

struct status crates_run_entry(const char *symbol, struct link_error *err)
{
	struct linker_symbol sym;
	struct status s = linker_resolve(&the_linker, symbol, LINKER_TAKE_REF, &sym, err);
	if (!status_ok(s))
		return s;
	s = linker_check_call_type(&the_linker, sym.crate_id, symbol,
				   linker_call_type_name(LINKER_CALL_STATUS_VOID), err);
	if (!status_ok(s)) {
		(void)linker_ref_put(&the_linker, sym.crate_id);
		return s;
	}
	struct crate_call c = {.address = sym.address, .shape = FN_STATUS_VOID};
	struct fault_report fault;
	if (!protected_call(&c, &fault)) {
		char why[200];
		fault_describe(&fault, why, sizeof why);
		kprintf("crates: %s faulted: %s\n", symbol, why);
	}
	(void)linker_ref_put(&the_linker, sym.crate_id);
	return c.result;
}

void crates_unload_unused(struct linker *l)
{
	for (bool progress = true; progress;) {
		progress = false;
		for (uint32_t id = linker_next_loaded(l, LINKER_NO_CRATE); id != LINKER_NO_CRATE;
		     id = linker_next_loaded(l, id)) {
			struct link_error err;
			/* As kernel_crate_unload: no handler may call into a crate
			 * (and take a reference to it) while it goes. */
			bool irq = cpu_irq_save();
			bool gone = status_ok(linker_unload_cycle(l, id, NULL, &err));
			cpu_irq_restore(irq);
			if (gone) {
				progress = true;
				break;
			}
		}
	}
}

bool crates_is_loaded(const struct linker *l, const char *name)
{
	return linker_is_loaded(l, linker_crate_by_name(l, name));
}

/* The linker serves one request at a time, and a task can be preempted
 * in the middle of one (loading an application it spawned, say). Another
 * task's request waits for it here, a tick at a time and at most about two
 * seconds, instead of failing with "linker busy". */
#define LINKER_WAIT_TICKS 2000
void crates_wait_for_linker(struct linker *l)
{
	for (int i = 0; l->busy && i < LINKER_WAIT_TICKS; i++)
		service_sleep(1);
}
