/* The launcher: runs a program of the image on the calling task (the
 * shell's `exec`, or a task of its own: `spawn launcher PROGRAM ARGS`),
 * and reports how it ended. It is not the system call server: while a
 * program runs, the launcher's frame is on its task's stack and the
 * server's is not, so the server (process, process_v2) can be swapped
 * under a running program. */
#include <theseus/console.h>
#include <theseus/crate.h>
#include <theseus/services.h>
#include <theseus/user.h>
#include "fmt.h"
#include "launcher.h"
#include "process.h"

CRATE("launcher", "1.0.0", "runs user programs of the image and reports how they ended", "", "", "fmt,process");

static bool is_space(char ch) { return ch == ' ' || ch == '\t'; }

CRATE_EXPORT struct user_result launcher_exec(struct str line)
{
	struct str argv[USER_ARGS_MAX] = {};
	size_t argc = 0, i = 0;
	while (i < line.len) {
		while (i < line.len && is_space(str_at(line, i)))
			i++;
		if (i >= line.len)
			break;
		if (argc == USER_ARGS_MAX) {
			struct user_result r = {.end = USER_NOT_RUN, .err = E_INVAL};
			return r;
		}
		char quote = str_at(line, i);
		size_t start = i;
		if (quote == '"' || quote == '\'') {
			start = ++i;
			while (i < line.len && str_at(line, i) != quote)
				i++;
			*ARRAY_AT(argv, argc) = str_sub(line, start, i - start);
			argc += 1;
			if (i < line.len)
				i++;
			continue;
		}
		while (i < line.len && !is_space(str_at(line, i)))
			i++;
		*ARRAY_AT(argv, argc) = str_sub(line, start, i - start);
		argc += 1;
	}
	if (argc == 0) {
		struct user_result r = {.end = USER_NOT_RUN, .err = E_INVAL};
		return r;
	}
	/* A program needs its system call server: load it (its init
	 * registers it) unless one is registered already. */
	if (kernel_service_symbol(KERNEL_SERVICE_SYSCALL).len == 0 && !status_ok(process_init())) {
		struct user_result r = {.end = USER_NOT_RUN, .err = E_NOENT};
		return r;
	}
	return kernel_user_exec(argv, argc);
}

CRATE_EXPORT void launcher_report(const struct user_result *r)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("exec: "));
	switch (r->end) {
	case USER_EXITED:
		fmt_str(&line, STR("pid "));
		fmt_u64(&line, r->pid);
		fmt_str(&line, STR(" exited with status "));
		fmt_u64(&line, (uint64_t)r->code);
		break;
	case USER_KILLED:
		fmt_str(&line, STR("pid "));
		fmt_u64(&line, r->pid);
		fmt_str(&line, STR(" killed by signal "));
		fmt_u64(&line, (uint64_t)r->code);
		fmt_str(&line, STR(" (status "));
		fmt_u64(&line, 128 + (uint64_t)r->code);
		fmt_str(&line, STR("): "));
		fmt_str(&line, STR_FROM_CSTR_ARRAY(r->what));
		break;
	default:
		fmt_str(&line, STR("not run: "));
		fmt_str(&line, KERR_STR(r->err));
		if (r->what[0]) {
			fmt_str(&line, STR(": "));
			fmt_str(&line, STR_FROM_CSTR_ARRAY(r->what));
		}
		break;
	}
	if (r->end != USER_NOT_RUN) {
		fmt_str(&line, STR(" ("));
		fmt_u64(&line, r->syscalls);
		fmt_str(&line, STR(" system calls)"));
	}
	fmt_char(&line, '\n');
	kernel_console_write(fmt_view(&line));
}

/* The application convention (`spawn launcher PROGRAM ARGS...`): a program
 * on a task of its own, beside the shell. */
CRATE_EXPORT struct status launcher_main(struct str args)
{
	struct user_result r = launcher_exec(args);
	launcher_report(&r);
	return r.end == USER_NOT_RUN ? STATUS(r.err) : STATUS_OK;
}

