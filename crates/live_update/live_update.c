/* live_update: the target end of `./theseus push`. A task that listens on
 * COM2 for frames
 *
 *     THESEUS-PUSH 1 <size>\n<size bytes: an archive holding one crate>
 *
 * hands each image to the evolution crate (evolution_push: checked like the
 * boot archive, swapped in for the running crate of its name) and answers
 * with one line, `push: ok ...` or `push: error ...`.
 *
 * Keeps no state between frames: the buffer of one frame is the task's,
 * freed before the next. Its task never returns by itself, so a new
 * version takes over as a task-crate version does: this one is retired
 * (live_update_share), and the loop, between two frames, sees that and
 * steps out (E_AGAIN); the task crate calls live_update_main again, in
 * the new version, which goes on listening where this one stopped
 * (live_update_migrate: COM2 is set up already, and its bytes are not
 * thrown away). A push of live_update itself is taken that way. */
#include <theseus/alloc.h>
#include <theseus/console.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include <theseus/portio.h>
#include <theseus/uart16550.h>
#include "evolution.h"
#include "fmt.h"
#include "live_update.h"
#include "task.h"
#include "timer.h"

CRATE("live_update", "1.0.0", "receives crates pushed from the host on COM2 and swaps them in", "", "",
      "evolution,fmt,heap,task,timer");

/* Set by live_update_migrate: the receiver was listening in the version
 * replaced, so this one takes over COM2 as it is. */
static bool taking_over;
/* The receiver's loop runs (in this version). */
static bool listening;

/* What the next version is told: that COM2 is set up and listened to. */
struct live_update_share {
	bool listening;
};
#define LIVE_UPDATE_SHARE_FORMAT 1


#define HEADER "THESEUS-PUSH 1 "
#define HEADER_MAX 64
#define IDLE_POLL_TICKS 5
#define SPIN_POLLS 2000

/* Is there a UART at COM2? Its scratch register keeps what is written. */
static bool com2_present(void)
{
	port_out8(COM2 + UART_SCRATCH, 0x5A);
	if (port_in8(COM2 + UART_SCRATCH) != 0x5A)
		return false;
	port_out8(COM2 + UART_SCRATCH, 0xA5);
	return port_in8(COM2 + UART_SCRATCH) == 0xA5;
}

static void com2_init(void)
{
	port_out8(COM2 + UART_IER, 0x00); /* polled: no interrupts */
	port_out8(COM2 + UART_LCR, 0x80); /* divisor latch: 115200 baud */
	port_out8(COM2 + UART_DATA, 0x01);
	port_out8(COM2 + UART_IER, 0x00);
	port_out8(COM2 + UART_LCR, 0x03); /* 8N1 */
	port_out8(COM2 + UART_FCR, 0xC7); /* FIFOs on and cleared */
	port_out8(COM2 + UART_MCR, 0x03); /* DTR, RTS */
}

static bool com2_ready(void) { return port_in8(COM2 + UART_LSR) & LSR_DATA_READY; }

static void com2_write(struct str s)
{
	for (size_t i = 0; i < s.len; i++) {
		while (!(port_in8(COM2 + UART_LSR) & LSR_THR_EMPTY))
			task_yield();
		port_out8(COM2 + UART_DATA, (uint8_t)str_at(s, i));
	}
}

static void reply(const struct fmt_line *line)
{
	com2_write(fmt_view(line));
	com2_write(STR("\n"));
	/* The console tells the same story to whoever watches the guest. */
	kernel_console_write(STR("live_update: "));
	kernel_console_write(fmt_view(line));
	kernel_console_write(STR("\n"));
}

static void reply_error(struct str what, struct str detail)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("push: error "));
	fmt_str(&line, what);
	fmt_str(&line, detail);
	reply(&line);
}

/* The next byte, waiting at most LIVE_UPDATE_STALL_MS; false on a stall. */
static bool read_byte(uint8_t *out)
{
	uint64_t since = timer_uptime_ms();
	for (unsigned polls = 0; !com2_ready(); polls++) {
		if (timer_uptime_ms() - since > LIVE_UPDATE_STALL_MS)
			return false;
		/* QEMU refills the 16-byte FIFO soon after it empties: poll a
		 * while before giving up the tick. */
		if (polls >= SPIN_POLLS) {
			task_sleep_ticks(1);
			polls = 0;
		}
	}
	*out = port_in8(COM2 + UART_DATA);
	return true;
}

/* One header line (the first byte is waiting). False, answered, when it
 * is not a header: the line is dropped and listening goes on. */
static bool read_header(uint64_t *size)
{
	char text[HEADER_MAX];
	size_t len = 0;
	for (;;) {
		uint8_t b;
		if (!read_byte(&b)) {
			reply_error(STR("the header line stopped arriving"), STR_EMPTY);
			return false;
		}
		if (b == '\r')
			continue;
		if (b == '\n')
			break;
		if (len == sizeof text) {
			/* Not ours: swallow the rest of the line. */
			while (read_byte(&b) && b != '\n') {
			}
			reply_error(STR("header line too long"), STR_EMPTY);
			return false;
		}
		text[len++] = (char)b;
	}
	struct str line = STR_FROM_ARRAY(text, len);
	struct str magic = STR(HEADER);
	if (line.len < magic.len || !str_eq(str_sub(line, 0, magic.len), magic) ||
	    !fmt_parse_u64(str_sub(line, magic.len, line.len - magic.len), 10, size)) {
		reply_error(STR("not a push header (expected \"THESEUS-PUSH 1 <size>\"): "),
			    str_sub(line, 0, line.len < 40 ? line.len : 40));
		return false;
	}
	return true;
}

/* Read and drop `n` bytes (a frame refused before its payload). */
static void skip_bytes(uint64_t n)
{
	uint8_t b;
	while (n-- && read_byte(&b)) {
	}
}

static void report(struct status s, const struct push_report *r)
{
	struct fmt_line line;
	fmt_clear(&line);
	if (s.err != E_OK) {
		/* The verdict first: a long reason is what a full line cuts. */
		fmt_str(&line, STR("push: error "));
		fmt_str(&line, KERR_STR(s.err));
		fmt_str(&line, STR(", nothing changed: "));
		if (r->crate[0]) {
			fmt_str(&line, STR_FROM_CSTR_ARRAY(r->crate));
			fmt_str(&line, STR(": "));
		}
		fmt_str(&line, STR_FROM_CSTR_ARRAY(r->why.text));
		reply(&line);
		return;
	}
	fmt_str(&line, STR("push: ok "));
	fmt_str(&line, STR_FROM_CSTR_ARRAY(r->crate));
	fmt_char(&line, ' ');
	fmt_str(&line, STR_FROM_CSTR_ARRAY(r->new_version));
	if (r->replaced) {
		fmt_str(&line, STR(" replaced "));
		fmt_str(&line, STR_FROM_CSTR_ARRAY(r->old_crate));
		fmt_char(&line, ' ');
		fmt_str(&line, STR_FROM_CSTR_ARRAY(r->old_version));
		fmt_str(&line, STR(" in "));
	} else {
		fmt_str(&line, STR(" was not running; loaded in "));
	}
	fmt_u64(&line, timer_cycles_to_ns(r->cycles) / 1000);
	fmt_str(&line, STR(" us ("));
	fmt_u64(&line, r->cycles);
	fmt_str(&line, STR(" cycles)"));
	reply(&line);
}

static void receive_frame(void)
{
	uint64_t size;
	if (!read_header(&size))
		return;
	if (size == 0 || size > LIVE_UPDATE_MAX_IMAGE) {
		struct fmt_line detail;
		fmt_clear(&detail);
		fmt_u64(&detail, size);
		fmt_str(&detail, STR(" bytes (at most "));
		fmt_u64(&detail, LIVE_UPDATE_MAX_IMAGE);
		fmt_char(&detail, ')');
		skip_bytes(size);
		reply_error(STR("image size out of range: "), fmt_view(&detail));
		return;
	}
	struct bytes image = {};
	if (!status_ok(heap_new_bytes((size_t)size, task_current(), &image))) {
		skip_bytes(size);
		reply_error(STR("out of memory for the image"), STR_EMPTY);
		return;
	}
	size_t got = 0;
	for (; got < image.len; got++) {
		uint8_t b;
		if (!read_byte(&b))
			break;
		bytes_set(image, got, b);
	}
	if (got < image.len) {
		struct fmt_line detail;
		fmt_clear(&detail);
		fmt_u64(&detail, got);
		fmt_str(&detail, STR(" of "));
		fmt_u64(&detail, image.len);
		fmt_str(&detail, STR(" bytes came; the push was dropped"));
		reply_error(STR("the image stopped arriving: "), fmt_view(&detail));
	} else {
		struct push_report r;
		struct status s = evolution_push(STR_OF_BYTES(image), &r);
		report(s, &r);
	}
	if (!status_ok(heap_free_bytes(&image)))
		kernel_console_write(STR("live_update: freeing the image buffer failed\n"));
}

CRATE_EXPORT struct status live_update_main(struct str args)
{
	(void)args;
	if (taking_over) {
		taking_over = false;
		kernel_console_write(STR("live_update: the new version listens on COM2\n"));
	} else {
		if (!com2_present()) {
			kernel_console_write(STR("live_update: no COM2 here, nothing to listen on\n"));
			return STATUS(E_NOENT);
		}
		com2_init();
		while (com2_ready()) /* whatever came before we listened */
			(void)port_in8(COM2 + UART_DATA);
		com2_write(STR("live_update: ready\n"));
		kernel_console_write(STR("live_update: listening on COM2\n"));
	}
	listening = true;
	for (;;) {
		/* Between two frames: a version that was replaced steps out. */
		if (kernel_crate_caller_retired())
			return STATUS(E_AGAIN);
		if (com2_ready())
			receive_frame();
		else
			task_sleep_ticks(IDLE_POLL_TICKS);
	}
}

/* A replacement of this crate: its receiver loop runs on in this version
 * until it next looks (above), so this version is retired, not waited
 * for. */
CRATE_EXPORT struct status live_update_share(void)
{
	struct live_update_share share = {listening};
	return HANDOVER_PUT_RECORD(struct live_update_share, &share, LIVE_UPDATE_SHARE_FORMAT);
}

CRATE_EXPORT struct status live_update_migrate(uint32_t from_major)
{
	(void)from_major;
	struct live_update_share share = {};
	struct status s = HANDOVER_GET_RECORD(struct live_update_share, &share, LIVE_UPDATE_SHARE_FORMAT);
	if (s.err == E_NOENT)
		return STATUS_OK; /* nothing listened: the receiver starts afresh */
	if (!status_ok(s))
		return s;
	taking_over = share.listening;
	return STATUS_OK;
}
