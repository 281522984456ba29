/* In-kernel tests of user space's mechanism: the descriptors ring 3
 * needs, and the program loader's refusals (every field it trusts is
 * checked first; each broken rule is named). Programs running in ring 3
 * are tested under QEMU by testsuite/user/test_user_space.py. */
#include "kernel.h"
#include "user_elf.h"
#include "arch/x86_64/x86.h"
#include "records.h" /* the nano-core's own KT_EXPECT_MSG (kprintf conversions) */
#include <theseus/user.h>

KTEST(user_descriptors, "user.descriptors")
{
	uint16_t tr;
	__asm__ volatile("str %0" : "=r"(tr));
	KT_EXPECT_MSG(t, tr == 0x28, "task register 0x%x", tr);
	/* LAR: the access rights of a selector, ZF set when it is valid. */
	for (unsigned sel = GDT_USER_DATA | 3; sel <= (GDT_USER_CODE | 3); sel += 8) {
		uint32_t rights = 0;
		uint8_t ok;
		__asm__ volatile("lar %2, %0; setz %1" : "=r"(rights), "=q"(ok) : "r"(sel) : "cc");
		KT_EXPECT_MSG(t, ok && ((rights >> 13) & 3) == 3, "selector 0x%x rights 0x%x", sel, rights);
	}
	KT_EXPECT(t, rdmsr(MSR_EFER) & EFER_SCE);
	KT_EXPECT(t, rdmsr(MSR_LSTAR) >= KERNEL_VMA);
	/* Outside a system call there is no process to copy from or map into. */
	char b[4];
	KT_EXPECT(t, kernel_user_copy_in((struct bytes){(unsigned char *)b, 4}, 0x400000).err == E_INVAL);
	KT_EXPECT(t, kernel_user_vars() == NULL);
}

static bool contains(const char *text, const char *part)
{
	size_t n = strlen(part);
	for (; *text; text++)
		if (strncmp(text, part, n) == 0)
			return true;
	return false;
}

static uint8_t image[4096] __attribute__((aligned(16)));
static unsigned maps, writes;

static struct status count_map(void *ctx, uint64_t va, uint64_t len, uint32_t prot)
{
	(void)ctx, (void)va, (void)len, (void)prot;
	maps++;
	return STATUS_OK;
}

static struct status count_write(void *ctx, uint64_t va, const void *src, uint64_t len)
{
	(void)ctx, (void)va, (void)src, (void)len;
	writes++;
	return STATUS_OK;
}

static void put16(uint64_t at, uint16_t v) { image[at] = (uint8_t)v, image[at + 1] = (uint8_t)(v >> 8); }
static void put32(uint64_t at, uint32_t v) { put16(at, (uint16_t)v), put16(at + 2, (uint16_t)(v >> 16)); }
static void put64(uint64_t at, uint64_t v) { put32(at, (uint32_t)v), put32(at + 4, (uint32_t)(v >> 32)); }

/* A small valid ET_EXEC: one R+X PT_LOAD of the whole file at 0x400000. */
static void good_image(void)
{
	memset(image, 0, sizeof image);
	memcpy(image, "\x7f" "ELF\x02\x01\x01", 7);
	put16(16, 2), put16(18, 62), put32(20, 1), put64(24, 0x400100), put64(32, 64);
	put16(52, 64), put16(54, 56), put16(56, 1);
	put32(64, 1), put32(68, 5), put64(72, 0), put64(80, 0x400000), put64(96, 512), put64(104, 8192);
}

static struct status load(char *why, size_t cap, struct user_image *img)
{
	struct user_elf_target tgt = {NULL, count_map, count_write};
	maps = writes = 0;
	return user_elf_load(image, sizeof image, &tgt, img, why, cap);
}

KTEST(user_elf_loader, "user.elf_loader_validates")
{
	char why[96] = "";
	struct user_image img;
	good_image();
	struct status s = load(why, sizeof why, &img);
	KT_EXPECT_MSG(t, status_ok(s), "good image refused: %s", why);
	KT_EXPECT(t, img.entry == 0x400100 && img.phdr == 0x400040 && img.end == 0x402000);
	KT_EXPECT(t, maps == 1 && writes == 1);

	static const struct {
		uint64_t at;
		unsigned width;
		uint64_t value;
		const char *says;
	} bad[] = {
		{0, 1, 0, "no ELF magic"},
		{4, 1, 1, "not ELFCLASS64"},
		{16, 2, 1, "not ET_EXEC"},
		{18, 2, 3, "x86-64"},
		{54, 2, 32, "e_phentsize"},
		{56, 2, 0, "program header count"},
		{32, 8, 4090, "program header table outside"},
		{24, 8, 0x900000, "entry point"},
		{64, 4, 3, "PT_INTERP"},
		{96, 8, 16384, "p_filesz above p_memsz"},
		{72, 8, 4000, "file bytes outside"},
		{80, 8, 0x400010, "differ modulo the page size"},
		{80, 8, 0x1000, "outside the user program area"},
		{80, 8, 0xFFFFFFFF80000000ull, "outside the user program area"},
		{68, 4, 4, "entry point"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		good_image();
		if (bad[i].width == 1)
			image[bad[i].at] = (uint8_t)bad[i].value;
		else if (bad[i].width == 2)
			put16(bad[i].at, (uint16_t)bad[i].value);
		else if (bad[i].width == 4)
			put32(bad[i].at, (uint32_t)bad[i].value);
		else
			put64(bad[i].at, bad[i].value);
		why[0] = 0;
		s = load(why, sizeof why, &img);
		KT_EXPECT_MSG(t, s.err == E_BADELF && contains(why, bad[i].says) && maps == 0,
			      "case %zu: %s, maps %u, why \"%s\"", i, kerr_name(s.err), maps, why);
	}
	/* Two overlapping PT_LOAD segments. */
	good_image();
	put16(56, 2);
	memcpy(image + 120, image + 64, 56);
	put64(120 + 16, 0x401000);
	s = load(why, sizeof why, &img);
	KT_EXPECT_MSG(t, s.err == E_BADELF && contains(why, "overlap"), "why \"%s\"", why);
	/* Truncated: smaller than a header. */
	struct user_elf_target tgt = {NULL, count_map, count_write};
	s = user_elf_load(image, 40, &tgt, &img, why, sizeof why);
	KT_EXPECT(t, s.err == E_BADELF && contains(why, "smaller than an ELF header"));
}
