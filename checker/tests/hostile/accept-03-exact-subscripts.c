// Subscripts where the bounds check is exact.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
struct rec { int key; int value; };
static int table[8];
static struct rec recs[8];
static int grid[4][4];
int use(int i, int j, int v)
{
	table[i] = v;
	table[i] += 1;
	recs[i].value = table[i] + (table[j]);
	grid[i][j] = recs[j].key;
	return grid[j][i] + recs[i].value;
}
