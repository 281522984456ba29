// An allowlisted crate marks its unsafe sites: expressions (lvalues too),
// statements, whole declarations, and markers inside the crate's own macros.
// RUN: %safec -fplugin-arg-safec-crate=allowed -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
// Every site is counted: the summary remark and the JSON record say 7.
// RUN: rm -f %t.jsonl
// RUN: %safec -fplugin-arg-safec-crate=allowed -fplugin-arg-safec-summary=1 -fplugin-arg-safec-report=%t.jsonl -fsyntax-only %s 2>&1 | %FileCheck %s --check-prefix=SUMMARY
// SUMMARY: remark: safe-c: crate 'allowed': 7 unsafe sites, 0 violations in unsafe-marker-ok.c [safe-c-summary]
// RUN: %python -m json.tool --json-lines %t.jsonl | %FileCheck %s --check-prefix=JSON
// JSON: "allowlisted": true,
// JSON: "crate": "allowed",
// JSON: "sites": [
// JSON: "allowed": true,
// JSON-NEXT: "column": 9,
// JSON-NEXT: "covers": 1,
// JSON-NEXT: "crate": "allowed",
// JSON-NEXT: "file": "{{.*}}unsafe-marker-ok.c",
// JSON-NEXT: "line": [[@LINE+12]],
// JSON-NEXT: "reason": "the nano-core maps the local APIC here"
// JSON: "unsafe_sites": 7,
// JSON-NEXT: "violations": 0
#include <stdarg.h>
#include <theseus/unsafe.h>

#define LAPIC_EOI 0xfee000b0ul
#define MMIO32(addr) UNSAFE("crate-local MMIO helper", *(volatile unsigned *)(addr))

unsigned read_id(void)
{
	return UNSAFE("the nano-core maps the local APIC here", *(volatile unsigned *)0xfee00020ul);
}

void end_of_interrupt(void)
{
	UNSAFE("the nano-core maps the local APIC here", *(volatile unsigned *)LAPIC_EOI) = 0;
}

void halt_until_interrupt(void)
{
	UNSAFE("idle loop of the " "scheduler", __asm__ volatile("sti; hlt" ::: "memory"));
}

UNSAFE("hardware descriptor layout", union descriptor {
	unsigned long raw;
	struct {
		unsigned limit : 16, base : 24;
	} parts;
};)

UNSAFE("printf-style logging keeps C's calling convention",
int log_values(int count, ...)
{
	va_list ap;
	va_start(ap, count);
	int total = 0;
	for (int i = 0; i < count; i++)
		total += va_arg(ap, int);
	va_end(ap);
	return total;
})

unsigned timer_count(void)
{
	return MMIO32(0xfee00390ul) + MMIO32(0xfee00380ul);
}
