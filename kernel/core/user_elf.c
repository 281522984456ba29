/* Loading a user program (user_elf.h). */
#include "user_elf.h"
#include <theseus/user.h>

enum {
	ET_EXEC = 2, ET_DYN = 3, EM_X86_64 = 62,
	PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_PHDR = 6,
	PF_X = 1, PF_W = 2, PF_R = 4,
	EHDR_SIZE = 64, PHDR_SIZE = 56, PHNUM_MAX = 64,
};
#define USER_PROGRAM_MAX (64ull << 20)

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz;
};

static struct phdr phdr_at(const uint8_t *image, uint64_t phoff, unsigned i)
{
	const uint8_t *p = image + phoff + (uint64_t)i * PHDR_SIZE;
	return (struct phdr){rd32(p), rd32(p + 4), rd64(p + 8), rd64(p + 16), rd64(p + 32), rd64(p + 40)};
}

static struct status refuse(char *why, size_t cap, const char *text, unsigned i, uint64_t value)
{
	if (i == ~0u)
		ksnprintf(why, cap, "%s", text);
	else
		ksnprintf(why, cap, "program header %u: %s (0x%lx)", i, text, value);
	return STATUS(E_BADELF);
}

struct status user_elf_load(const uint8_t *image, uint64_t size, const struct user_elf_target *t,
			    struct user_image *out, char *why, size_t cap)
{
	const unsigned none = ~0u;
	if (size < EHDR_SIZE)
		return refuse(why, cap, "smaller than an ELF header", none, 0);
	if (size > USER_PROGRAM_MAX)
		return refuse(why, cap, "larger than 64 MiB", none, 0);
	if (memcmp(image, "\x7f" "ELF", 4) != 0)
		return refuse(why, cap, "no ELF magic", none, 0);
	if (image[4] != 2 || image[5] != 1 || image[6] != 1)
		return refuse(why, cap, "not ELFCLASS64 little-endian version 1", none, 0);
	uint16_t type = rd16(image + 16);
	if (rd16(image + 18) != EM_X86_64 || rd32(image + 20) != 1)
		return refuse(why, cap, "not an x86-64 ELF version 1", none, 0);
	if (type != ET_EXEC && type != ET_DYN)
		return refuse(why, cap, "not ET_EXEC or static-pie ET_DYN", none, 0);
	uint64_t entry = rd64(image + 24), phoff = rd64(image + 32);
	uint16_t ehsize = rd16(image + 52), phentsize = rd16(image + 54), phnum = rd16(image + 56);
	if (ehsize != EHDR_SIZE || phentsize != PHDR_SIZE)
		return refuse(why, cap, "e_ehsize or e_phentsize is not 64 / 56", none, 0);
	if (phnum == 0 || phnum > PHNUM_MAX)
		return refuse(why, cap, "program header count not in 1..64", none, 0);
	if (phoff > size || (uint64_t)phnum * PHDR_SIZE > size - phoff)
		return refuse(why, cap, "program header table outside the file", none, 0);
	uint64_t base = type == ET_DYN ? USER_PIE_BASE : 0;

	/* Every field first, nothing mapped until all are sound. */
	uint64_t hi = 0, phdr_va = 0;
	bool entry_ok = false;
	for (unsigned i = 0; i < phnum; i++) {
		struct phdr p = phdr_at(image, phoff, i);
		if (p.type == PT_INTERP)
			return refuse(why, cap, "PT_INTERP: dynamically linked programs do not run", i, p.offset);
		if (p.type == PT_DYNAMIC && type == ET_EXEC)
			return refuse(why, cap, "PT_DYNAMIC in ET_EXEC: dynamically linked", i, p.offset);
		if (p.type == PT_PHDR)
			phdr_va = p.vaddr + base;
		if (p.type != PT_LOAD)
			continue;
		if (p.filesz > p.memsz)
			return refuse(why, cap, "p_filesz above p_memsz", i, p.filesz);
		if (p.offset > size || p.filesz > size - p.offset)
			return refuse(why, cap, "file bytes outside the file", i, p.offset);
		if (p.vaddr % PAGE_SIZE != p.offset % PAGE_SIZE)
			return refuse(why, cap, "p_vaddr and p_offset differ modulo the page size", i, p.vaddr);
		uint64_t va = p.vaddr + base;
		if (va < p.vaddr || va < USER_IMAGE_LOW || va > USER_IMAGE_TOP || p.memsz > USER_IMAGE_TOP - va)
			return refuse(why, cap, "outside the user program area", i, p.vaddr);
		for (unsigned j = 0; j < i; j++) {
			struct phdr q = phdr_at(image, phoff, j);
			if (q.type == PT_LOAD && p.vaddr < q.vaddr + q.memsz && q.vaddr < p.vaddr + p.memsz)
				return refuse(why, cap, "PT_LOAD segments overlap", i, p.vaddr);
		}
		if ((p.flags & PF_X) && entry >= p.vaddr && entry - p.vaddr < p.memsz)
			entry_ok = true;
		if (phoff >= p.offset && phoff - p.offset < p.filesz && !phdr_va)
			phdr_va = va + (phoff - p.offset);
		if (va + p.memsz > hi)
			hi = va + p.memsz;
	}
	if (hi == 0)
		return refuse(why, cap, "no PT_LOAD segment", none, 0);
	if (!entry_ok)
		return refuse(why, cap, "entry point in no executable PT_LOAD segment", none, 0);

	for (unsigned i = 0; i < phnum; i++) {
		struct phdr p = phdr_at(image, phoff, i);
		if (p.type != PT_LOAD || p.memsz == 0)
			continue;
		uint64_t va = p.vaddr + base;
		uint64_t start = ALIGN_DOWN(va, PAGE_SIZE), end = ALIGN_UP(va + p.memsz, PAGE_SIZE);
		uint32_t prot = (p.flags & PF_R ? USER_PROT_READ : 0) | (p.flags & PF_W ? USER_PROT_WRITE : 0) |
				(p.flags & PF_X ? USER_PROT_EXEC : 0);
		struct status s = t->map(t->ctx, start, end - start, prot);
		if (status_ok(s) && p.filesz)
			s = t->write(t->ctx, va, image + p.offset, p.filesz);
		if (!status_ok(s)) {
			ksnprintf(why, cap, "program header %u: cannot map [0x%lx, 0x%lx): %s", i, start, end,
				  kerr_name(s.err));
			return s;
		}
	}
	out->entry = entry + base;
	out->phdr = phdr_va;
	out->phnum = phnum;
	out->end = ALIGN_UP(hi, PAGE_SIZE);
	return STATUS_OK;
}
