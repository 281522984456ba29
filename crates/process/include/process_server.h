/* The system call server's code, built by two crates: process (this
 * folder's process.c) and its alternative process_v2 (with PROCESS_V2
 * defined: uname's version field says 2.0.0), so that a live swap of the
 * server under a running program can be seen. Included once per crate. */
#include <theseus/alloc.h>
#include <theseus/console.h>
#include <theseus/cpu.h>
#include <theseus/crate.h>
#include <theseus/services.h>
#include <theseus/user.h>
#include "image_files.h"
#include "process.h"
#include "timer.h"

#ifdef PROCESS_V2
CRATE("process_v2", "2.0.0", "user programs' system calls, version 2 (an alternative of process)",
      "process_init", "process", "image_files,timer");
#define PROCESS_VERSION "process 2.0.0"
#else
CRATE("process", "1.0.0", "user programs: Linux x86-64 system calls served as messages", "process_init", "",
      "image_files,timer");
#define PROCESS_VERSION "process 1.0.0"
#endif

/* Linux x86-64 system call numbers. */
enum {
	SYS_read = 0, SYS_write = 1, SYS_close = 3, SYS_fstat = 5, SYS_lseek = 8, SYS_mmap = 9,
	SYS_mprotect = 10, SYS_munmap = 11, SYS_brk = 12, SYS_rt_sigaction = 13, SYS_rt_sigprocmask = 14,
	SYS_ioctl = 16, SYS_writev = 20, SYS_sched_yield = 24, SYS_getpid = 39, SYS_exit = 60,
	SYS_uname = 63, SYS_readlink = 89, SYS_gettimeofday = 96, SYS_getuid = 102, SYS_getgid = 104,
	SYS_geteuid = 107, SYS_getegid = 108, SYS_getppid = 110, SYS_getpgrp = 111, SYS_prctl = 157,
	SYS_arch_prctl = 158, SYS_gettid = 186, SYS_time = 201, SYS_set_tid_address = 218,
	SYS_clock_gettime = 228, SYS_exit_group = 231, SYS_openat = 257, SYS_newfstatat = 262,
	SYS_set_robust_list = 273, SYS_prlimit64 = 302, SYS_getrandom = 318, SYS_rseq = 334,
	SYS_open = 2, SYS_stat = 4, SYS_lstat = 6, SYS_pread64 = 17, SYS_sendfile = 40,
	SYS_getcwd = 79, SYS_chdir = 80, SYS_getdents64 = 217,
};

/* errno values. */
enum {
	ENOENT = 2, EIO = 5, EBADF = 9, ENOMEM = 12, EFAULT = 14, ENODEV = 19, ENOTDIR = 20, EISDIR = 21,
	EINVAL = 22, EMFILE = 24, ENOTTY = 25, ESPIPE = 29, EROFS = 30, ENAMETOOLONG = 36, ENOSYS = 38,
};

#define PAGE 4096ull

static uint64_t page_up(uint64_t v) { return (v + PAGE - 1) & ~(PAGE - 1); }

static int64_t status_errno(struct status s)
{
	switch (s.err) {
	case E_OK: return 0;
	case E_FAULT: return -EFAULT;
	case E_NOMEM: return -ENOMEM;
	default: return -EINVAL;
	}
}

/* ---- console I/O ---- */

static int64_t write_out(uint64_t buf, uint64_t len)
{
	char chunk[256];
	uint64_t done = 0;
	while (done < len) {
		uint64_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
		struct bytes b = bytes_carve(BYTES_OF(chunk), 0, n);
		if (!status_ok(kernel_user_copy_in(b, buf + done)))
			return done ? (int64_t)done : -EFAULT;
		kernel_console_write(STR_OF_BYTES(b));
		done += n;
	}
	return (int64_t)done;
}

static int64_t sys_write(const struct user_syscall *c)
{
	if (c->arg[0] != 1 && c->arg[0] != 2)
		return -EBADF;
	return write_out(c->arg[1], c->arg[2]);
}

struct iovec {
	uint64_t base;
	uint64_t len;
};

static int64_t sys_writev(const struct user_syscall *c)
{
	if (c->arg[0] != 1 && c->arg[0] != 2)
		return -EBADF;
	if (c->arg[2] > 1024)
		return -EINVAL;
	int64_t total = 0;
	for (uint64_t i = 0; i < c->arg[2]; i++) {
		struct iovec v;
		if (!status_ok(kernel_user_copy_in(BYTES_OF(v), c->arg[1] + i * sizeof v)))
			return total ? total : -EFAULT;
		int64_t n = write_out(v.base, v.len);
		if (n < 0)
			return total ? total : n;
		total += n;
	}
	return total;
}

/* ---- files of the image, read-only ---- */

static struct user_fd *file_fd(uint64_t fd)
{
	struct user_vars *v = kernel_user_vars();
	if (fd < 3 || fd >= USER_FDS || !v->fds[fd].open)
		return NULL;
	return ARRAY_AT(v->fds, fd);
}

/* Read from an open file at *offset into the program's buffer. */
static int64_t file_read(struct user_fd *f, uint64_t *offset, uint64_t buf, uint64_t len)
{
	if (f->id >= IMAGE_FILE_DIR_FIRST)
		return -EISDIR;
	char chunk[256];
	uint64_t done = 0;
	while (done < len) {
		uint64_t want = len - done < sizeof chunk ? len - done : sizeof chunk;
		uint64_t got = image_files_read(f->id, *offset, bytes_carve(BYTES_OF(chunk), 0, want));
		if (got == 0)
			break;
		if (!status_ok(kernel_user_copy_out(buf + done, STR_OF_BYTES(bytes_carve(BYTES_OF(chunk), 0, got)))))
			return done ? (int64_t)done : -EFAULT;
		*offset += got;
		done += got;
	}
	return (int64_t)done;
}

/* Standard input is at its end: the console is the shell's. */
static int64_t sys_read(const struct user_syscall *c)
{
	if (c->arg[0] <= 2)
		return 0;
	struct user_fd *f = file_fd(c->arg[0]);
	return f ? file_read(f, &f->offset, c->arg[1], c->arg[2]) : -EBADF;
}

static int64_t sys_pread64(const struct user_syscall *c)
{
	struct user_fd *f = file_fd(c->arg[0]);
	if (!f)
		return c->arg[0] <= 2 ? -ESPIPE : -EBADF;
	uint64_t at = c->arg[3];
	return file_read(f, &at, c->arg[1], c->arg[2]);
}

/* The path a program names, as the image's absolute path: the working
 * directory is always "/". */
struct path {
	char text[72];
	size_t len;
};

static int64_t path_in(uint64_t dirfd, uint64_t user_path, struct path *p)
{
	char raw[64] = {0};
	size_t len = 0;
	struct status s = kernel_user_copy_cstr(BYTES_OF(raw), user_path, &len);
	if (s.err == E_FAULT)
		return -EFAULT;
	if (!status_ok(s))
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	if (str_at(STR_FROM_ARRAY(raw, len), 0) != '/' && dirfd != (uint64_t)-100 /* AT_FDCWD */)
		return -ENOTDIR; /* relative to an open file: no directories to open */
	size_t i = 0, n = 0;
	p->text[n++] = '/';
	while (i < len) {
		char ch = raw[i];
		/* Drop "./" and repeated slashes. */
		if (ch == '/' || (ch == '.' && (i + 1 == len || raw[i + 1] == '/'))) {
			i++;
			continue;
		}
		size_t start = i;
		while (i < len && raw[i] != '/')
			i++;
		if (n > 1)
			p->text[n++] = '/';
		for (size_t k = start; k < i && n < sizeof p->text - 1; k++)
			p->text[n++] = raw[k];
	}
	p->len = n;
	return 0;
}

static int64_t file_open(struct path *p, struct image_file *out)
{
	struct status s = image_files_open(STR_FROM_ARRAY(p->text, p->len), out);
	if (s.err == E_BADARCH)
		return -EIO;
	return status_ok(s) ? 0 : -ENOENT;
}

enum { O_ACCMODE = 3, O_CREAT = 0x40, O_TRUNC = 0x200, O_DIRECTORY = 0x10000 };

static int64_t sys_openat(uint64_t dirfd, uint64_t user_path, uint64_t flags)
{
	struct path p = {0};
	int64_t r = path_in(dirfd, user_path, &p);
	struct image_file file = {0};
	if (r == 0)
		r = file_open(&p, &file);
	if (r == -ENOENT && (flags & O_CREAT))
		return -EROFS;
	if (r < 0)
		return r;
	if ((flags & O_ACCMODE) != 0 || (flags & O_TRUNC))
		return file.id >= IMAGE_FILE_DIR_FIRST ? -EISDIR : -EROFS;
	if ((flags & O_DIRECTORY) && file.id < IMAGE_FILE_DIR_FIRST)
		return -ENOTDIR;
	struct user_vars *v = kernel_user_vars();
	for (uint64_t fd = 3; fd < USER_FDS; fd++) {
		if (!v->fds[fd].open) {
			*ARRAY_AT(v->fds, fd) = (struct user_fd){true, file.id, file.size, 0};
			return (int64_t)fd;
		}
	}
	return -EMFILE;
}

static int64_t sys_close(uint64_t fd)
{
	if (fd <= 2)
		return 0;
	struct user_fd *f = file_fd(fd);
	if (!f)
		return -EBADF;
	f->open = false;
	return 0;
}

static int64_t sys_lseek(uint64_t fd, int64_t offset, uint64_t whence)
{
	if (fd <= 2)
		return -ESPIPE;
	struct user_fd *f = file_fd(fd);
	if (!f)
		return -EBADF;
	int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)f->offset : whence == 2 ? (int64_t)f->size : -1;
	if (base < 0 || base + offset < 0)
		return -EINVAL;
	f->offset = (uint64_t)(base + offset);
	return (int64_t)f->offset;
}

/* getdents64: struct linux_dirent64 records {ino, off, reclen, type,
 * name}; the fd's offset counts entries. */
static int64_t sys_getdents64(uint64_t fd, uint64_t buf, uint64_t count)
{
	struct user_fd *f = file_fd(fd);
	if (!f)
		return -EBADF;
	if (f->id < IMAGE_FILE_DIR_FIRST)
		return -ENOTDIR;
	uint64_t done = 0;
	for (;;) {
		struct {
			uint64_t ino;
			int64_t off;
			uint16_t reclen;
			uint8_t type;
			char name[69];
			uint8_t end; /* not copied: keeps name from being the trailing member */
		} rec = {0}; /* linux_dirent64's offsets (0, 8, 16, 18, 19) without packing */
		bool is_dir = false;
		struct status s = image_files_dir_read(f->id, (uint32_t)f->offset, BYTES_OF(rec.name), &is_dir);
		if (!status_ok(s))
			break;
		size_t len = 0;
		while (len < sizeof rec.name && rec.name[len])
			len++;
		uint64_t reclen = (19 + len + 1 + 7) & ~7ull;
		if (done + reclen > count)
			return done ? (int64_t)done : -EINVAL;
		rec.ino = 100 + f->offset;
		rec.off = (int64_t)f->offset + 1;
		rec.reclen = (uint16_t)reclen;
		rec.type = is_dir ? 4 /* DT_DIR */ : 8 /* DT_REG */;
		if (!status_ok(kernel_user_copy_out(buf + done, STR_OF_BYTES(bytes_carve(BYTES_OF(rec), 0, reclen)))))
			return done ? (int64_t)done : -EFAULT;
		done += reclen;
		f->offset++;
	}
	return (int64_t)done;
}

/* sendfile(out, in, offset pointer, count): a file to the console. */
static int64_t sys_sendfile(const struct user_syscall *c)
{
	struct user_fd *f = file_fd(c->arg[1]);
	if (!f || (c->arg[0] != 1 && c->arg[0] != 2))
		return -EBADF;
	if (f->id >= IMAGE_FILE_DIR_FIRST)
		return -EINVAL;
	uint64_t at = f->offset;
	if (c->arg[2] && !status_ok(kernel_user_copy_in(BYTES_OF(at), c->arg[2])))
		return -EFAULT;
	char chunk[256];
	uint64_t done = 0;
	while (done < c->arg[3]) {
		uint64_t want = c->arg[3] - done < sizeof chunk ? c->arg[3] - done : sizeof chunk;
		uint64_t got = image_files_read(f->id, at, bytes_carve(BYTES_OF(chunk), 0, want));
		if (got == 0)
			break;
		kernel_console_write(STR_OF_BYTES(bytes_carve(BYTES_OF(chunk), 0, got)));
		at += got;
		done += got;
	}
	if (c->arg[2]) {
		if (!status_ok(kernel_user_copy_out(c->arg[2], STR_OF_BYTES(BYTES_OF(at)))))
			return -EFAULT;
	} else {
		f->offset = at;
	}
	return (int64_t)done;
}

/* ---- memory ---- */

static int64_t sys_brk(struct user_vars *v, uint64_t want)
{
	if (want < v->brk_base || want > v->mmap_next)
		return (int64_t)v->brk;
	uint64_t have_end = page_up(v->brk), want_end = page_up(want);
	if (want_end > have_end &&
	    !status_ok(kernel_user_map(have_end, want_end - have_end, USER_PROT_READ | USER_PROT_WRITE)))
		return (int64_t)v->brk;
	if (want_end < have_end)
		(void)kernel_user_unmap(want_end, have_end - want_end);
	v->brk = want;
	return (int64_t)want;
}

enum { MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, PROT_WRITE = 2, PROT_EXEC = 4 };

static int64_t sys_mmap(struct user_vars *v, const struct user_syscall *c)
{
	uint64_t addr = c->arg[0], len = page_up(c->arg[1]), prot = c->arg[2], flags = c->arg[3];
	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV; /* no files to map yet */
	if (len == 0 || len > (1ull << 36))
		return -EINVAL;
	uint32_t p = USER_PROT_READ | (prot & PROT_WRITE ? USER_PROT_WRITE : 0) |
		     (prot & PROT_EXEC ? USER_PROT_EXEC : 0);
	if (flags & MAP_FIXED) {
		if (addr % PAGE)
			return -EINVAL;
		(void)kernel_user_unmap(addr, len);
		struct status s = kernel_user_map(addr, len, p);
		return status_ok(s) ? (int64_t)addr : status_errno(s);
	}
	if (len > v->mmap_next || v->mmap_next - len < page_up(v->brk) + (1ull << 30))
		return -ENOMEM;
	uint64_t at = v->mmap_next - len;
	struct status s = kernel_user_map(at, len, p);
	if (!status_ok(s))
		return status_errno(s);
	v->mmap_next = at;
	return (int64_t)at;
}

static int64_t sys_munmap(const struct user_syscall *c)
{
	if (c->arg[0] % PAGE || c->arg[1] == 0)
		return -EINVAL;
	(void)kernel_user_unmap(c->arg[0], page_up(c->arg[1]));
	return 0;
}

/* ---- identity, time, the rest ---- */

static int64_t copy_out_bytes(uint64_t dst, struct bytes b)
{
	return status_ok(kernel_user_copy_out(dst, STR_OF_BYTES(b))) ? 0 : -EFAULT;
}

struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

static void put_field(char (*field)[65], struct str text)
{
	for (size_t i = 0; i < text.len && i < 64; i++)
		(*field)[i] = str_at(text, i);
}

static int64_t sys_uname(uint64_t dst)
{
	struct utsname u = {0};
	put_field(&u.sysname, STR("Linux"));
	put_field(&u.nodename, STR("theseus"));
	put_field(&u.release, STR("6.1.0-theseus"));
	put_field(&u.version, STR("#1 Theseus-in-C " PROCESS_VERSION));
	put_field(&u.machine, STR("x86_64"));
	put_field(&u.domainname, STR("(none)"));
	return copy_out_bytes(dst, BYTES_OF(u));
}

struct timespec {
	int64_t sec, nsec;
};

/* Every clock counts from boot: there is no wall clock yet. */
static struct timespec now(void)
{
	uint64_t ns = timer_cycles_to_ns(cpu_timestamp());
	return (struct timespec){(int64_t)(ns / 1000000000u), (int64_t)(ns % 1000000000u)};
}

static int64_t sys_clock_gettime(uint64_t clock, uint64_t dst)
{
	if (clock > 11)
		return -EINVAL;
	struct timespec t = now();
	return copy_out_bytes(dst, BYTES_OF(t));
}

static int64_t sys_gettimeofday(uint64_t dst)
{
	struct timespec t = now();
	t.nsec /= 1000;
	return dst ? copy_out_bytes(dst, BYTES_OF(t)) : 0;
}

struct rlimit {
	uint64_t cur, max;
};

static int64_t sys_prlimit64(const struct user_syscall *c)
{
	if (c->arg[0] != 0 && c->arg[0] != kernel_user_vars()->pid)
		return -EINVAL;
	if (c->arg[3]) {
		/* RLIMIT_STACK: the stack a program gets; others unlimited. */
		struct rlimit r = {~0ull, ~0ull};
		if (c->arg[1] == 3)
			r.cur = 512 * 1024;
		return copy_out_bytes(c->arg[3], BYTES_OF(r));
	}
	return 0;
}

static int64_t sys_getrandom(uint64_t dst, uint64_t len)
{
	uint64_t x = cpu_timestamp() | 1;
	uint64_t done = 0;
	while (done < len) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t word = x * 0x2545F4914F6CDD1Dull;
		struct bytes b = bytes_carve(BYTES_OF(word), 0, len - done < 8 ? len - done : 8);
		if (copy_out_bytes(dst + done, b) < 0)
			return done ? (int64_t)done : -EFAULT;
		done += b.len;
	}
	return (int64_t)done;
}

/* A character device for the three standard descriptors (st_mode). */
struct stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	int64_t atime[2], mtime[2], ctime[2];
	int64_t reserved[3];
};

static int64_t stat_out(uint64_t dst, uint32_t mode, uint64_t size, uint64_t ino)
{
	struct stat st = {0};
	st.mode = mode;
	st.nlink = 1;
	st.size = (int64_t)size;
	st.blksize = 4096;
	st.blocks = (int64_t)((size + 511) / 512);
	st.ino = ino;
	st.dev = 1;
	return copy_out_bytes(dst, BYTES_OF(st));
}

static int64_t file_stat(uint64_t dst, uint32_t id, uint64_t size)
{
	if (id >= IMAGE_FILE_DIR_FIRST)
		return stat_out(dst, 0040555 /* S_IFDIR | 0555 */, 0, 1);
	return stat_out(dst, 0100444 /* S_IFREG | 0444 */, size, 2 + id);
}

static int64_t sys_fstat(uint64_t fd, uint64_t dst)
{
	if (fd <= 2) {
		struct stat st = {0};
		st.mode = 0020620; /* S_IFCHR | 0620 */
		st.nlink = 1;
		st.blksize = 1024;
		st.rdev = 0x8800;
		return copy_out_bytes(dst, BYTES_OF(st));
	}
	struct user_fd *f = file_fd(fd);
	return f ? file_stat(dst, f->id, f->size) : -EBADF;
}

enum { AT_EMPTY_PATH = 0x1000 };

static int64_t sys_newfstatat(uint64_t dirfd, uint64_t user_path, uint64_t dst, uint64_t flags)
{
	if (flags & AT_EMPTY_PATH) {
		char first = 0;
		if (!status_ok(kernel_user_copy_in(BYTES_OF(first), user_path)))
			return -EFAULT;
		if (first == 0)
			return sys_fstat(dirfd, dst);
	}
	struct path p = {0};
	int64_t r = path_in(dirfd, user_path, &p);
	struct image_file file = {0};
	if (r == 0)
		r = file_open(&p, &file);
	return r < 0 ? r : file_stat(dst, file.id, file.size);
}

static int64_t sys_rt_sigaction(const struct user_syscall *c)
{
	if (c->arg[0] == 0 || c->arg[0] > 64 || c->arg[3] != 8)
		return -EINVAL;
	if (c->arg[2]) {
		uint64_t old[4] = {0, 0, 0, 0}; /* SIG_DFL, no flags, no mask */
		return copy_out_bytes(c->arg[2], BYTES_OF(old));
	}
	return 0;
}

static int64_t sys_rt_sigprocmask(const struct user_syscall *c)
{
	if (c->arg[3] != 8)
		return -EINVAL;
	if (c->arg[2]) {
		uint64_t old = 0;
		return copy_out_bytes(c->arg[2], BYTES_OF(old));
	}
	return 0;
}

enum { ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, PR_SET_NAME = 15, PR_GET_NAME = 16, TCGETS = 0x5401 };

static int64_t sys_prctl(const struct user_syscall *c)
{
	if (c->arg[0] == PR_GET_NAME) {
		char task[16] = {0};
		struct user_vars *v = kernel_user_vars();
		for (size_t i = 0; i < 15 && i < sizeof v->name; i++)
			task[i] = v->name[i];
		return copy_out_bytes(c->arg[1], BYTES_OF(task));
	}
	if (c->arg[0] == PR_SET_NAME)
		return 0;
	return -EINVAL;
}

CRATE_EXPORT void process_syscall(struct user_syscall *call)
{
	struct user_vars *v = kernel_user_vars();
	const struct user_syscall *c = call;
	int64_t r = -ENOSYS;
	switch (c->nr) {
	case SYS_read: r = sys_read(c); break;
	case SYS_pread64: r = sys_pread64(c); break;
	case SYS_open: r = sys_openat((uint64_t)-100, c->arg[0], c->arg[1]); break;
	case SYS_openat: r = sys_openat(c->arg[0], c->arg[1], c->arg[2]); break;
	case SYS_stat:
	case SYS_lstat: r = sys_newfstatat((uint64_t)-100, c->arg[0], c->arg[1], 0); break;
	case SYS_sendfile: r = sys_sendfile(c); break;
	case SYS_getdents64: r = sys_getdents64(c->arg[0], c->arg[1], c->arg[2]); break;
	case SYS_getcwd:
		r = c->arg[1] < 2 ? -34 /* ERANGE */
				  : status_ok(kernel_user_copy_out(c->arg[0], STR("/\0"))) ? 2 : -EFAULT;
		break;
	case SYS_chdir: r = -EROFS; break;
	case SYS_write: r = sys_write(c); break;
	case SYS_writev: r = sys_writev(c); break;
	case SYS_close: r = sys_close(c->arg[0]); break;
	case SYS_fstat: r = sys_fstat(c->arg[0], c->arg[1]); break;
	case SYS_lseek: r = sys_lseek(c->arg[0], (int64_t)c->arg[1], c->arg[2]); break;
	case SYS_newfstatat: r = sys_newfstatat(c->arg[0], c->arg[1], c->arg[2], c->arg[3]); break;
	case SYS_readlink: r = -ENOENT; break;
	case SYS_ioctl: r = c->arg[1] == TCGETS ? -ENOTTY : -ENOTTY; break;
	case SYS_exit:
	case SYS_exit_group:
		call->exit = true;
		call->exit_code = (int32_t)(c->arg[0] & 0xff);
		r = 0;
		break;
	case SYS_getpid:
	case SYS_gettid: r = v->pid; break;
	case SYS_getppid: r = v->ppid; break;
	case SYS_getpgrp: r = v->pid; break;
	case SYS_getuid:
	case SYS_getgid:
	case SYS_geteuid:
	case SYS_getegid: r = 0; break;
	case SYS_brk: r = sys_brk(v, c->arg[0]); break;
	case SYS_mmap: r = sys_mmap(v, c); break;
	case SYS_munmap: r = sys_munmap(c); break;
	case SYS_mprotect: r = c->arg[0] % PAGE ? -EINVAL : 0; break; /* accepted, not enforced */
	case SYS_arch_prctl:
		if (c->arg[0] == ARCH_SET_FS)
			r = status_ok(kernel_user_set_fs(c->arg[1])) ? 0 : -EFAULT;
		else
			r = -EINVAL;
		break;
	case SYS_set_tid_address: v->tid_address = c->arg[0]; r = v->pid; break;
	case SYS_set_robust_list: r = 0; break;
	case SYS_rseq: r = -ENOSYS; break;
	case SYS_uname: r = sys_uname(c->arg[0]); break;
	case SYS_clock_gettime: r = sys_clock_gettime(c->arg[0], c->arg[1]); break;
	case SYS_gettimeofday: r = sys_gettimeofday(c->arg[0]); break;
	case SYS_time: r = now().sec; break;
	case SYS_prlimit64: r = sys_prlimit64(c); break;
	case SYS_getrandom: r = sys_getrandom(c->arg[0], c->arg[1]); break;
	case SYS_rt_sigaction: r = sys_rt_sigaction(c); break;
	case SYS_rt_sigprocmask: r = sys_rt_sigprocmask(c); break;
	case SYS_prctl: r = sys_prctl(c); break;
	case SYS_sched_yield: r = 0; break;
	default: r = -ENOSYS; break;
	}
	call->ret = r;
}

CRATE_EXPORT struct status process_init(void)
{
	return kernel_service_register(KERNEL_SERVICE_SYSCALL, STR("process_syscall"));
}
