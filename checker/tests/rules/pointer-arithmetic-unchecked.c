// Without the trapping bounds check even a true array's subscript is unchecked
// pointer arithmetic.
// RUN: %not %clang %crate_flags -fno-sanitize=array-bounds -fno-caret-diagnostics -fplugin=%plugin_path -fplugin-arg-safec-summary=0 -fsyntax-only %s 2>&1 | %check_rules
// RUN: %not %clang %crate_flags -fno-sanitize-trap=array-bounds -fno-caret-diagnostics -fplugin=%plugin_path -fplugin-arg-safec-summary=0 -fsyntax-only %s 2>&1 | %check_rules
int unchecked(unsigned i)
{
	int table[4] = {1, 2, 3, 4};
	// CHECK: pointer-arithmetic-unchecked.c:[[@LINE+1]]:16: error: subscript of array 'int[4]' is not bounds-checked in this compile; hint: compile crates with -fsanitize=array-bounds -fsanitize-trap=array-bounds [safe-c-pointer-arithmetic]
	return table[i] + table[3];
}
