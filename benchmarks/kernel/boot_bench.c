/* Boot figures from inside the guest, one sample per boot (the host boots
 * several times and takes the median across boots):
 *   boot.reset_to_kmain         TSC at kmain's first instruction: the
 *                               virtual CPU's TSC starts at 0 at reset, so
 *                               this is firmware + loader + boot.S
 *   boot.kmain_to_shell_linked  kmain's first instruction until the entry
 *                               crate (the shell) and everything it needs
 *                               are loaded and linked: the same path as a
 *                               normal boot up to the call of shell_main
 *                               (plus two KBENCH lines), without the
 *                               shell's banner and prompt. */
#include "bench_support.h"
#include "core/cmdline.h"
#include "core/bootinfo.h"

KBENCH_FLAGS(boot, "boot", KBENCH_FIRST)
{
	kbench_sample(b, kbench_kmain_tsc(), 1);
	kbench_report(b, "boot.reset_to_kmain");

	char entry[64] = "shell_main"; /* as kmain chooses it */
	cmdline_get(boot_info()->cmdline, "entry", entry, sizeof entry);
	struct linker *l = bench_linker(b, "boot.kmain_to_shell_linked");
	if (!l)
		return;
	if (linker_next_loaded(l, LINKER_NO_CRATE) != LINKER_NO_CRATE) {
		kbench_skip(b, "boot.kmain_to_shell_linked", "crates were loaded before this benchmark");
		return;
	}
	/* Linked the way kmain links it, log lines included. */
	struct linker_symbol sym;
	struct link_error err;
	struct status s = linker_resolve(l, entry, LINKER_TAKE_REF, &sym, &err);
	uint64_t linked = kbench_now();
	if (!status_ok(s)) {
		char why[200];
		link_error_format(&err, why, sizeof why);
		kbench_fail(b, why);
		return;
	}
	kbench_sample(b, linked - kbench_kmain_tsc(), 1);
	(void)linker_ref_put(l, sym.crate_id);
	bench_log_fn log = bench_quiet_linker(l);
	crates_unload_unused(l);
	bench_restore_linker(l, log);
	kbench_report(b, "boot.kmain_to_shell_linked");
}
