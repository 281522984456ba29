/* The in-kernel benchmark runner: selection, samples, statistics, and the
 * KBENCH line protocol (benchmarks/README.md). Laid out like the test
 * runner (ktest.c): records in .kbench.* sections, crates' records found by
 * loading the crates that have such a section. */
#include "kbench_runner.h"
#include "selector.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "crate_env.h"
#include "export.h"
#include "frames.h"
#include "arch/x86_64/x86.h"
#include "arch/x86_64/trap.h"

/* Defined by benchmarks/kernel/kbench.ld, which places .kbench.* */
extern const struct kbench __kbench_start[], __kbench_end[];

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

KERNEL_EXPORT void kbench_skip(struct kbench_ctx *b, const char *name, const char *reason)
{
	kprintf("KBENCH SKIP %s %s\n", name, reason);
	reset(b);
}

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

/* ---- selection and running ---------------------------------------------- */

/* "list" shows every benchmark, manual ones included. */
static bool selected(const struct kbench *k, const char *sel)
{
	return !strcmp(sel, "list") || selector_matches(sel, k->name, k->flags & KBENCH_MANUAL);
}

struct run_state {
	const char *selector;
	const char *after;
	bool skipping;
	bool list_only;
	uint64_t iterations;
	uint64_t *samples;
	uint64_t cap;
	unsigned ran, failed, counted;
};

struct kbench_call {
	const struct kbench *bench;
	struct kbench_ctx *ctx;
};

static void call_bench(void *arg)
{
	struct kbench_call *c = arg;
	c->bench->fn(c->ctx);
}

static void run_one(struct run_state *rs, const struct kbench *k)
{
	if (!selected(k, rs->selector))
		return;
	if (rs->list_only) {
		kprintf("KBENCH LIST %s%s\n", k->name, k->flags & KBENCH_MANUAL ? " manual" : "");
		return;
	}
	if (rs->skipping) {
		rs->skipping = strcmp(k->name, rs->after) != 0;
		return;
	}
	struct kbench_ctx ctx = {.iterations = rs->iterations, .samples = rs->samples, .cap = rs->cap};
	struct kbench_call call = {k, &ctx};
	struct fault_point fp;
	kprintf("KBENCH RUN %s\n", k->name);
	int vec = kfault_try(&fp, call_bench, &call);
	if (vec) {
		ksnprintf(ctx.reason, sizeof ctx.reason, "CPU exception %d (%s) at %p", vec - 1,
			  exception_name((uint64_t)(vec - 1)), (void *)fp.fault_rip);
		ctx.failed = true;
	} else if (ctx.count) {
		kbench_report(&ctx, k->name); /* samples the benchmark did not report */
	}
	if (ctx.failed) {
		rs->failed++;
		kprintf("KBENCH FAIL %s %s\n", k->name, ctx.reason);
	} else {
		rs->ran++;
		kprintf("KBENCH DONE %s\n", k->name);
	}
}

/* A loaded crate's benchmark records: every section named .kbench*. */
static void for_each_crate_bench(const struct loaded_crate *c, struct run_state *rs,
				 void (*fn)(struct run_state *, const struct kbench *))
{
	for (uint32_t i = 0; i < c->section_count; i++) {
		const struct crate_section *sec = &c->sections[i];
		if (strncmp(sec->name, ".kbench", 7) || !sec->vaddr)
			continue;
		const struct kbench *k = (const struct kbench *)sec->vaddr;
		for (uint64_t n = 0; n < sec->size / sizeof *k; n++)
			fn(rs, &k[n]);
	}
}

static void count_one(struct run_state *rs, const struct kbench *k)
{
	if (selected(k, rs->selector))
		rs->counted++;
}

static void run_crate_benches(struct run_state *rs)
{
	struct linker *l = crates_linker();
	if (!l)
		return;
	for (uint32_t id = 0; id < l->archive.crate_count; id++) {
		if (!linker_archive_crate_has_section(l, id, ".kbench"))
			continue;
		struct archive_crate ac = archive_crate_at(&l->archive, id);
		uint32_t loaded_id;
		struct link_error err;
		(void)linker_load_crate(l, ac.name, &loaded_id, &err);
		const struct loaded_crate *c = linker_crate(l, id);
		if (!c) {
			char why[200];
			link_error_format(&err, why, sizeof why);
			kprintf("KBENCH CRATE %s 1\nKBENCH RUN crate.%s.load\nKBENCH FAIL crate.%s.load %s\n",
				ac.name, ac.name, ac.name, why);
			rs->failed++;
			continue;
		}
		rs->counted = 0;
		for_each_crate_bench(c, rs, count_one);
		if (!rs->list_only)
			kprintf("KBENCH CRATE %s %u\n", ac.name, rs->counted);
		for_each_crate_bench(c, rs, run_one);
	}
}

void kbench_run(const char *selector, uint64_t kmain_tsc)
{
	the_kmain_tsc = kmain_tsc;
	const char *cmdline = boot_info()->cmdline;
	char word[64] = "", after[64] = "";
	cmdline_get(cmdline, "bench_iters", word, sizeof word);
	cmdline_get(cmdline, "bench_after", after, sizeof after);

	struct run_state rs = {
		.selector = selector,
		.after = after,
		.skipping = after[0] != 0,
		.list_only = !strcmp(selector, "list"),
		.iterations = KBENCH_DEFAULT_ITERATIONS,
	};
	(void)parse_u64(word, strlen(word), &rs.iterations); /* absent or bad: the default */
	if (rs.iterations == 0)
		rs.iterations = 1;
	rs.cap = rs.iterations < KBENCH_MAX_SAMPLES ? rs.iterations : KBENCH_MAX_SAMPLES;
	uint64_t pages = ALIGN_UP(rs.cap * sizeof(uint64_t), PAGE_SIZE) / PAGE_SIZE;
	struct frame_result buf = frames_alloc_contig(pages);
	if (buf.err != E_OK) {
		kprintf("KBENCH BEGIN 0\nKBENCH END 0 ran, 1 failed\n");
		kprintf("kbench: no memory for %lu samples\n", rs.cap);
		qemu_exit(QEMU_EXIT_FAILURE);
	}
	rs.samples = phys_to_virt(buf.value);

	unsigned count = 0;
	for (const struct kbench *k = __kbench_start; k < __kbench_end; k++)
		count += selected(k, selector);
	kprintf("KBENCH BEGIN %u iters=%lu\n", count, rs.iterations);

	/* Boot figures first: nothing may have run between kmain and them. */
	for (const struct kbench *k = __kbench_start; k < __kbench_end; k++)
		if (k->flags & KBENCH_FIRST)
			run_one(&rs, k);
	if (!rs.list_only) {
		kprintf("KBENCH INFO tsc_at_kmain=%lu\n", kmain_tsc);
		kprintf("KBENCH INFO tsc_hz=%lu\n", tsc_hz_from_pit());
		if (rs.iterations > rs.cap)
			kprintf("KBENCH INFO samples_capped_at=%lu\n", rs.cap);
	}
	for (const struct kbench *k = __kbench_start; k < __kbench_end; k++)
		if (!(k->flags & KBENCH_FIRST))
			run_one(&rs, k);
	run_crate_benches(&rs);

	kprintf("KBENCH END %u ran, %u failed\n", rs.ran, rs.failed);
	qemu_exit(rs.failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
}
