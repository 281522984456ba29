// A 2 KiB buffer stays under the frame limit.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
int checksum(int i)
{
	unsigned char buffer[2048] = {};
	buffer[i & 2047] = 1;
	return buffer[0];
}
