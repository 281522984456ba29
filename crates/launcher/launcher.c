/* The launcher: runs a program of the image on the calling task (the
 * shell's `exec`, or a task of its own: `spawn launcher PROGRAM ARGS`),
 * and reports how it ended. It is not the system call server: while a
 * program runs, the launcher's frame is on its task's stack and the
 * server's is not, so the server (process, process_v2) can be swapped
 * under a running program. */
#include <theseus/alloc.h>
#include <theseus/console.h>
#include <theseus/crate.h>
#include <theseus/services.h>
#include <theseus/user.h>
#include "fmt.h"
#include "launcher.h"
#include "process.h"
#include "program_loader.h"
#include "task.h"

CRATE("launcher", "1.0.0", "runs user programs of the image and reports how they ended", "", "", "fmt,heap,process,program_loader,task");

static bool is_space(char ch) { return ch == ' ' || ch == '\t'; }

/* A result for a program that did not start: "NAME: why". */
static struct user_result not_run(enum kerr err, struct str name, struct str why)
{
	struct user_result r = {.end = USER_NOT_RUN, .err = err};
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, name.len ? name : STR("exec"));
	fmt_str(&line, STR(": "));
	fmt_str(&line, why);
	bytes_fill_cstr(BYTES_OF(r.what), fmt_view(&line));
	return r;
}

CRATE_EXPORT struct user_result launcher_exec(struct str line)
{
	struct program_args args = {};
	size_t i = 0;
	while (i < line.len) {
		while (i < line.len && is_space(str_at(line, i)))
			i++;
		if (i >= line.len)
			break;
		if (args.argc == USER_ARGS_MAX)
			return not_run(E_INVAL, args.argv[0], STR("1 to 32 arguments"));
		char quote = str_at(line, i);
		size_t start = i;
		if (quote == '"' || quote == '\'') {
			start = ++i;
			while (i < line.len && str_at(line, i) != quote)
				i++;
			*ARRAY_AT(args.argv, args.argc) = str_sub(line, start, i - start);
			args.argc += 1;
			if (i < line.len)
				i++;
			continue;
		}
		while (i < line.len && !is_space(str_at(line, i)))
			i++;
		*ARRAY_AT(args.argv, args.argc) = str_sub(line, start, i - start);
		args.argc += 1;
	}
	if (args.argc == 0)
		return not_run(E_INVAL, STR_EMPTY, STR("no program named"));
	/* A program needs its system call server: load it (its init
	 * registers it) unless one is registered already. */
	if (kernel_service_symbol(KERNEL_SERVICE_SYSCALL).len == 0 && !status_ok(process_init()))
		return not_run(E_NOENT, args.argv[0], STR("no system call server (process) could start"));
	/* The plan is 4 KiB of start-up stack and more: the heap's, not the
	 * task stack's, and the task's own, so a kill frees it. */
	struct user_load_plan *plan;
	if (!status_ok(HEAP_NEW(struct user_load_plan, &plan, task_current())))
		return not_run(E_NOMEM, args.argv[0], STR("no memory for a load plan"));
	char why[96] = "";
	struct status s = program_loader_plan(&args, plan, BYTES_OF(why));
	struct user_result r = status_ok(s) ? kernel_user_run(plan)
					    : not_run(s.err, args.argv[0], STR_FROM_CSTR_ARRAY(why));
	/* Only a heap that lost track of its own block refuses this free:
	 * say so, the program's result stands. */
	if (!status_ok(HEAP_FREE(plan)))
		kernel_console_write(STR("launcher: the heap refused to free a load plan\n"));
	return r;
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

