/* kmain: the nano-core's whole job after boot.S.
 * Serial, exceptions, boot information, frames, page permissions, the
 * runtime linker over the crate archive; then the mode the command line
 * asks for: `test=...` runs in-kernel tests, `bench=...` in-kernel
 * benchmarks (benchmarks/README.md), otherwise the entry symbol
 * (`entry=`, default shell_main) is resolved, its crate loaded on demand,
 * and called. The nano-core's own console is only the fallback. */
#include "kernel.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "fallback_console.h"
#include "fault.h"
#include "irq_entry.h"
#include "service_calls.h"
#include "crate_env.h"
#include "frames.h"
#include "records.h"
#include "paging.h"
#include "user_space.h"
#include "arch/x86_64/x86.h"
#include "arch/x86_64/trap.h"

extern uint64_t boot_pml4[512];

/* The identity map was only needed to reach the higher half; dropping it
 * makes a null or low-address dereference a page fault. */
static void drop_identity_map(void)
{
	boot_pml4[0] = 0;
	write_cr3(read_cr3());
}

static void print_boot_summary(const struct boot_info *bi)
{
	kprintf("boot: %s, command line \"%s\"\n",
		bi->protocol == BOOT_PROTO_PVH ? "PVH" : "multiboot2", bi->cmdline);
	kprintf("memory: %u regions, %lu KiB usable; frames: %lu free\n", bi->region_count,
		bootinfo_usable_bytes(bi) / 1024, frames_free_count());
	for (unsigned i = 0; i < bi->module_count; i++)
		kprintf("module %u: %p-%p \"%s\"\n", i, (void *)bi->modules[i].start,
			(void *)bi->modules[i].end, bi->modules[i].name);
}

/* The entry stepped aside for a swap of its crate: wait (about a second
 * at most, in case the swap is refused) until another crate serves it. */
static void wait_for_entry_swap(const char *entry)
{
	struct linker *l = crates_linker();
	struct linker_symbol before, now;
	if (!status_ok(linker_resolve_loaded(l, entry, &before)))
		return;
	for (int ticks = 0; ticks < 1000; ticks += 10) {
		service_sleep(10);
		if (!status_ok(linker_resolve_loaded(l, entry, &now)) || now.crate_id != before.crate_id ||
		    now.generation != before.generation)
			return;
	}
}

/* A request of another task (the swap still ending, a load) holds the
 * linker: the entry is tried again a little later, for about a second. */
#define ENTRY_BUSY_TRIES 100

/* How often in a row the entry may fault before the nano-core gives up
 * on it and opens its own console. */
#define ENTRY_FAULTS_MAX 3

/* Run the entry crate until it cannot go on. E_AGAIN: it stepped aside
 * for a swap of its crate (it asks kernel_crate_on_stack at a safe
 * point): let the swap run, then resolve the entry again, which finds
 * the new version. E_FAULT: it faulted (the fault service has heard of
 * it and may have repaired or restarted its crate): start it again. */
static void run_entry(const char *entry)
{
	struct link_error err = {.code = E_OK};
	unsigned faults = 0, busy = 0;
	struct status s = crates_run_entry(entry, &err);
	for (;;) {
		bool linker_busy = !status_ok(s) && err.code == E_BUSY;
		busy = linker_busy ? busy + 1 : 0;
		if (linker_busy && busy <= ENTRY_BUSY_TRIES) {
			service_sleep(10);
		} else if (s.err == E_AGAIN) {
			wait_for_entry_swap(entry);
			kprintf("boot: restarting the entry %s after a swap\n", entry);
		} else if (s.err == E_FAULT && ++faults <= ENTRY_FAULTS_MAX) {
			kprintf("boot: the entry %s faulted; starting it again\n", entry);
		} else {
			break;
		}
		err.code = E_OK;
		s = crates_run_entry(entry, &err);
	}
	if (s.err == E_FAULT) {
		kprintf("boot: the entry %s faulted %u times\n", entry, faults);
	} else if (!status_ok(s) && err.code != E_OK) {
		char why[256];
		link_error_format(&err, why, sizeof why);
		kprintf("boot: cannot start the entry %s: %s\n", entry, why);
	} else if (!status_ok(s)) {
		kprintf("boot: the entry %s ended with %s\n", entry, kerr_name(s.err));
	} else {
		kprintf("boot: the entry %s returned\n", entry);
	}
}

void kmain(uint32_t protocol, uint32_t info_phys);
void kmain(uint32_t protocol, uint32_t info_phys)
{
	const uint64_t kmain_tsc = rdtsc(); /* the boot benchmarks start here */
	serial_init();
	kprintf("\ntheseus nano-core\n");
	idt_init();

	const char *reason;
	if (!status_ok(bootinfo_parse((int)protocol, info_phys, &reason))) {
		kprintf("boot: cannot read the boot information: %s\n", reason);
		qemu_exit(QEMU_EXIT_FAILURE);
	}
	char selector[256], after[64] = "";
	bool test_mode = cmdline_get(boot_info()->cmdline, "test", selector, sizeof selector);
	cmdline_get(boot_info()->cmdline, "test_after", after, sizeof after);
	char bench[256], bench_after[64] = "";
	bool bench_mode = cmdline_get(boot_info()->cmdline, "bench", bench, sizeof bench);
	cmdline_get(boot_info()->cmdline, "bench_after", bench_after, sizeof bench_after);

	/* Tests and benchmarks: an unrecoverable fault ends the run with the
	 * failure code instead of halting. */
	trap_set_fatal_exits_qemu(test_mode || bench_mode);
	irq_entry_init();
	frames_init(boot_info());
	drop_identity_map();
	paging_init();
	/* RAM above the boot window: reachable once the physmap maps it. */
	uint64_t top = ALIGN_UP(frames_usable_top(boot_info()), PAGE_2M);
	if (top > FRAMES_WINDOW_LIMIT) {
		if (status_ok(paging_map_physmap(FRAMES_WINDOW_LIMIT, top)))
			frames_add_above_window(boot_info());
		else
			kprintf("memory: cannot map RAM above 1 GiB; it stays unused\n");
	}
	print_boot_summary(boot_info());
	user_init();

	bool have_crates = crates_init();
	fault_reports_init();
	if (test_mode)
		ktest_run(selector, after);
	if (bench_mode)
		kbench_run(bench, bench_after, kmain_tsc);

	/* Boot by linking: everything from here on is crate code. */
	char entry[64] = "shell_main";
	cmdline_get(boot_info()->cmdline, "entry", entry, sizeof entry);
	for (;;) {
		if (have_crates)
			run_entry(entry);
		kprintf("boot: falling back to the nano-core's own console (restart: start %s again)\n", entry);
		console_run();
	}
}
