/* program_loader: the program's plan (include/program_loader.h): find it
 * in the image, check its ELF headers (program_elf.c), and lay out the
 * System V x86-64 start-up stack the program's C library reads. */
#include <theseus/cpu.h>
#include <theseus/crate.h>
#include <theseus/image.h>
#include "fmt.h"
#include "program_elf.h"

CRATE("program_loader", "1.0.0", "user programs of the image made into load plans: ELF rules, start-up stack", "",
      "", "fmt,heap");

enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
	AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15,
	AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31,
};
#define ENV_COUNT 3
#define AUX_COUNT 19

static struct status refuse(enum kerr err, struct str text, struct bytes why)
{
	bytes_fill_cstr(why, text);
	return STATUS(err);
}

/* The start-up stack, built downward from the end of plan->stack: `pos`
 * is the lowest byte written so far. */
struct stack_image {
	struct user_load_plan *plan;
	size_t pos;
};

/* The program's address of stack byte `pos`. */
static uint64_t address_of(size_t pos) { return USER_STACK_TOP - (USER_STACK_IMAGE_MAX - pos); }

/* Push text and a NUL; its address. The arguments were measured to fit. */
static uint64_t push_text(struct stack_image *st, struct str text)
{
	struct bytes stack = BYTES_OF(st->plan->stack);
	st->pos -= text.len + 1;
	for (size_t i = 0; i < text.len; i++)
		bytes_set(stack, st->pos + i, (unsigned char)str_at(text, i));
	bytes_set(stack, st->pos + text.len, 0);
	return address_of(st->pos);
}

static void put_word(struct stack_image *st, size_t at, uint64_t v)
{
	struct bytes stack = BYTES_OF(st->plan->stack);
	for (size_t i = 0; i < 8; i++)
		bytes_set(stack, at + i, (unsigned char)(v >> (8 * i)));
}

static void build_stack(struct stack_image *st, const struct program_args *args, uint64_t phdr_va, uint64_t phnum)
{
	const struct str env[ENV_COUNT] = {STR("PATH=/bin"), STR("HOME=/"), STR("TERM=dumb")};
	uint64_t argp[USER_ARGS_MAX] = {0}, envp[ENV_COUNT];
	for (size_t i = args->argc; i-- > 0;)
		*ARRAY_AT(argp, i) = push_text(st, *ARRAY_AT(args->argv, i));
	for (size_t i = ENV_COUNT; i-- > 0;)
		*ARRAY_AT(envp, i) = push_text(st, *ARRAY_AT(env, i));
	/* AT_RANDOM's 16 bytes: the C library seeds its stack guard from them. */
	uint64_t t = cpu_timestamp();
	st->pos -= 16;
	put_word(st, st->pos, t * 0x9E3779B97F4A7C15ull);
	put_word(st, st->pos + 8, (t ^ st->pos) * 0xC2B2AE3D27D4EB4Full);
	uint64_t at_random = address_of(st->pos);
	uint64_t at_platform = push_text(st, STR("x86_64"));
	const uint64_t aux[AUX_COUNT][2] = {
		{AT_PHDR, phdr_va}, {AT_PHENT, 56}, {AT_PHNUM, phnum}, {AT_PAGESZ, 4096}, {AT_BASE, 0},
		{AT_FLAGS, 0}, {AT_ENTRY, st->plan->entry}, {AT_UID, 0}, {AT_EUID, 0}, {AT_GID, 0}, {AT_EGID, 0},
		{AT_PLATFORM, at_platform}, {AT_HWCAP, cpu_cpuid(1, 0).edx}, {AT_CLKTCK, 100}, {AT_SECURE, 0},
		{AT_RANDOM, at_random}, {AT_HWCAP2, 0}, {AT_EXECFN, *ARRAY_AT(argp, 0)}, {AT_NULL, 0},
	};
	/* argc, argv..., 0, envp..., 0, auxv pairs: rsp points at argc, 16-aligned. */
	size_t words = 1 + args->argc + 1 + ENV_COUNT + 1 + 2 * AUX_COUNT;
	st->pos = (st->pos - words * 8) / 16 * 16;
	size_t at = st->pos;
	put_word(st, at, args->argc), at += 8;
	for (size_t i = 0; i < args->argc; i++)
		put_word(st, at, *ARRAY_AT(argp, i)), at += 8;
	put_word(st, at, 0), at += 8;
	for (size_t i = 0; i < ENV_COUNT; i++)
		put_word(st, at, *ARRAY_AT(envp, i)), at += 8;
	put_word(st, at, 0), at += 8;
	for (size_t i = 0; i < AUX_COUNT; i++) {
		put_word(st, at, (*ARRAY_AT(aux, i))[0]), at += 8;
		put_word(st, at, (*ARRAY_AT(aux, i))[1]), at += 8;
	}
}

/* The program-table index of program `name`; false when there is none. */
static bool find_program(struct str name, uint32_t *index, uint64_t *size)
{
	struct image_entry e;
	for (uint32_t i = 0; status_ok(kernel_image_entry(i, &e)); i++) {
		if (!e.is_file && str_eq(STR_FROM_CSTR_ARRAY(e.name), name)) {
			*index = i;
			*size = e.size;
			return true;
		}
	}
	return false;
}

CRATE_EXPORT struct status program_loader_plan(const struct program_args *args, struct user_load_plan *plan,
					       struct bytes why)
{
	if (args->argc == 0 || args->argc > USER_ARGS_MAX)
		return refuse(E_INVAL, STR("1 to 32 arguments"), why);
	size_t bytes = 0;
	for (size_t i = 0; i < args->argc; i++)
		bytes += ARRAY_AT(args->argv, i)->len + 1;
	if (bytes > USER_ARG_BYTES)
		return refuse(E_INVAL, STR("arguments longer than 2048 bytes"), why);
	struct str name = *ARRAY_AT(args->argv, 0);
	struct program_source src = {.in_memory = false};
	if (!find_program(name, &src.index, &src.size))
		return refuse(E_NOENT, STR("no such program in the image"), why);
	if (!kernel_image_intact(src.index))
		return refuse(E_BADARCH, STR("program image CRC mismatch"), why);
	uint64_t phdr_va = 0, phnum = 0;
	struct status s = program_elf_plan(&src, plan, &phdr_va, &phnum, why);
	if (!status_ok(s))
		return s;
	plan->program = src.index;
	bytes_fill_cstr(BYTES_OF(plan->name), name);
	struct stack_image st = {plan, USER_STACK_IMAGE_MAX};
	build_stack(&st, args, phdr_va, phnum);
	plan->stack_start = (uint32_t)st.pos;
	return STATUS_OK;
}
