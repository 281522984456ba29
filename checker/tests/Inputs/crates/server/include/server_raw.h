/* Crate "server" (on the test allowlist) marks an unsafe site in its own
 * public header; clients that include it do not need to be allowlisted. */
#ifndef TEST_SERVER_RAW_H
#define TEST_SERVER_RAW_H

#include <theseus/unsafe.h>

static inline unsigned long server_raw_word(const unsigned long *words)
{
	return UNSAFE("server-owned view of its own table", words[1]);
}

#endif
