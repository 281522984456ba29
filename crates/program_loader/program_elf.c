/* program_loader's ELF rules (program_elf.h). Every field is read through
 * bounds-checked byte views, so a hostile image can at worst be refused. */
#include <theseus/image.h>
#include "fmt.h"
#include "program_elf.h"

enum {
	ET_EXEC = 2, ET_DYN = 3, EM_X86_64 = 62,
	PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_PHDR = 6,
	PF_X = 1, PF_W = 2, PF_R = 4,
	EHDR_SIZE = 64, PHDR_SIZE = 56, PHNUM_MAX = 64,
};
#define PROGRAM_SIZE_MAX (64ull << 20)
#define PAGE 4096ull
#define NO_HEADER (~0u)

/* dst.len bytes of the program from off; false when they are not all there. */
static bool source_read(const struct program_source *src, uint64_t off, struct bytes dst)
{
	if (off > src->size || dst.len > src->size - off)
		return false;
	if (!src->in_memory)
		return kernel_image_read(src->index, off, dst) == dst.len;
	for (size_t i = 0; i < dst.len; i++)
		bytes_set(dst, i, (unsigned char)str_at(src->bytes, off + i));
	return true;
}

/* The little-endian number of n bytes at b[at]. */
static uint64_t le(struct bytes b, size_t at, size_t n)
{
	uint64_t v = 0;
	for (size_t i = n; i-- > 0;)
		v = v << 8 | bytes_get(b, at + i);
	return v;
}

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz;
};

static struct phdr phdr_at(const struct program_source *src, uint64_t phoff, unsigned i)
{
	unsigned char raw[PHDR_SIZE];
	struct bytes b = BYTES_OF(raw);
	if (!source_read(src, phoff + (uint64_t)i * PHDR_SIZE, b))
		return (struct phdr){0}; /* not reached: the table was checked to lie inside the file */
	return (struct phdr){(uint32_t)le(b, 0, 4), (uint32_t)le(b, 4, 4), le(b, 8, 8), le(b, 16, 8), le(b, 32, 8),
			     le(b, 40, 8)};
}

static struct status refuse(struct bytes why, struct str text, unsigned i, uint64_t value)
{
	struct fmt_line line;
	fmt_clear(&line);
	if (i != NO_HEADER) {
		fmt_str(&line, STR("program header "));
		fmt_u64(&line, i);
		fmt_str(&line, STR(": "));
	}
	fmt_str(&line, text);
	if (i != NO_HEADER) {
		fmt_str(&line, STR(" (0x"));
		fmt_hex(&line, value, 1);
		fmt_char(&line, ')');
	}
	bytes_fill_cstr(why, fmt_view(&line));
	return STATUS(E_BADELF);
}

static uint32_t prot_of(uint32_t flags)
{
	return (flags & PF_R ? USER_PROT_READ : 0) | (flags & PF_W ? USER_PROT_WRITE : 0) |
	       (flags & PF_X ? USER_PROT_EXEC : 0);
}

/* The checks of one PT_LOAD header, and its segment into the plan. */
static struct status plan_segment(const struct phdr *p, unsigned i, uint64_t base, struct user_load_plan *plan,
				  uint64_t size, struct bytes why)
{
	if (p->filesz > p->memsz)
		return refuse(why, STR("p_filesz above p_memsz"), i, p->filesz);
	if (p->offset > size || p->filesz > size - p->offset)
		return refuse(why, STR("file bytes outside the file"), i, p->offset);
	if (p->vaddr % PAGE != p->offset % PAGE)
		return refuse(why, STR("p_vaddr and p_offset differ modulo the page size"), i, p->vaddr);
	uint64_t va = p->vaddr + base;
	if (va < p->vaddr || va < PROGRAM_IMAGE_LOW || va > PROGRAM_IMAGE_TOP || p->memsz > PROGRAM_IMAGE_TOP - va)
		return refuse(why, STR("outside the user program area"), i, p->vaddr);
	if (p->memsz == 0)
		return STATUS_OK; /* maps nothing */
	for (uint32_t j = 0; j < plan->segment_count; j++) {
		const struct user_segment *q = ARRAY_AT(plan->segments, j);
		if (va < q->va + q->size && q->va < va + p->memsz)
			return refuse(why, STR("PT_LOAD segments overlap"), i, p->vaddr);
	}
	if (plan->segment_count == USER_SEGMENTS_MAX)
		return refuse(why, STR("more than 16 PT_LOAD segments with memory"), i, p->vaddr);
	*ARRAY_AT(plan->segments, plan->segment_count) = (struct user_segment){
		.va = va, .size = p->memsz, .file_off = p->offset, .file_size = p->filesz, .prot = prot_of(p->flags)};
	plan->segment_count += 1;
	return STATUS_OK;
}

struct status program_elf_plan(const struct program_source *src, struct user_load_plan *plan, uint64_t *phdr_va,
			       uint64_t *phnum_out, struct bytes why)
{
	unsigned char raw[EHDR_SIZE];
	struct bytes h = BYTES_OF(raw);
	if (src->size > PROGRAM_SIZE_MAX)
		return refuse(why, STR("larger than 64 MiB"), NO_HEADER, 0);
	if (!source_read(src, 0, h))
		return refuse(why, STR("smaller than an ELF header"), NO_HEADER, 0);
	if (le(h, 0, 4) != 0x464C457Full) /* "\x7fELF" */
		return refuse(why, STR("no ELF magic"), NO_HEADER, 0);
	if (bytes_get(h, 4) != 2 || bytes_get(h, 5) != 1 || bytes_get(h, 6) != 1)
		return refuse(why, STR("not ELFCLASS64 little-endian version 1"), NO_HEADER, 0);
	uint64_t type = le(h, 16, 2);
	if (le(h, 18, 2) != EM_X86_64 || le(h, 20, 4) != 1)
		return refuse(why, STR("not an x86-64 ELF version 1"), NO_HEADER, 0);
	if (type != ET_EXEC && type != ET_DYN)
		return refuse(why, STR("not ET_EXEC or static-pie ET_DYN"), NO_HEADER, 0);
	uint64_t entry = le(h, 24, 8), phoff = le(h, 32, 8);
	uint64_t ehsize = le(h, 52, 2), phentsize = le(h, 54, 2), phnum = le(h, 56, 2);
	if (ehsize != EHDR_SIZE || phentsize != PHDR_SIZE)
		return refuse(why, STR("e_ehsize or e_phentsize is not 64 / 56"), NO_HEADER, 0);
	if (phnum == 0 || phnum > PHNUM_MAX)
		return refuse(why, STR("program header count not in 1..64"), NO_HEADER, 0);
	if (phoff > src->size || phnum * PHDR_SIZE > src->size - phoff)
		return refuse(why, STR("program header table outside the file"), NO_HEADER, 0);
	uint64_t base = type == ET_DYN ? PROGRAM_PIE_BASE : 0;

	uint64_t hi = 0;
	bool entry_ok = false;
	plan->segment_count = 0;
	*phdr_va = 0;
	for (unsigned i = 0; i < phnum; i++) {
		struct phdr p = phdr_at(src, phoff, i);
		if (p.type == PT_INTERP)
			return refuse(why, STR("PT_INTERP: dynamically linked programs do not run"), i, p.offset);
		if (p.type == PT_DYNAMIC && type == ET_EXEC)
			return refuse(why, STR("PT_DYNAMIC in ET_EXEC: dynamically linked"), i, p.offset);
		if (p.type == PT_PHDR)
			*phdr_va = p.vaddr + base;
		if (p.type != PT_LOAD)
			continue;
		struct status s = plan_segment(&p, i, base, plan, src->size, why);
		if (!status_ok(s))
			return s;
		if ((p.flags & PF_X) && entry >= p.vaddr && entry - p.vaddr < p.memsz)
			entry_ok = true;
		if (phoff >= p.offset && phoff - p.offset < p.filesz && !*phdr_va)
			*phdr_va = p.vaddr + base + (phoff - p.offset);
		if (p.vaddr + base + p.memsz > hi)
			hi = p.vaddr + base + p.memsz;
	}
	if (hi == 0)
		return refuse(why, STR("no PT_LOAD segment"), NO_HEADER, 0);
	if (!entry_ok)
		return refuse(why, STR("entry point in no executable PT_LOAD segment"), NO_HEADER, 0);
	plan->entry = entry + base;
	plan->brk = (hi + PAGE - 1) / PAGE * PAGE;
	*phnum_out = phnum;
	return STATUS_OK;
}
