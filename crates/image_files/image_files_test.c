/* In-kernel tests of the tree over the image the build packs
 * (testsuite/user/meson.build): programs busybox, syscalls, ...; data
 * files etc/motd, etc/hostname and about. */
#include <theseus/ktest.h>
#include "image_files.h"

static bool opens(struct str path, struct image_file *f) { return status_ok(image_files_open(path, f)); }

/* Entry `index` of directory `dir` is `want` (a directory or not). */
static bool entry_is(uint32_t dir, uint32_t index, struct str want, bool want_dir)
{
	char name[64];
	bool is_dir = !want_dir;
	return status_ok(image_files_dir_read(dir, index, BYTES_OF(name), &is_dir)) &&
	       str_eq(STR_FROM_CSTR_ARRAY(name), want) && is_dir == want_dir;
}

KTEST(image_files_paths_resolve, "image_files.paths_resolve")
{
	struct image_file f;
	KT_EXPECT(t, opens(STR("/"), &f) && f.id == IMAGE_FILE_ROOT && f.size == 0);
	KT_EXPECT(t, opens(STR("/bin"), &f) && f.id == IMAGE_FILE_BIN);
	KT_EXPECT(t, opens(STR("/bin/busybox"), &f) && f.id < IMAGE_FILE_DIR_FIRST && f.size > 100000);
	KT_EXPECT(t, opens(STR("/etc/hostname"), &f) && f.size == 8);
	char text[16];
	KT_EXPECT(t, image_files_read(f.id, 0, BYTES_OF(text)) == 8);
	KT_EXPECT(t, str_eq(STR_FROM_ARRAY(text, 8), STR("theseus\n")));
	KT_EXPECT(t, image_files_read(f.id, 3, BYTES_OF(text)) == 5);
	KT_EXPECT(t, image_files_read(f.id, 8, BYTES_OF(text)) == 0);
	KT_EXPECT(t, image_files_read(f.id, UINT64_MAX, BYTES_OF(text)) == 0);
	KT_EXPECT(t, opens(STR("/etc"), &f) && f.id >= IMAGE_FILE_DIR_FIRST && f.size == 0);
	KT_EXPECT(t, image_files_read(f.id, 0, BYTES_OF(text)) == 0); /* a directory has no bytes */
	KT_EXPECT(t, opens(STR("/about"), &f) && f.id < IMAGE_FILE_DIR_FIRST);
}

KTEST(image_files_refuses_what_is_not_there, "image_files.refuses_what_is_not_there")
{
	struct image_file f;
	const struct str bad[] = {STR(""), STR("bin"), STR("/bin/"), STR("/etc/"), STR("//etc"), STR("/bin/motd"),
				  STR("/motd"), STR("/etc/motd/"), STR("/bin/busybox/x"), STR("/busybox"),
				  STR("/etc/busybox"), STR("/e")};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		KT_EXPECT(t, image_files_open(*ARRAY_AT(bad, i), &f).err == E_NOENT);
	KT_EXPECT(t, image_files_read(IMAGE_FILE_ROOT, 0, BYTES_OF(f)) == 0);
}

KTEST(image_files_directories_list, "image_files.directories_list")
{
	struct image_file etc;
	KT_EXPECT(t, opens(STR("/etc"), &etc));
	/* The root: bin, then each top-level file and each DIR once, in table order. */
	KT_EXPECT(t, entry_is(IMAGE_FILE_ROOT, 0, STR("bin"), true));
	KT_EXPECT(t, entry_is(IMAGE_FILE_ROOT, 1, STR("etc"), true));
	KT_EXPECT(t, entry_is(IMAGE_FILE_ROOT, 2, STR("about"), false));
	char name[64];
	bool is_dir;
	KT_EXPECT(t, image_files_dir_read(IMAGE_FILE_ROOT, 3, BYTES_OF(name), &is_dir).err == E_NOENT);
	KT_EXPECT(t, entry_is(etc.id, 0, STR("motd"), false));
	KT_EXPECT(t, entry_is(etc.id, 1, STR("hostname"), false));
	KT_EXPECT(t, image_files_dir_read(etc.id, 2, BYTES_OF(name), &is_dir).err == E_NOENT);
	KT_EXPECT(t, entry_is(IMAGE_FILE_BIN, 0, STR("busybox"), false));
	/* A name that does not fit, and ids that are no directory. */
	char small[4];
	KT_EXPECT(t, image_files_dir_read(etc.id, 1, BYTES_OF(small), &is_dir).err == E_RANGE);
	struct image_file motd;
	KT_EXPECT(t, opens(STR("/etc/motd"), &motd));
	KT_EXPECT(t, image_files_dir_read(motd.id, 0, BYTES_OF(name), &is_dir).err == E_INVAL);
	KT_EXPECT(t, image_files_dir_read(IMAGE_FILE_DIR_FIRST | 0x7FFFFFFu, 0, BYTES_OF(name), &is_dir).err == E_INVAL);
}
