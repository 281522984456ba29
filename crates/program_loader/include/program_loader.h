/* program_loader: a program of the image made into the load plan its
 * process starts from (theseus/user.h, struct user_load_plan). The policy
 * half of starting a program: static x86-64 ELF executables (ET_EXEC, and
 * static-pie ET_DYN at PROGRAM_PIE_BASE) and the System V start-up stack
 * (argv, envp, auxv). Every field it uses is checked before it is trusted,
 * by mkimage's rules (mkimage/theseus_image/program.py), so an image that
 * rotted after mkimage is refused here with the rule named; the nano-core
 * checks the plan's ranges once more as it builds it. Keeps no state. */
#ifndef CRATE_PROGRAM_LOADER_H
#define CRATE_PROGRAM_LOADER_H

#include <theseus/result.h>
#include <theseus/slice.h>
#include <theseus/user.h>

#define PROGRAM_IMAGE_LOW 0x10000ull
#define PROGRAM_IMAGE_TOP 0x00007FFF00000000ull
#define PROGRAM_PIE_BASE 0x400000ull

/* A command line, split: argv[0] names the program. */
struct program_args {
	struct str argv[USER_ARGS_MAX];
	size_t argc;
};

/* The plan for running args->argv[0] with its arguments. E_NOENT: no
 * such program; E_BADARCH: its bytes no longer match their CRC; E_BADELF:
 * a broken ELF rule; E_INVAL: too many or too long arguments. On an error
 * `why` says what, as a C string. */
struct status program_loader_plan(const struct program_args *args, struct user_load_plan *plan, struct bytes why);

#endif
