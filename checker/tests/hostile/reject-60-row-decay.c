// A row of a 2-D array decays with a one-past-the-end check.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
void fill(int *row);
static int grid[4][4];
void fill_row(int i)
{
// CHECK-DAG: reject-60-row-decay.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}checked here only against one past the end{{.*}}; hint: {{.+}} [safe-c-bounds]
	fill(grid[i]);
}
