// The attributes on the allowlist.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
struct [[nodiscard]] result { int err; };
[[maybe_unused]] static int spare;
__attribute__((noinline, cold)) static int slow(int x) { return x * 3; }
__attribute__((aligned(16))) static unsigned char block[32];
[[deprecated("use fast")]] int old_name(int x);
int classify(int x)
{
	switch (x) {
	case 0:
		x = slow(x);
		[[fallthrough]];
	case 1:
		return x + block[0];
	default:
		return x;
	}
}
