/* Passes kernel addresses and unmapped user addresses to write: each
 * must be -EFAULT (-14), never a kernel fault; exits 3 when they were. */
#include "sys.h"

int main(void)
{
	i64 a = sys3(1, 1, 0xFFFFFFFF80100000ul, 16);  /* the nano-core's text */
	i64 b = sys3(1, 1, 0xFFFF800000000000ul, 16);  /* the physmap */
	i64 c = sys3(1, 1, 0x1000, 16);                /* unmapped user page */
	i64 d = sys3(1, 1, 0x00007FFFFFFFFFF8ul, 64);  /* runs past the user half */
	say("kernel_pointer: write(kernel text)=");
	say_num(a);
	say(" write(physmap)=");
	say_num(b);
	say(" write(unmapped)=");
	say_num(c);
	say(" write(past the top)=");
	say_num(d);
	say("\n");
	exit_with(a == -14 && b == -14 && c == -14 && d == -14 ? 3 : 1);
}
