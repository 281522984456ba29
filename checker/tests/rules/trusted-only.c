// Functions marked TRUSTED_ONLY may be called only from the trusted
// headers' own macros, which supply what the function cannot check: here,
// that `max` bytes really lie behind the pointer.
// RUN: %not %safec -fplugin-arg-safec-crate=client -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/slice.h>

struct str past_the_end(const char *one_char)
{
	// CHECK: trusted-only.c:[[@LINE+1]]:9: error: use of 'str_from_cstr', which only the trusted headers' own macros may call; hint: use the trusted header's macro built on it, which supplies what the function cannot check [safe-c-trusted-only]
	return str_from_cstr(one_char, 4096);
}

struct str (*keep_for_later(void))(const char *, size_t)
{
	// CHECK: trusted-only.c:[[@LINE+1]]:9: error: use of 'str_from_cstr'{{.*}} [safe-c-trusted-only]
	return str_from_cstr;
}
