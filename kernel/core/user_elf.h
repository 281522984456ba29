/* The loader of user programs: static x86-64 ELF executables (ET_EXEC,
 * and static-pie ET_DYN at USER_PIE_BASE). Every field it uses is checked
 * before it is trusted; the rules are those of mkimage's program check
 * (mkimage/theseus_image/program.py, docs/archive-format.md). */
#ifndef THESEUS_USER_ELF_H
#define THESEUS_USER_ELF_H

#include "kernel.h"

#define USER_IMAGE_LOW 0x10000ull
#define USER_IMAGE_TOP 0x00007FFF00000000ull
#define USER_PIE_BASE 0x400000ull

struct user_image {
	uint64_t entry;
	uint64_t phdr;      /* where the program headers are mapped (AT_PHDR) */
	uint64_t phnum;
	uint64_t end;       /* end of the highest segment, page aligned: the break */
};

/* What the loader asks of an address space: map zeroed pages [va, va +
 * len) with prot (USER_PROT_*; an already mapped page gets the union), and
 * write bytes into mapped pages. */
struct user_elf_target {
	void *ctx;
	struct status (*map)(void *ctx, uint64_t va, uint64_t len, uint32_t prot);
	struct status (*write)(void *ctx, uint64_t va, const void *src, uint64_t len);
};

/* Check the image and load it through t. E_BADELF with *why naming the
 * first broken rule; E_NOMEM when the pages ran out. */
struct status user_elf_load(const uint8_t *image, uint64_t size, const struct user_elf_target *t,
			    struct user_image *out, char *why, size_t why_cap);

#endif
