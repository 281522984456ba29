/* COM1 16550 UART, polled. The console and the test protocol both run on
 * it, so output never depends on interrupts being set up. */
#include "kernel.h"
#include "arch/x86_64/x86.h"
#include <theseus/console.h>
#include <theseus/cpu.h>
#include <theseus/uart16550.h>

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);    /* no interrupts (for now) */
	outb(COM1 + UART_LCR, 0x80);    /* DLAB on */
	outb(COM1 + 0, 0x01);           /* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03);    /* 8N1, DLAB off */
	/* The FIFO control register is left as the firmware set it. Keys typed
	 * while QEMU started already wait in the receiver, and turning the
	 * FIFO on or off, or clearing it, drops them (QEMU flushes the
	 * receiver whenever the enable bit changes): "help" typed during boot
	 * reached the shell as "elp". Without a FIFO the receiver holds one
	 * byte and QEMU holds the rest back until it is read. */
	outb(COM1 + UART_MCR, 0x0B);    /* DTR, RTS, OUT2 */
}

static void uart_put_raw(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		cpu_relax();
	outb(COM1 + UART_DATA, (uint8_t)c);
}

static void put_char(char c)
{
	if (c == '\n')
		uart_put_raw('\r');
	uart_put_raw(c);
}

static void put_all(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_char(s[i]);
}

/* Every byte accepted for the console (sent or held), and whether the
 * last one ended a line: a line editor compares marks to see whether
 * another writer came between two of its writes. */
static uint64_t bytes_accepted;
static bool at_line_start = true;

static void note_accepted(const char *s, size_t n)
{
	if (n == 0)
		return;
	bytes_accepted += n;
	at_line_start = s[n - 1] == '\n';
}

struct console_mark serial_output_mark(void)
{
	bool irq = cpu_irq_save();
	struct console_mark mark = {bytes_accepted, at_line_start};
	cpu_irq_restore(irq);
	return mark;
}

void serial_putc(char c)
{
	bool irq = cpu_irq_save();
	note_accepted(&c, 1);
	put_char(c);
	cpu_irq_restore(irq);
}

/* Output held back (serial_hold): every byte to QEMU's UART is a host
 * write, some ten thousand cycles under TCG, and the lines a live swap
 * prints (the linker's, an init's) were most of its interrupts-off
 * window. Held bytes go out in order when the hold ends, when they would
 * overflow, or before a fatal report. */
#define HELD_MAX 4096
static char held[HELD_MAX];
static size_t held_len;
static bool holding;

void serial_hold(bool on)
{
	bool irq = cpu_irq_save();
	holding = on;
	if (!on) {
		put_all(held, held_len);
		held_len = 0;
	}
	cpu_irq_restore(irq);
}

/* One write is one piece of the console: interrupts stay off while it
 * goes out, so a task switch cannot put another task's line inside it (a
 * test record cut by a crate's load line). kprintf and the console write
 * at most a few hundred bytes at a time; QEMU's UART takes each at once. */
void serial_write(const char *s, size_t n)
{
	bool irq = cpu_irq_save();
	note_accepted(s, n);
	if (holding && n <= HELD_MAX - held_len) {
		memcpy(held + held_len, s, n);
		held_len += n;
	} else {
		put_all(held, held_len);
		held_len = 0;
		put_all(s, n);
	}
	cpu_irq_restore(irq);
}

/* A line of its own: a newline first when the console is in the middle
 * of one (a prompt, a half-typed command), checked and written with
 * interrupts off so that no other writer comes between. */
void serial_write_line(const char *s, size_t n)
{
	bool irq = cpu_irq_save();
	if (!at_line_start)
		serial_write("\n", 1);
	serial_write(s, n);
	cpu_irq_restore(irq);
}

bool serial_try_getc(char *out)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		return false;
	*out = (char)inb(COM1 + UART_DATA);
	return true;
}

char serial_getc(void)
{
	char c;
	while (!serial_try_getc(&c))
		cpu_relax();
	return c;
}

/* Loopback mode routes the transmitter straight back to the receiver:
 * proves both directions of the UART work without a host peer. */
bool serial_loopback_selftest(const char *bytes, size_t n)
{
	bool ok = true;
	char c;
	while (serial_try_getc(&c)) /* drain pending input first */
		;
	outb(COM1 + UART_MCR, 0x0B | MCR_LOOPBACK);
	for (size_t i = 0; i < n && ok; i++) {
		uart_put_raw(bytes[i]);
		uint64_t spins = 0;
		while (!serial_try_getc(&c) && ++spins < 10000000)
			cpu_relax();
		ok = spins < 10000000 && c == bytes[i];
	}
	outb(COM1 + UART_MCR, 0x0B);
	return ok;
}
