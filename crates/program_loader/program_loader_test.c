/* In-kernel tests of program_loader: every ELF rule's refusal, named, on
 * crafted images; and the start-up stack of a real program of the image. */
#include <theseus/alloc.h>
#include <theseus/ktest.h>
#include "program_elf.h"

#define IMAGE_BYTES 512

static void put(struct bytes b, size_t at, unsigned width, uint64_t v)
{
	for (unsigned i = 0; i < width; i++)
		bytes_set(b, at + i, (unsigned char)(v >> (8 * i)));
}

/* A small valid ET_EXEC: one R+X PT_LOAD of the file's first 512 bytes at
 * 0x400000, 8 KiB of memory. */
static void good_image(struct bytes b)
{
	for (size_t i = 0; i < b.len; i++)
		bytes_set(b, i, 0);
	put(b, 0, 4, 0x464C457F), put(b, 4, 1, 2), put(b, 5, 1, 1), put(b, 6, 1, 1);
	put(b, 16, 2, 2), put(b, 18, 2, 62), put(b, 20, 4, 1), put(b, 24, 8, 0x400100), put(b, 32, 8, 64);
	put(b, 52, 2, 64), put(b, 54, 2, 56), put(b, 56, 2, 1);
	put(b, 64, 4, 1), put(b, 68, 4, 5), put(b, 72, 8, 0), put(b, 80, 8, 0x400000), put(b, 96, 8, 512);
	put(b, 104, 8, 8192);
}

static bool contains(struct str text, struct str part)
{
	for (size_t i = 0; i + part.len <= text.len; i++)
		if (str_eq(str_sub(text, i, part.len), part))
			return true;
	return false;
}

/* A plan is too large for a task stack's frame: the heap's. */
static struct user_load_plan *new_plan(void)
{
	struct user_load_plan *plan = NULL;
	return status_ok(HEAP_NEW(struct user_load_plan, &plan, HEAP_OWNER_KERNEL)) ? plan : NULL;
}

/* Is src refused as a broken ELF, with `says` in the reason? */
static bool refused_saying(const struct program_source *src, struct user_load_plan *plan, struct str says)
{
	char why[96] = "";
	uint64_t phdr, phnum;
	struct status s = program_elf_plan(src, plan, &phdr, &phnum, BYTES_OF(why));
	return s.err == E_BADELF && contains(STR_FROM_CSTR_ARRAY(why), says);
}

struct elf_case {
	size_t at;
	unsigned width;
	uint64_t value;
	struct str says;
};

KTEST(program_loader_elf_rules, "program_loader.elf_rules")
{
	unsigned char raw[IMAGE_BYTES];
	struct bytes image = BYTES_OF(raw);
	struct user_load_plan *plan = new_plan();
	KT_EXPECT(t, plan != NULL);
	if (!plan)
		return;
	char why[96] = "";
	uint64_t phdr = 0, phnum = 0;
	struct program_source src = {.in_memory = true, .bytes = STR_OF_BYTES(image), .size = IMAGE_BYTES};
	good_image(image);
	struct status s = program_elf_plan(&src, plan, &phdr, &phnum, BYTES_OF(why));
	KT_EXPECT(t, status_ok(s));
	KT_EXPECT(t, plan->entry == 0x400100 && phdr == 0x400040 && phnum == 1 && plan->brk == 0x402000);
	KT_EXPECT(t, plan->segment_count == 1 && plan->segments[0].va == 0x400000 && plan->segments[0].size == 8192 &&
			     plan->segments[0].file_size == 512 &&
			     plan->segments[0].prot == (USER_PROT_READ | USER_PROT_EXEC));

	static const struct elf_case bad[] = {
		{0, 1, 0, STR("no ELF magic")},
		{4, 1, 1, STR("not ELFCLASS64")},
		{16, 2, 1, STR("not ET_EXEC")},
		{18, 2, 3, STR("x86-64")},
		{54, 2, 32, STR("e_phentsize")},
		{56, 2, 0, STR("program header count")},
		{56, 2, 65, STR("program header count")},
		{32, 8, 1000, STR("program header table outside")},
		{32, 8, UINT64_MAX - 8, STR("program header table outside")},
		{24, 8, 0x900000, STR("entry point")},
		{64, 4, 3, STR("program header 0: PT_INTERP")},
		{96, 8, 16384, STR("p_filesz above p_memsz")},
		{72, 8, 4000, STR("file bytes outside")},
		{96, 8, 2000, STR("file bytes outside")},
		{80, 8, 0x400010, STR("differ modulo the page size")},
		{80, 8, 0x1000, STR("outside the user program area")},
		{80, 8, 0xFFFFFFFF80000000ull, STR("outside the user program area")},
		{104, 8, UINT64_MAX - 0x1000, STR("outside the user program area")},
		{68, 4, 4, STR("entry point")},
		{64, 4, 6, STR("no PT_LOAD segment")},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const struct elf_case *c = ARRAY_AT(bad, i);
		good_image(image);
		put(image, c->at, c->width, c->value);
		KT_EXPECT(t, refused_saying(&src, plan, c->says));
	}
	/* Two overlapping PT_LOAD segments. */
	good_image(image);
	put(image, 56, 2, 2);
	for (size_t i = 0; i < 56; i++)
		bytes_set(image, 120 + i, bytes_get(image, 64 + i));
	put(image, 120 + 16, 8, 0x401000);
	KT_EXPECT(t, refused_saying(&src, plan, STR("program header 1: PT_LOAD segments overlap")));
	/* Truncated: smaller than a header. */
	good_image(image);
	src.size = 40;
	KT_EXPECT(t, refused_saying(&src, plan, STR("smaller than an ELF header")));
	KT_EXPECT(t, status_ok(HEAP_FREE(plan)));
}

static uint64_t word_at(const struct user_load_plan *plan, uint64_t address)
{
	size_t at = (size_t)(address - (USER_STACK_TOP - USER_STACK_IMAGE_MAX));
	uint64_t v = 0;
	for (size_t i = 8; i-- > 0;)
		v = v << 8 | *ARRAY_AT(plan->stack, at + i);
	return v;
}

static bool text_at(const struct user_load_plan *plan, uint64_t address, struct str want)
{
	size_t at = (size_t)(address - (USER_STACK_TOP - USER_STACK_IMAGE_MAX));
	for (size_t i = 0; i < want.len; i++)
		if (*ARRAY_AT(plan->stack, at + i) != (uint8_t)str_at(want, i))
			return false;
	return *ARRAY_AT(plan->stack, at + want.len) == 0;
}

KTEST(program_loader_start_up_stack, "program_loader.start_up_stack")
{
	struct program_args args = {.argv = {STR("busybox"), STR("echo"), STR("two words")}, .argc = 3};
	struct user_load_plan *plan = new_plan();
	KT_EXPECT(t, plan != NULL);
	if (!plan)
		return;
	char why[96] = "";
	struct status s = program_loader_plan(&args, plan, BYTES_OF(why));
	KT_EXPECT(t, status_ok(s));
	KT_EXPECT(t, str_eq(STR_FROM_CSTR_ARRAY(plan->name), STR("busybox")) && plan->stack_start % 16 == 0);
	uint64_t sp = USER_STACK_TOP - (USER_STACK_IMAGE_MAX - plan->stack_start);
	KT_EXPECT(t, word_at(plan, sp) == 3);
	KT_EXPECT(t, text_at(plan, word_at(plan, sp + 8), STR("busybox")));
	KT_EXPECT(t, text_at(plan, word_at(plan, sp + 24), STR("two words")));
	KT_EXPECT(t, word_at(plan, sp + 32) == 0);
	KT_EXPECT(t, text_at(plan, word_at(plan, sp + 40), STR("PATH=/bin")));
	KT_EXPECT(t, word_at(plan, sp + 64) == 0);
	/* auxv: AT_PHDR first, AT_ENTRY the plan's entry, AT_NULL last. */
	KT_EXPECT(t, word_at(plan, sp + 72) == 3 && word_at(plan, sp + 72 + 6 * 16) == 9 &&
			     word_at(plan, sp + 72 + 6 * 16 + 8) == plan->entry);
	KT_EXPECT(t, word_at(plan, sp + 72 + 18 * 16) == 0);

	KT_EXPECT(t, status_ok(HEAP_FREE(plan)));
}

KTEST(program_loader_refusals, "program_loader.refusals")
{
	struct program_args args = {.argv = {STR("no_such_program")}, .argc = 0};
	struct user_load_plan *plan = new_plan();
	KT_EXPECT(t, plan != NULL);
	if (!plan)
		return;
	char why[96] = "";
	KT_EXPECT(t, program_loader_plan(&args, plan, BYTES_OF(why)).err == E_INVAL);
	args.argc = 1;
	KT_EXPECT(t, program_loader_plan(&args, plan, BYTES_OF(why)).err == E_NOENT);
	KT_EXPECT(t, str_eq(STR_FROM_CSTR_ARRAY(why), STR("no such program in the image")));
	args.argv[0] = STR("etc/motd"); /* a data file is no program */
	KT_EXPECT(t, program_loader_plan(&args, plan, BYTES_OF(why)).err == E_NOENT);
	/* "busybox" and three arguments of 700 bytes: 2111 bytes with their NULs. */
	char long_arg[700];
	for (size_t i = 0; i < sizeof long_arg; i++)
		long_arg[i] = 'a';
	args.argv[0] = STR("busybox");
	args.argv[1] = args.argv[2] = args.argv[3] = STR_FROM_ARRAY(long_arg, sizeof long_arg);
	args.argc = 4;
	KT_EXPECT(t, program_loader_plan(&args, plan, BYTES_OF(why)).err == E_INVAL);
	KT_EXPECT(t, str_eq(STR_FROM_CSTR_ARRAY(why), STR("arguments longer than 2048 bytes")));
	KT_EXPECT(t, status_ok(HEAP_FREE(plan)));
}
