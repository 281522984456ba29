/* The Linux baseline: the workloads of the in-kernel benchmarks done the
 * Linux way, timed with rdtsc inside the same QEMU and printed in the same
 * line format (benchmarks/README.md), so the host parses both guests alike.
 *
 *   linux_bench ITERATIONS [MODULE.ko]
 *
 * Started by the initramfs /init (benchmarks/linux/init.sh) as a static
 * program; it needs /spawn_child (a do-nothing static program) for the
 * spawn figure and the module file for the load figure. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Tiny operations are timed in batches: one sample is the mean over BATCH
 * calls, so rdtsc's own cost and resolution do not dominate. The in-kernel
 * benchmarks use the same batch size. */
#define BATCH 64

static inline uint64_t now(void)
{
	uint32_t lo, hi;
	/* lfence: earlier instructions finish before the timestamp is read */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

struct samples {
	double *v;
	size_t n;
	size_t batch;
};

static struct samples samples_new(size_t cap, size_t batch)
{
	struct samples s = {calloc(cap ? cap : 1, sizeof(double)), 0, batch};
	if (!s.v) {
		perror("linux_bench: calloc");
		exit(1);
	}
	return s;
}

static void sample(struct samples *s, uint64_t cycles) { s->v[s->n++] = (double)cycles / (double)s->batch; }

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* One result line; `extra` is "" or " key=value ...". Frees the samples. */
static void report(const char *name, struct samples *s, const char *extra)
{
	if (s->n == 0) {
		printf("KBENCH SKIP %s no samples\n", name);
	} else {
		qsort(s->v, s->n, sizeof *s->v, by_value);
		double median = s->n % 2 ? s->v[s->n / 2] : (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
		printf("KBENCH RESULT name=%s unit=cycles median=%.2f min=%.2f max=%.2f n=%zu batch=%zu%s\n",
		       name, median, s->v[0], s->v[s->n - 1], s->n, s->batch, extra);
	}
	fflush(stdout);
	free(s->v);
	s->v = NULL;
}

static void skip(const char *name, const char *why)
{
	printf("KBENCH SKIP %s %s\n", name, why);
	fflush(stdout);
}

/* ---- floors ------------------------------------------------------------ */

static void bench_rdtsc(size_t iters)
{
	struct samples s = samples_new(iters, BATCH);
	for (size_t i = 0; i < iters; i++) {
		uint64_t t0 = now();
		for (int k = 0; k < BATCH; k++)
			(void)now();
		sample(&s, now() - t0);
	}
	report("floor.rdtsc", &s, "");
}

__attribute__((noinline)) static void empty_function(void *arg) { __asm__ volatile("" ::"r"(arg) : "memory"); }
static void (*volatile call_target)(void *) = empty_function;

static void bench_call(size_t iters)
{
	struct samples s = samples_new(iters, BATCH);
	char line[176];
	void (*fn)(void *) = call_target;
	for (size_t i = 0; i < iters; i++) {
		uint64_t t0 = now();
		for (int k = 0; k < BATCH; k++)
			fn(line);
		sample(&s, now() - t0);
	}
	report("call.direct", &s, "");
}

/* ---- system calls, processes ------------------------------------------- */

static void bench_getpid(size_t iters)
{
	struct samples s = samples_new(iters, BATCH);
	for (size_t i = 0; i < iters; i++) {
		uint64_t t0 = now();
		for (int k = 0; k < BATCH; k++)
			(void)syscall(SYS_getpid); /* the raw call: no library caching */
		sample(&s, now() - t0);
	}
	report("syscall.getpid", &s, "");
}

static void bench_spawn(size_t iters)
{
	static char *const child_argv[] = {"/spawn_child", NULL};
	static char *const child_envp[] = {NULL};
	struct samples s = samples_new(iters, 1);
	for (size_t i = 0; i < iters; i++) {
		uint64_t t0 = now();
		pid_t pid = fork();
		if (pid == 0) {
			execve(child_argv[0], child_argv, child_envp);
			_exit(127);
		}
		int status = 0;
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
			free(s.v);
			skip("process.spawn_exit", "fork/exec/wait of /spawn_child failed");
			return;
		}
		sample(&s, now() - t0);
	}
	report("process.spawn_exit", &s, "");
}

/* Two processes on one CPU handing it back and forth with sched_yield: one
 * sample is a batch of yields by the parent, each of which runs the child
 * once, so a yield round is two switches. Both run SCHED_FIFO at the same
 * priority when allowed, where a yield strictly alternates them (CFS may
 * let a yielding task go on). The child counts its turns in shared memory:
 * partner_turns is printed, so a round that did not switch shows. */
static void bench_yield(size_t iters)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof one, &one); /* inherited by the child */
	struct sched_param fifo = {.sched_priority = 1}, normal = {.sched_priority = 0};
	bool is_fifo = sched_setscheduler(0, SCHED_FIFO, &fifo) == 0; /* inherited too */
	volatile uint64_t *turns = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *stop = turns == MAP_FAILED ? NULL : (volatile int *)(turns + 1);
	if (!stop) {
		skip("sched.yield_switch", "no shared memory");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		while (!*stop) {
			(*turns)++;
			sched_yield();
		}
		_exit(0);
	}
	if (pid < 0) {
		skip("sched.yield_switch", "fork failed");
		return;
	}
	struct samples s = samples_new(iters, 2 * BATCH);
	sched_yield(); /* let the child start */
	uint64_t before = *turns;
	for (size_t i = 0; i < iters; i++) {
		uint64_t t0 = now();
		for (int k = 0; k < BATCH; k++)
			sched_yield();
		sample(&s, now() - t0);
	}
	uint64_t partner = *turns - before;
	*stop = 1;
	waitpid(pid, NULL, 0);
	munmap((void *)turns, 4096);
	if (is_fifo)
		sched_setscheduler(0, SCHED_OTHER, &normal);
	char extra[128];
	snprintf(extra, sizeof extra, " parent_yields=%zu partner_turns=%llu policy=%s", iters * BATCH,
		 (unsigned long long)partner, is_fifo ? "fifo" : "other");
	report("sched.yield_switch", &s, extra);
}

/* A byte sent to a second process over one pipe and back over another:
 * a round trip is two writes, two reads and two context switches. */
static void bench_pipe(size_t iters)
{
	int there[2], back[2];
	if (pipe(there) || pipe(back)) {
		skip("pipe.roundtrip", "pipe failed");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		while (read(there[0], &c, 1) == 1 && c != 'q')
			if (write(back[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	struct samples s = samples_new(iters, 1);
	for (size_t i = 0; i < iters && pid > 0; i++) {
		char c = 'p';
		uint64_t t0 = now();
		if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			break;
		sample(&s, now() - t0);
	}
	if (pid > 0) {
		(void)!write(there[1], "q", 1);
		waitpid(pid, NULL, 0);
	}
	report("pipe.roundtrip", &s, "");
}

/* ---- memory ------------------------------------------------------------ */

static void bench_mmap(size_t iters)
{
	struct samples s = samples_new(iters, 1);
	for (size_t i = 0; i < iters; i++) {
		uint64_t t0 = now();
		volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			free(s.v);
			skip("memory.map_touch_unmap", "mmap failed");
			return;
		}
		p[0] = 1; /* the page fault that gives it a frame */
		munmap((void *)p, 4096);
		sample(&s, now() - t0);
	}
	report("memory.map_touch_unmap", &s, " bytes=4096");
}

static void bench_malloc(size_t iters)
{
	struct samples s = samples_new(iters, BATCH);
	void *volatile keep;
	for (size_t i = 0; i < iters; i++) {
		uint64_t t0 = now();
		for (int k = 0; k < BATCH; k++) {
			keep = malloc(32);
			free(keep);
		}
		sample(&s, now() - t0);
	}
	report("heap.alloc_free", &s, " bytes=32");
}

/* ---- module load: Linux's load+link of a relocatable object ------------- */

/* Relocations the kernel applies: those against allocated sections. */
static unsigned long count_relocations(const unsigned char *image, size_t size)
{
	if (size < sizeof(Elf64_Ehdr) || memcmp(image, ELFMAG, SELFMAG))
		return 0;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
	if (eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > size)
		return 0;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(image + eh->e_shoff);
	unsigned long n = 0;
	for (unsigned i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_RELA && sh[i].sh_entsize && sh[i].sh_info < eh->e_shnum &&
		    (sh[sh[i].sh_info].sh_flags & SHF_ALLOC))
			n += sh[i].sh_size / sh[i].sh_entsize;
	return n;
}

static void bench_module(size_t iters, const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		skip("module.load", "the module file is missing");
		return;
	}
	unsigned char *image = malloc((size_t)st.st_size);
	if (!image || read(fd, image, (size_t)st.st_size) != st.st_size) {
		skip("module.load", "cannot read the module file");
		return;
	}
	close(fd);
	/* The module's name: the file name without .ko */
	char name[64];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(name, sizeof name, "%.*s", (int)strcspn(base, "."), base);
	for (char *c = name; *c; c++)
		if (*c == '-')
			*c = '_';

	struct samples load = samples_new(iters, 1), unload = samples_new(iters, 1);
	const char *unload_failed = NULL;
	for (size_t i = 0; i < iters && !unload_failed; i++) {
		uint64_t t0 = now();
		if (syscall(SYS_init_module, image, (unsigned long)st.st_size, "")) {
			char why[96];
			snprintf(why, sizeof why, "init_module: %s", strerror(errno));
			free(load.v);
			free(unload.v);
			skip("module.load", why);
			return;
		}
		uint64_t t1 = now();
		sample(&load, t1 - t0);
		/* Unloaded again so the next load starts from nothing. */
		if (syscall(SYS_delete_module, name, O_NONBLOCK))
			unload_failed = strerror(errno);
		else
			sample(&unload, now() - t1);
	}
	char extra[128];
	snprintf(extra, sizeof extra, " bytes=%lld relocs=%lu module=%s", (long long)st.st_size,
		 count_relocations(image, (size_t)st.st_size), name);
	report("module.load", &load, extra);
	if (unload_failed) {
		char why[96];
		snprintf(why, sizeof why, "delete_module %s: %s", name, unload_failed);
		free(unload.v);
		skip("module.unload", why);
	} else {
		report("module.unload", &unload, "");
	}
	free(image);
}

/* ---- facts about this guest --------------------------------------------- */

/* TSC ticks per second, against CLOCK_MONOTONIC: turns cycles into time. */
static void print_tsc_hz(void)
{
	struct timespec a, b, pause = {0, 100 * 1000 * 1000};
	clock_gettime(CLOCK_MONOTONIC, &a);
	uint64_t t0 = now();
	nanosleep(&pause, NULL);
	uint64_t t1 = now();
	clock_gettime(CLOCK_MONOTONIC, &b);
	double seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("KBENCH INFO tsc_hz=%.0f\n", (double)(t1 - t0) / seconds);
}

static void print_file_info(const char *key, const char *path)
{
	char buf[200] = "";
	FILE *f = fopen(path, "r");
	if (f) {
		if (!fgets(buf, sizeof buf, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	printf("KBENCH INFO %s=%s\n", key, buf[0] ? buf : "unknown");
}

int main(int argc, char **argv)
{
	size_t iters = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	const char *module = argc > 2 ? argv[2] : "/lib/modules/crc16.ko";
	if (iters == 0)
		iters = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct utsname u;
	uname(&u);
	printf("KBENCH BEGIN linux iters=%zu\n", iters);
	printf("KBENCH INFO kernel=%s %s\n", u.release, u.version);
	print_tsc_hz();
	print_file_info("meltdown", "/sys/devices/system/cpu/vulnerabilities/meltdown");
	print_file_info("spectre_v2", "/sys/devices/system/cpu/vulnerabilities/spectre_v2");
	print_file_info("clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource");

	bench_rdtsc(iters);
	bench_call(iters);
	bench_getpid(iters);
	bench_malloc(iters);
	bench_mmap(iters);
	bench_pipe(iters);
	bench_yield(iters);
	bench_spawn(iters);
	bench_module(iters, module);
	printf("KBENCH END\n");
	return 0;
}
