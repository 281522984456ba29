#include "records.h"

KTEST(serial_loopback, "serial.loopback")
{
	static const char pattern[] = "Theseus\x01\xff\n";
	KT_EXPECT(t, serial_loopback_selftest(pattern, sizeof pattern - 1));
}
