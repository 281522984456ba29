// An UNSAFE site belongs to the crate whose file spells it: a site in the
// public header of an allowlisted crate is allowed in every client; the
// client's own sites need the client on the allowlist.
// RUN: %safec -fplugin-arg-safec-crate=client -fplugin-arg-safec-summary=1 -fplugin-arg-safec-report=%t.jsonl -fsyntax-only %s 2>&1 | %FileCheck %s --check-prefix=HEADER
// HEADER: remark: safe-c: crate 'client': 1 unsafe site, 0 violations in unsafe-owner.c
// RUN: %python %repo/checker/unsafe_summary.py %t.jsonl | %FileCheck %s --check-prefix=TOTALS
// TOTALS: unsafe sites: server {{ *}}1  (0 files)
// TOTALS-NEXT: server_raw.h:10:9: server-owned view of its own table
// RUN: %not %safec -fplugin-arg-safec-crate=client -DOWN_SITE -fsyntax-only %s 2>&1 | %check_rules
#include <server_raw.h>

unsigned long read_second(const unsigned long words[2])
{
	return server_raw_word(words);
}

#ifdef OWN_SITE
unsigned long read_third(const unsigned long *words)
{
	// CHECK-DAG: unsafe-owner.c:[[@LINE+2]]:9: error: crate 'client' may not use UNSAFE{{.*}} [safe-c-unsafe-marker]
	// CHECK-DAG: unsafe-owner.c:[[@LINE+1]]:44: error: subscript of pointer{{.*}} [safe-c-pointer-arithmetic]
	return UNSAFE("client's own view", words[2]);
}
#endif
