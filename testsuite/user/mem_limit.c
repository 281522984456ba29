/* The per-process memory limit (64 MiB here): a 128 MiB anonymous mmap
 * is -ENOMEM and a brk 1 GiB up keeps the old break, both at once; 8 MiB
 * still works afterwards. Exits 0 when all held. (Linux, which
 * overcommits, would grant the first two: this one is for this kernel.) */
#include "sys.h"

int main(void)
{
	i64 big = sys6(9, 0, 128ul << 20, 3, 0x22, (u64)-1, 0);
	u64 b0 = (u64)sys3(12, 0, 0, 0);
	u64 b1 = (u64)sys3(12, b0 + (1ul << 30), 0, 0);
	i64 ok = sys6(9, 0, 8ul << 20, 3, 0x22, (u64)-1, 0);
	if (ok > 0)
		((volatile char *)ok)[(8ul << 20) - 1] = 1;
	say("mem_limit: mmap(128 MiB)=");
	say_num(big);
	say(" brk(+1 GiB) kept the break: ");
	say(b1 == b0 ? "yes" : "no");
	say(" mmap(8 MiB) ");
	say(ok > 0 ? "ok\n" : "failed\n");
	return big == -12 && b1 == b0 && ok > 0 ? 0 : 1;
}
