/* Looking up the nano-core's symbol table (kernel_symbols.h). The layout
 * is kernel/kernel_symbols.py's: a header, entries sorted by address,
 * then the names. The table is part of the image (read-only, checked at
 * build time), so a lookup trusts its offsets only as far as its bounds:
 * a name outside the strings is never returned. */
#include "kernel_symbols.h"

struct ksym_header {
	char magic[8];
	uint32_t count;
	uint32_t strings_size;
};

struct ksym_entry {
	uint32_t start; /* address - KERNEL_VMA */
	uint32_t size;  /* 0: an assembly label, reaching to the next entry */
	uint32_t name;  /* offset into the strings */
};

static const struct ksym_header *table(void)
{
	const struct ksym_header *h = (const void *)__kernel_symbols_start;
	uint64_t room = (uint64_t)(__kernel_symbols_end - __kernel_symbols_start);
	if (room < sizeof *h || memcmp(h->magic, "THKSYM01", 8))
		return NULL;
	if ((room - sizeof *h) / sizeof(struct ksym_entry) < h->count ||
	    room - sizeof *h - (uint64_t)h->count * sizeof(struct ksym_entry) < h->strings_size)
		return NULL;
	return h;
}

uint32_t kernel_symbol_count(void)
{
	const struct ksym_header *h = table();
	return h ? h->count : 0;
}

bool kernel_symbol_of(uint64_t address, const char **name, uint64_t *offset)
{
	const struct ksym_header *h = table();
	if (!h || h->count == 0 || address < (uint64_t)__text_start || address >= (uint64_t)__text_end)
		return false;
	const struct ksym_entry *entries = (const void *)(h + 1);
	const char *strings = (const char *)(entries + h->count);
	uint64_t rel = address - KERNEL_VMA;
	/* The last entry that starts at or below the address. */
	uint32_t lo = 0, hi = h->count;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (entries[mid].start <= rel)
			lo = mid;
		else
			hi = mid;
	}
	const struct ksym_entry *e = &entries[lo];
	if (e->start > rel || (e->size && rel - e->start >= e->size) || e->name >= h->strings_size)
		return false;
	if (strnlen(strings + e->name, h->strings_size - e->name) == h->strings_size - e->name)
		return false; /* no NUL before the end of the strings */
	*name = strings + e->name;
	*offset = rel - e->start;
	return true;
}
