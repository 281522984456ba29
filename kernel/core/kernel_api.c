/* The nano-core functions crates may call. Each is KERNEL_EXPORT (a global
 * symbol of nano_core.elf, so mkimage lists it in the archive) and KEXPORT
 * (an entry in .kexports, so the runtime linker finds it at run time).
 * Their declarations are the trusted headers in kernel/include/theseus/. */
#include "kernel.h"
#include "export.h"
#include <theseus/console.h>

KERNEL_EXPORT void kernel_console_write(struct str text)
{
	serial_write(text.ptr, text.len);
}
KEXPORT(kernel_console_write);

KEXPORT(memcpy);
KEXPORT(memmove);
KEXPORT(memset);
KEXPORT(memcmp);
