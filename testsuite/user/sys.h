/* Freestanding Linux x86-64 system calls for the test programs (no libc:
 * built with clang -nostdlib -static, see user/meson.build). */
#ifndef USER_SYS_H
#define USER_SYS_H

typedef unsigned long u64;
typedef long i64;

static inline i64 sys3(i64 n, u64 a, u64 b, u64 c)
{
	i64 r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static inline i64 sys6(i64 n, u64 a, u64 b, u64 c, u64 d, u64 e, u64 f)
{
	i64 r;
	register u64 r10 __asm__("r10") = d;
	register u64 r8 __asm__("r8") = e;
	register u64 r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

static inline u64 slen(const char *s)
{
	u64 n = 0;
	while (s[n])
		n++;
	return n;
}

static inline void say(const char *s) { sys3(1, 1, (u64)s, slen(s)); }

static inline void say_num(i64 v)
{
	char buf[24];
	int i = 23;
	int neg = v < 0;
	u64 u = neg ? (u64)-v : (u64)v;
	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (neg)
		buf[--i] = '-';
	say(buf + i);
}

[[noreturn]] static inline void exit_with(int code)
{
	for (;;)
		sys3(231, (u64)code, 0, 0);
}

/* The entry: the kernel starts a program with RSP 16-aligned (argc on
 * top); C functions expect it 8 off that at their first instruction. */
__attribute__((weak)) int main(void);
__attribute__((weak)) int main_args(u64 argc, char **argv);
/* main(), or main_args(argc, argv), and exit with what it returns. */
__attribute__((used)) static void start_c(u64 *sp)
{
	if (main_args)
		exit_with(main_args(sp[0], (char **)(sp + 1)));
	exit_with(main());
}
__asm__(".globl _start\n_start:\n\txorl %ebp, %ebp\n\tmovq %rsp, %rdi\n\tandq $-16, %rsp\n\tcall start_c\n\tud2\n");

#endif
