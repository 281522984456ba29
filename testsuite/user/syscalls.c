/* Checks system call semantics one by one; prints "syscalls: N ok, M
 * failed" and exits with the number of failures. Meant to pass on Linux
 * too (build it the same way and run it there). */
#include "sys.h"

static int failed, passed;

static void check(int ok, const char *what)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	say("syscalls: FAILED ");
	say(what);
	say("\n");
}

int main(void)
{
	char buf[512];
	/* getpid / getppid / getuid */
	i64 pid = sys3(39, 0, 0, 0);
	check(pid > 0, "getpid > 0");
	check(sys3(186, 0, 0, 0) == pid, "gettid == getpid (one thread)");
	check(sys3(110, 0, 0, 0) >= 0, "getppid >= 0");
	check(sys3(102, 0, 0, 0) >= 0, "getuid >= 0");
	/* write: count, bad pointer, bad fd */
	check(sys3(1, 1, (u64)"syscalls: write ok\n", 19) == 19, "write returns its count");
	check(sys3(1, 1, 0, 1) == -14, "write(NULL) is -EFAULT");
	check(sys3(1, 1, 0xFFFFFFFF80000000ul, 8) == -14, "write(kernel address) is -EFAULT");
	check(sys3(1, 987, (u64)"x", 1) == -9, "write(bad fd) is -EBADF");
	check(sys3(1, 1, (u64)buf, 0) == 0, "write of 0 bytes is 0");
	/* writev */
	struct { u64 base, len; } iov[2] = {{(u64)"syscalls: ", 10}, {(u64)"writev ok\n", 10}};
	check(sys3(20, 1, (u64)iov, 2) == 20, "writev returns the sum");
	check(sys3(20, 1, 0x10, 2) == -14, "writev(bad iovec) is -EFAULT");
	/* read at end of input */
	check(sys3(0, 0, (u64)buf, sizeof buf) == 0 || sys3(0, 0, (u64)buf, 0) == 0, "read(0, buf, 0) is 0");
	/* uname */
	check(sys3(63, (u64)buf, 0, 0) == 0 && buf[0] == 'L', "uname says Linux");
	check(sys3(63, 0x10, 0, 0) == -14, "uname(bad pointer) is -EFAULT");
	/* brk: query, grow, use, shrink */
	u64 b0 = (u64)sys3(12, 0, 0, 0);
	check(b0 != 0, "brk(0) is the break");
	u64 b1 = (u64)sys3(12, b0 + 3 * 4096 + 5, 0, 0);
	check(b1 == b0 + 3 * 4096 + 5, "brk grows");
	volatile char *p = (volatile char *)b0;
	p[0] = 1;
	p[3 * 4096] = 2;
	check(p[0] == 1 && p[3 * 4096] == 2, "grown break is memory");
	check((u64)sys3(12, b0, 0, 0) == b0, "brk shrinks");
	/* mmap anonymous, touch, munmap */
	i64 m = sys6(9, 0, 8192, 3, 0x22, (u64)-1, 0);
	check(m > 0 && m % 4096 == 0, "mmap anonymous");
	if (m > 0) {
		volatile u64 *q = (volatile u64 *)m;
		check(q[0] == 0 && q[1023] == 0, "mmap memory is zeroed");
		q[512] = 7;
		check(q[512] == 7, "mmap memory is writable");
		check(sys3(11, (u64)m, 8192, 0) == 0, "munmap");
	}
	check(sys6(9, 0, 4096, 3, 0x02, 3, 0) < 0, "mmap of a file is refused here");
	/* munmap of a terabyte with nothing in it: 0, and at once. */
	check(sys3(11, 0x7e0000000000ul, 1ul << 40, 0) == 0, "munmap of an empty terabyte");
	/* arch_prctl(ARCH_SET_FS) then read %fs:0 */
	static u64 tls[4];
	tls[0] = 0x1234;
	check(sys3(158, 0x1002, (u64)tls, 0) == 0, "arch_prctl(ARCH_SET_FS)");
	u64 v;
	__asm__ volatile("movq %%fs:0, %0" : "=r"(v));
	check(v == 0x1234, "FS base is used");
	/* ioctl TCGETS: not a terminal */
	check(sys3(16, 1, 0x5401, (u64)buf) == -25, "ioctl(TCGETS) is -ENOTTY");
	/* clock_gettime: monotonic advances */
	i64 t0[2], t1[2];
	check(sys3(228, 1, (u64)t0, 0) == 0, "clock_gettime");
	for (volatile int i = 0; i < 100000; i++)
		;
	sys3(228, 1, (u64)t1, 0);
	check(t1[0] > t0[0] || (t1[0] == t0[0] && t1[1] > t0[1]), "the monotonic clock advances");
	check(sys3(228, 1, 0x10, 0) == -14, "clock_gettime(bad pointer) is -EFAULT");
	/* signals: accepted */
	check(sys6(13, 2, 0, (u64)buf, 8, 0, 0) == 0, "rt_sigaction (query)");
	check(sys6(14, 0, 0, (u64)buf, 8, 0, 0) == 0, "rt_sigprocmask (query)");
	/* set_tid_address returns the tid */
	check(sys3(218, (u64)buf, 0, 0) == pid, "set_tid_address returns the tid");
	/* unknown: -ENOSYS */
	check(sys3(999, 0, 0, 0) == -38, "unknown system call is -ENOSYS");
	say("syscalls: ");
	say_num(passed);
	say(" ok, ");
	say_num(failed);
	say(" failed\n");
	exit_with(failed);
}
