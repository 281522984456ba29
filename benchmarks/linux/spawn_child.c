/* The program the Linux spawn figure forks and executes: it exits at once.
 * Built -static -nostdlib so that the figure is the kernel's cost of
 * fork + exec + exit + wait, not the C library's start-up. */
__attribute__((noreturn)) void _start(void);
__attribute__((noreturn)) void _start(void)
{
	__asm__ volatile("syscall" ::"a"(231 /* exit_group */), "D"(0));
	__builtin_unreachable();
}
