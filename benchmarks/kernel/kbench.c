/* In-kernel benchmarks: the record kind for the runner (records.c), and
 * the API benchmarks call: samples, statistics and the KBENCH result lines
 * (benchmarks/README.md). */
#include "core/records.h"
#include "core/bootinfo.h"
#include "core/cmdline.h"
#include "core/export.h"
#include "core/fault.h"
#include "core/frames.h"
#include "arch/x86_64/x86.h"

extern const struct record __kbench_start[], __kbench_end[];
_Static_assert(sizeof(struct kbench) == sizeof(struct record), "a kbench is a record");

#define KBENCH_DEFAULT_ITERATIONS 1000
#define KBENCH_MAX_SAMPLES 65536 /* 512 KiB of samples */
#define KBENCH_MAX_NOTES 8
/* Samples are kept in hundredths of a cycle: a batched mean keeps two
 * decimals, which matters for operations of a few cycles. */
#define CENTI 100

struct kbench_note_rec {
	const char *key;
	uint64_t value;
};

struct kbench_ctx {
	uint64_t iterations;
	uint64_t *samples; /* shared by every benchmark of the run */
	uint64_t cap;
	uint64_t count;
	uint64_t batch;   /* largest ops per sample since the last report */
	uint64_t dropped; /* samples beyond cap */
	struct kbench_note_rec notes[KBENCH_MAX_NOTES];
	unsigned note_count;
	bool failed;
	char reason[160];
};

static uint64_t the_kmain_tsc;

uint64_t kbench_kmain_tsc(void) { return the_kmain_tsc; }

/* The run's shared state: the sample buffer and the iteration count. */
static struct {
	uint64_t iterations;
	uint64_t *samples;
	uint64_t cap;
} run;

/* ---- the API benchmarks call ------------------------------------------ */

KERNEL_EXPORT uint64_t kbench_iterations(const struct kbench_ctx *b) { return b->iterations; }

KERNEL_EXPORT void kbench_sample(struct kbench_ctx *b, uint64_t cycles, uint64_t ops)
{
	if (ops == 0)
		ops = 1;
	if (b->count >= b->cap) {
		b->dropped++;
		return;
	}
	b->samples[b->count++] = (cycles * CENTI + ops / 2) / ops;
	if (ops > b->batch)
		b->batch = ops;
}

KERNEL_EXPORT void kbench_note(struct kbench_ctx *b, const char *key, uint64_t value)
{
	if (b->note_count < KBENCH_MAX_NOTES)
		b->notes[b->note_count++] = (struct kbench_note_rec){key, value};
}

static void reset(struct kbench_ctx *b)
{
	b->count = 0;
	b->batch = 0;
	b->dropped = 0;
	b->note_count = 0;
}

static int sample_cmp(const void *a, const void *b, void *ctx)
{
	(void)ctx;
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void print_centi(const char *key, uint64_t v)
{
	if (v % CENTI)
		kprintf(" %s=%lu.%02lu", key, v / CENTI, v % CENTI);
	else
		kprintf(" %s=%lu", key, v / CENTI);
}

KERNEL_EXPORT void kbench_report(struct kbench_ctx *b, const char *name)
{
	if (b->count == 0) {
		kprintf("KBENCH SKIP %s no samples were taken\n", name);
		reset(b);
		return;
	}
	uint64_t *v = b->samples, n = b->count;
	heap_sort(v, n, sizeof *v, sample_cmp, NULL);
	uint64_t median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	kprintf("KBENCH RESULT name=%s unit=cycles", name);
	print_centi("median", median);
	print_centi("min", v[0]);
	print_centi("max", v[n - 1]);
	kprintf(" n=%lu batch=%lu", n, b->batch);
	if (b->dropped)
		kprintf(" dropped=%lu", b->dropped);
	for (unsigned i = 0; i < b->note_count; i++)
		kprintf(" %s=%lu", b->notes[i].key, b->notes[i].value);
	kprintf("\n");
	reset(b);
}

KERNEL_EXPORT void kbench_report_str(struct kbench_ctx *b, struct str name)
{
	char text[96];
	size_t n = name.len < sizeof text - 1 ? name.len : sizeof text - 1;
	memcpy(text, name.ptr, n);
	text[n] = '\0';
	kbench_report(b, text);
}
KEXPORT(kbench_report_str);

KERNEL_EXPORT void kbench_skip(struct kbench_ctx *b, const char *name, const char *reason)
{
	kprintf("KBENCH SKIP %s %s\n", name, reason);
	reset(b);
}

KERNEL_EXPORT void kbench_skip_str(struct kbench_ctx *b, struct str name, struct str reason)
{
	char n[96], r[160];
	kbench_skip(b, text_to_cstr(name.ptr, name.len, n, sizeof n) ? n : "?",
		    text_to_cstr(reason.ptr, reason.len, r, sizeof r) ? r : "(reason too long)");
}
KEXPORT(kbench_skip_str);

KERNEL_EXPORT void kbench_fail(struct kbench_ctx *b, const char *reason)
{
	if (!b->failed)
		ksnprintf(b->reason, sizeof b->reason, "%s", reason);
	b->failed = true;
}

KEXPORT(kbench_iterations);
KEXPORT(kbench_sample);
KEXPORT(kbench_note);
KEXPORT(kbench_report);
KEXPORT(kbench_skip);
KEXPORT(kbench_fail);

/* ---- facts about the run ----------------------------------------------- */

/* TSC ticks in 10 ms of the PIT's channel 2 (the speaker channel, which
 * nothing else uses); 0 when the PIT does not answer. */
static uint64_t tsc_ticks_per_pit_window(void)
{
	const uint64_t ticks = 11932; /* 10 ms at 1.193182 MHz */
	uint8_t port61 = inb(0x61);
	outb(0x61, (uint8_t)((port61 & ~0x02) | 0x01)); /* gate on, speaker off */
	outb(0x43, 0xB0);                               /* channel 2, lo/hi byte, mode 0 */
	outb(0x42, ticks & 0xff);
	outb(0x42, (uint8_t)(ticks >> 8));
	uint64_t t0 = kbench_now();
	uint64_t spins = 0;
	while (!(inb(0x61) & 0x20))
		if (++spins > 100000000)
			break;
	uint64_t t1 = kbench_now();
	outb(0x61, port61);
	return spins > 100000000 ? 0 : t1 - t0;
}

/* TSC ticks per second against the PIT. Under TCG both clocks follow host
 * time, with -icount both follow the instruction count. A host that
 * deschedules QEMU inside a window skews that window, so this is the
 * median of five. */
static uint64_t tsc_hz_from_pit(void)
{
	uint64_t w[5];
	for (unsigned i = 0; i < 5; i++)
		w[i] = tsc_ticks_per_pit_window();
	for (unsigned i = 1; i < 5; i++)
		for (unsigned j = i; j > 0 && w[j - 1] > w[j]; j--) {
			uint64_t x = w[j];
			w[j] = w[j - 1];
			w[j - 1] = x;
		}
	return w[2] * 1193182 / 11932;
}

/* ---- running ------------------------------------------------------------ */

static bool run_bench(const struct record *r, char *why, size_t cap)
{
	struct kbench_ctx ctx = {.iterations = run.iterations, .samples = run.samples, .cap = run.cap};
	struct crate_call c = {.address = (uint64_t)r->fn, .shape = FN_VOID_PTR, .p = &ctx};
	struct fault_report fault;
	if (!protected_call(&c, &fault)) {
		fault_describe(&fault, why, cap);
		return false;
	}
	if (ctx.count)
		kbench_report(&ctx, r->name); /* samples the benchmark did not report */
	copy_cstr(why, cap, ctx.reason);
	return !ctx.failed;
}

static void print_run_facts(void)
{
	kprintf("KBENCH INFO iters=%lu\n", run.iterations);
	kprintf("KBENCH INFO tsc_at_kmain=%lu\n", the_kmain_tsc);
	kprintf("KBENCH INFO tsc_hz=%lu\n", tsc_hz_from_pit());
	if (run.iterations > run.cap)
		kprintf("KBENCH INFO samples_capped_at=%lu\n", run.cap);
}

static const struct record_kind benchmarks = {
	.tag = "KBENCH",
	.section = ".kbench",
	.own = __kbench_start,
	.own_end = __kbench_end,
	.manual_flag = KBENCH_MANUAL,
	.first_flag = KBENCH_FIRST,
	.pass_word = "DONE",
	.ran_word = "ran",
	.run = run_bench,
	.after_first = print_run_facts,
};

void kbench_run(const char *selector, const char *after, uint64_t kmain_tsc)
{
	the_kmain_tsc = kmain_tsc;
	char word[24] = "";
	cmdline_get(boot_info()->cmdline, "bench_iters", word, sizeof word);
	run.iterations = KBENCH_DEFAULT_ITERATIONS;
	(void)parse_u64(word, strlen(word), &run.iterations); /* absent or bad: the default */
	if (run.iterations == 0)
		run.iterations = 1;
	run.cap = run.iterations < KBENCH_MAX_SAMPLES ? run.iterations : KBENCH_MAX_SAMPLES;
	struct frame_result buf = frames_alloc_contig(ALIGN_UP(run.cap * sizeof(uint64_t), PAGE_SIZE) / PAGE_SIZE);
	if (buf.err != E_OK) {
		kprintf("KBENCH BEGIN 0\nKBENCH END 0 ran, 1 failed\n");
		kprintf("kbench: no memory for %lu samples\n", run.cap);
		qemu_exit(QEMU_EXIT_FAILURE);
	}
	run.samples = phys_to_virt(buf.value);
	records_run(&benchmarks, selector, after);
}
