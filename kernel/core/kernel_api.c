/* The nano-core functions crates may call. Each is KERNEL_EXPORT (a global
 * symbol of nano_core.elf, so mkimage lists it in the archive) and KEXPORT
 * (an entry in .kexports, so the runtime linker finds it at run time).
 * Their declarations are the trusted headers in kernel/include/theseus/. */
#include "kernel.h"
#include "export.h"
#include "bootinfo.h"
#include "cmdline.h"
#include <theseus/boot_options.h>
#include <theseus/console.h>
#include <theseus/cpu.h>

/* One call's text stays together on the line: a task switch cannot cut
 * into it. */
KERNEL_EXPORT void kernel_console_write(struct str text)
{
	bool irq = cpu_irq_save();
	serial_write(text.ptr, text.len);
	cpu_irq_restore(irq);
}
KEXPORT(kernel_console_write);

KERNEL_EXPORT void kernel_console_write_line(struct str text) { serial_write_line(text.ptr, text.len); }
KEXPORT(kernel_console_write_line);

KERNEL_EXPORT struct console_mark kernel_console_mark(void) { return serial_output_mark(); }
KEXPORT(kernel_console_mark);

/* The name of an error value, "E_NOMEM" etc. (kernel/linker/error.c). */
KEXPORT(kerr_name);

KEXPORT(memcpy);
KEXPORT(memmove);
KEXPORT(memset);
KEXPORT(memcmp);

KERNEL_EXPORT bool kernel_boot_option(struct str key, struct bytes out, size_t *len)
{
	char name[64], value[256];
	*len = 0;
	if (key.len == 0 || key.len >= sizeof name)
		return false;
	for (size_t i = 0; i < key.len; i++)
		if (key.ptr[i] == '\0' || key.ptr[i] == ' ' || key.ptr[i] == '=')
			return false;
	memcpy(name, key.ptr, key.len);
	name[key.len] = '\0';
	if (!cmdline_get(boot_info()->cmdline, name, value, sizeof value))
		return false;
	size_t n = strlen(value);
	if (n > out.len)
		return false;
	memcpy(out.ptr, value, n);
	*len = n;
	return true;
}
KEXPORT(kernel_boot_option);

KERNEL_EXPORT void kernel_power_off(void)
{
	kprintf("shutting down\n");
	qemu_exit(QEMU_EXIT_SUCCESS);
}
KEXPORT(kernel_power_off);

/* Keys of the line being typed, counted as each character is read, so
 * that the count holds whatever ends the reader: no window between
 * reading a key and noting it. A backspace takes one back (typed and
 * all rubbed out is no open line); an end of line closes it. */
static uint64_t console_line_keys;

KERNEL_EXPORT bool kernel_console_try_read_char(char *out)
{
	if (!serial_try_getc(out))
		return false;
	if (*out == '\r' || *out == '\n')
		console_line_keys = 0;
	else if (*out == 0x7f || *out == 0x08)
		console_line_keys -= console_line_keys > 0;
	else
		console_line_keys++;
	return true;
}
KEXPORT(kernel_console_try_read_char);

KERNEL_EXPORT bool kernel_console_line_open(void) { return console_line_keys > 0; }
KEXPORT(kernel_console_line_open);
