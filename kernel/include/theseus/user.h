/* Trusted header: user space (docs/user-space.md). The nano-core runs
 * programs of the archive in ring 3, each in its own address space, and
 * turns each system call into a call of the crate registered as
 * KERNEL_SERVICE_SYSCALL (theseus/services.h): void fn(struct
 * user_syscall *call). That crate is the policy (which calls exist, what
 * they do); these functions are the mechanism it uses. Every user
 * address is checked against the user half and copied through the
 * fault-safe copy: a bad one is E_FAULT, never a kernel fault. */
#ifndef THESEUS_USER_H
#define THESEUS_USER_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/restricted.h>
#include <theseus/result.h>
#include <theseus/slice.h>

/* One system call, as the program made it (Linux x86-64: the number in
 * RAX, arguments in RDI, RSI, RDX, R10, R8, R9). The server sets ret (a
 * value or -errno), or exit/exit_code to end the process. */
struct user_syscall {
	uint64_t nr;
	uint64_t arg[6];
	int64_t ret;
	bool exit;
	int32_t exit_code;
};

/* An open file of a process (the server's fd table). */
struct user_fd {
	bool open;
	uint32_t id;     /* image_files_open's id */
	uint64_t size;
	uint64_t offset;
};
#define USER_FDS 16  /* 0..2 are the console; 3..15 files */

/* What the syscall server keeps per process, in the process's record
 * (so that the server itself holds no state and can be swapped). */
struct user_vars {
	uint64_t brk_base;    /* end of the program's image, page aligned */
	uint64_t brk;         /* current break */
	uint64_t mmap_next;   /* anonymous mappings go below this, downwards */
	uint64_t tid_address; /* set_tid_address */
	uint32_t pid, ppid;
	char name[16];        /* the program's name, NUL-terminated */
	struct user_fd fds[USER_FDS];
	uint64_t calls;       /* system calls served so far */
};

enum user_end {
	USER_EXITED = 1,  /* code: the exit status (0..255) */
	USER_KILLED = 2,  /* code: the signal number */
	USER_NOT_RUN = 3, /* err says why (E_NOENT: no such program, E_BADELF, E_NOMEM) */
};

struct user_result {
	enum user_end end;
	int32_t code;
	enum kerr err;
	uint32_t pid;
	uint64_t syscalls;
	char what[112]; /* a kill's cause, or why it did not run */
};

#define USER_ARGS_MAX 32
#define USER_ARG_BYTES 2048

/* How a process's address space starts: what the program_loader crate
 * (the ELF format and the System V start-up stack: policy) makes of a
 * program, and the nano-core builds (mechanism). */
#define USER_SEGMENTS_MAX 16
#define USER_STACK_TOP 0x00007FFFFFFFF000ull
#define USER_STACK_IMAGE_MAX 4096 /* argv (USER_ARG_BYTES), envp, auxv and their strings fit */
struct user_segment {
	uint64_t va;        /* [va, va + size) is mapped zeroed with prot (pages two */
	uint64_t size;      /* segments share take the union) ... */
	uint64_t file_off;  /* ... then file_size bytes of the program from file_off */
	uint64_t file_size; /* go to va (file_size <= size) */
	uint32_t prot;      /* USER_PROT_* */
};
struct user_load_plan {
	uint32_t program; /* index in the image's program table (theseus/image.h) */
	uint32_t segment_count;
	struct user_segment segments[USER_SEGMENTS_MAX];
	uint64_t entry;
	uint64_t brk;          /* the initial program break (page aligned) */
	uint32_t stack_start;  /* the start-up stack is stack[stack_start..], 16-aligned, */
	uint8_t stack[USER_STACK_IMAGE_MAX]; /* ending at USER_STACK_TOP; rsp points at its first byte */
	char name[32];         /* the program's name (NUL-terminated) */
};

/* Build the address space `plan` describes, each range checked (E_INVAL,
 * named, when one is outside the user half or the program's bytes), and
 * run the program on the calling task until it ends; everything it owned
 * is freed then. */
RESTRICTED_OPERATION struct user_result kernel_user_run(const struct user_load_plan *plan);

/* The calling process's record; NULL outside a system call. */
RESTRICTED_OPERATION struct user_vars *kernel_user_vars(void);

/* Copies between the caller's memory and the current process's: E_FAULT
 * for an address outside the user half or not mapped (readable, for
 * copy_in; writable, for copy_out). */
RESTRICTED_OPERATION struct status kernel_user_copy_in(struct bytes dst, uint64_t user_src);
RESTRICTED_OPERATION struct status kernel_user_copy_out(uint64_t user_dst, struct str src);

enum {
	USER_PROT_READ = 1,
	USER_PROT_WRITE = 2,
	USER_PROT_EXEC = 4,
};
/* Map zeroed pages [va, va + len) (both page aligned, in the user half)
 * into the current process: E_EXIST when one is mapped already (nothing
 * changes then), E_NOMEM past the process's page limit. */
RESTRICTED_OPERATION struct status kernel_user_map(uint64_t va, uint64_t len, uint32_t prot);
/* Unmap and free the pages of [va, va + len); returns how many were mapped. */
RESTRICTED_OPERATION uint64_t kernel_user_unmap(uint64_t va, uint64_t len);
/* The FS base of the current process (ARCH_SET_FS): E_INVAL outside the user half. */
RESTRICTED_OPERATION struct status kernel_user_set_fs(uint64_t base);
/* A NUL-terminated string from the current process into dst (NUL
 * included); *len its length. E_FAULT for a bad address, E_RANGE when no
 * NUL came within dst. */
RESTRICTED_OPERATION struct status kernel_user_copy_cstr(struct bytes dst, uint64_t user_src, size_t *len);

/* The processes running now (for `ps`). */
struct user_proc_info {
	uint32_t pid;
	char name[16];
	uint64_t pages;
	uint64_t syscalls;
};
/* Fills out[0..cap) (an array of the caller's); returns how many there are. */
size_t kernel_user_list(struct user_proc_info *out, size_t cap);

/* Pages the current process has mapped, and its limit. */
uint64_t kernel_user_pages(void);
uint64_t kernel_user_pages_max(void);

#endif
