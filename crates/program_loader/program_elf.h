/* The ELF half of program_loader, over any source of a program's bytes
 * (the image, or a test's buffer). */
#ifndef PROGRAM_LOADER_ELF_H
#define PROGRAM_LOADER_ELF_H

#include "program_loader.h"

/* Where a program's bytes come from: entry `index` of the image's program
 * table, or `bytes` when in_memory (the tests' crafted images). */
struct program_source {
	uint32_t index;
	bool in_memory;
	struct str bytes;
	uint64_t size;
};

/* Check the program's ELF headers and fill plan's segments, entry and
 * break; on E_BADELF, why names the first broken rule. AT_PHDR's address
 * and the header count go to *phdr_va and *phnum for the stack. */
struct status program_elf_plan(const struct program_source *src, struct user_load_plan *plan, uint64_t *phdr_va,
			       uint64_t *phnum, struct bytes why);

#endif
