/* Internal declarations shared by the nano-core's own files.
 * Crates never see this header; their view is kernel/include/theseus/. */
#ifndef THESEUS_KERNEL_H
#define THESEUS_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/boot_layout.h"
#include "lib/klib.h"
#include <theseus/console.h>
#include <theseus/result.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define PAGE_SIZE 4096ull
#define PAGE_2M (2ull << 20)

/* serial.c: COM1 */
void serial_init(void);
void serial_putc(char c);
void serial_write(const char *s, size_t n);
/* serial_write, begun on a line of its own. */
void serial_write_line(const char *s, size_t n);
/* Hold console output back (on), or send what was held and stop (off). */
void serial_hold(bool on);
/* How much output the console has taken, and whether it ended a line. */
struct console_mark serial_output_mark(void);
bool serial_try_getc(char *out);
char serial_getc(void);
bool serial_loopback_selftest(const char *bytes, size_t n);

/* kprintf.c */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* qemu.c: isa-debug-exit. QEMU exits with status (code << 1) | 1. */
enum qemu_exit_code {
	QEMU_EXIT_SUCCESS = 0x10, /* status 33 */
	QEMU_EXIT_FAILURE = 0x11, /* status 35 */
};
[[noreturn]] void qemu_exit(enum qemu_exit_code code);

/* Physical memory: 0..1 GiB is reachable through the boot window (where
 * the nano-core image lies too), the rest through the physmap that
 * paging_map_physmap builds at PHYSMAP_BASE. Frames handed out as one run
 * never straddle the two (frames_alloc_contig). */
static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(pa < KERNEL_WINDOW_SIZE ? pa + KERNEL_VMA : pa + PHYSMAP_BASE);
}
static inline uint64_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - PHYSMAP_BASE;
}

/* Symbols from the linker script. */
extern char __kernel_phys_start[], __kernel_phys_end[], __kernel_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];
extern const char __kernel_symbols_start[], __kernel_symbols_end[];

#endif
