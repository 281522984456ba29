#include "fallback_console.h"
#include "bootinfo.h"
#include "frames.h"
#include "arch/x86_64/x86.h"
#include "arch/x86_64/trap.h"

size_t console_read_line(char *buf, size_t cap)
{
	size_t len = 0;
	for (;;) {
		char c = serial_getc();
		if (c == '\r' || c == '\n') {
			serial_putc('\n');
			buf[len] = '\0';
			return len;
		}
		if (c == 0x7f || c == 0x08) {
			if (len) {
				len--;
				serial_write("\b \b", 3);
			}
			continue;
		}
		if ((unsigned char)c < 0x20 || len + 1 >= cap)
			continue; /* other control keys are ignored; overlong lines are cut */
		buf[len++] = c;
		serial_putc(c);
	}
}

struct command {
	const char *name;
	const char *help;
	void (*run)(const char *args);
};

static void cmd_help(const char *args);

static void cmd_echo(const char *args) { kprintf("%s\n", args); }

static void cmd_mem(const char *args)
{
	(void)args;
	const struct boot_info *bi = boot_info();
	for (unsigned i = 0; i < bi->region_count; i++)
		kprintf("  %p-%p %s\n", (void *)bi->regions[i].base,
			(void *)(bi->regions[i].base + bi->regions[i].len), mem_type_name(bi->regions[i].type));
	kprintf("usable: %lu KiB, frames free: %lu of %lu\n", bootinfo_usable_bytes(bi) / 1024,
		frames_free_count(), frames_managed_count());
}

static void cmd_cmdline(const char *args)
{
	(void)args;
	kprintf("%s\n", boot_info()->cmdline);
}

static void cmd_ticks(const char *args)
{
	(void)args;
	kprintf("tsc: %lu\n", rdtsc());
}

/* In asm: a C division by zero is undefined, and clang may rewrite it. */
static void divide_by_zero(void *arg)
{
	(void)arg;
	__asm__ volatile("xorl %%edx, %%edx; movl $1, %%eax; divl %0" ::"r"(0) : "eax", "edx");
}

static void cmd_fault(const char *args)
{
	(void)args;
	struct fault_point fp;
	int v = kfault_try(&fp, divide_by_zero, NULL);
	kprintf("caught exception %d (%s); the console keeps running\n", v - 1,
		exception_name((uint64_t)(v - 1)));
}

static void cmd_shutdown(const char *args)
{
	(void)args;
	kprintf("shutting down\n");
	qemu_exit(QEMU_EXIT_SUCCESS);
}

static bool restart_asked;

static void cmd_restart(const char *args)
{
	(void)args;
	restart_asked = true;
}

static const struct command commands[] = {
	{"restart", "start the entry crate again", cmd_restart},
	{"help", "list the commands", cmd_help},
	{"echo", "echo TEXT: print TEXT", cmd_echo},
	{"mem", "the memory map and free frames", cmd_mem},
	{"cmdline", "the kernel command line", cmd_cmdline},
	{"ticks", "the time-stamp counter", cmd_ticks},
	{"fault", "raise a CPU exception and recover from it", cmd_fault},
	{"shutdown", "power off (ends QEMU)", cmd_shutdown},
};

static void cmd_help(const char *args)
{
	(void)args;
	kprintf("nano-core console commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		kprintf("  %-10s %s\n", commands[i].name, commands[i].help);
}

void console_run(void)
{
	char line[256];
	for (restart_asked = false; !restart_asked;) {
		kprintf(CONSOLE_PROMPT);
		size_t n = console_read_line(line, sizeof line);
		char *p = line;
		while (*p == ' ')
			p++;
		if (!*p)
			continue;
		char *args = p;
		while (*args && *args != ' ')
			args++;
		size_t wlen = (size_t)(args - p);
		while (*args == ' ')
			args++;
		const struct command *c = NULL;
		for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
			if (strlen(commands[i].name) == wlen && !strncmp(commands[i].name, p, wlen))
				c = &commands[i];
		if (c)
			c->run(args);
		else {
			p[wlen] = '\0';
			kprintf("unknown command: %s (type help)\n", p);
		}
		(void)n;
	}
}
