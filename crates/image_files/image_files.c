/* image_files: the image's program table seen as a directory tree (see
 * include/image_files.h). Every lookup walks the table: it holds a few
 * dozen entries, and walking keeps the crate stateless, so a swap or
 * restart has nothing to carry. */
#include <theseus/crate.h>
#include <theseus/image.h>
#include "image_files.h"

CRATE("image_files", "1.0.0", "the boot image's programs and data files as a read-only tree", "", "", "");

static bool starts_with(struct str s, struct str prefix)
{
	return s.len >= prefix.len && str_eq(str_sub(s, 0, prefix.len), prefix);
}

/* Length of the directory part of a data file's name ("etc" of
 * "etc/motd"), 0 for none. */
static size_t dir_part(struct str name)
{
	for (size_t i = 0; i < name.len; i++)
		if (str_at(name, i) == '/')
			return i;
	return 0;
}

/* Is data file `name` inside directory `dir` (dir "etc": "etc/motd")? */
static bool in_dir(struct str name, struct str dir)
{
	return dir_part(name) == dir.len && starts_with(name, dir);
}

CRATE_EXPORT struct status image_files_open(struct str path, struct image_file *out)
{
	*out = (struct image_file){0};
	if (str_eq(path, STR("/")) || str_eq(path, STR("/bin"))) {
		out->id = path.len == 1 ? IMAGE_FILE_ROOT : IMAGE_FILE_BIN;
		return STATUS_OK;
	}
	if (path.len < 2 || str_at(path, 0) != '/')
		return STATUS(E_NOENT);
	bool program = starts_with(path, STR("/bin/"));
	struct str name = program ? str_sub(path, 5, path.len - 5) : str_sub(path, 1, path.len - 1);
	struct image_entry e;
	for (uint32_t i = 0; status_ok(kernel_image_entry(i, &e)); i++) {
		if ((e.is_file != 0) == program || !str_eq(STR_FROM_CSTR_ARRAY(e.name), name))
			continue;
		if (!kernel_image_intact(i))
			return STATUS(E_BADARCH);
		*out = (struct image_file){.id = i, .size = e.size};
		return STATUS_OK;
	}
	/* A directory of data files: /DIR when some file is DIR/NAME. */
	for (uint32_t i = 0; !program && status_ok(kernel_image_entry(i, &e)); i++) {
		if (e.is_file && in_dir(STR_FROM_CSTR_ARRAY(e.name), name)) {
			out->id = IMAGE_FILE_DIR_FIRST | i;
			return STATUS_OK;
		}
	}
	return STATUS(E_NOENT);
}

/* Is entry i the first data file in directory dir? The root lists each
 * DIR once, at its first file. */
static bool first_of_dir(uint32_t i, struct str dir)
{
	struct image_entry e;
	for (uint32_t j = 0; j < i && status_ok(kernel_image_entry(j, &e)); j++)
		if (e.is_file && in_dir(STR_FROM_CSTR_ARRAY(e.name), dir))
			return false;
	return true;
}

static struct status put_name(struct str name, struct bytes dst)
{
	if (name.len >= dst.len)
		return STATUS(E_RANGE);
	bytes_fill_cstr(dst, name);
	return STATUS_OK;
}

CRATE_EXPORT struct status image_files_dir_read(uint32_t dir, uint32_t index, struct bytes dst, bool *is_dir)
{
	*is_dir = false;
	if (dir == IMAGE_FILE_ROOT && index == 0) {
		*is_dir = true;
		return put_name(STR("bin"), dst);
	}
	/* A DIR's id names its first file, whose directory part is DIR. */
	struct image_entry first;
	struct str prefix = STR_EMPTY;
	if (dir != IMAGE_FILE_ROOT && dir != IMAGE_FILE_BIN) {
		if (dir < IMAGE_FILE_DIR_FIRST || !status_ok(kernel_image_entry(dir & ~IMAGE_FILE_DIR_FIRST, &first)) ||
		    !first.is_file)
			return STATUS(E_INVAL);
		struct str n = STR_FROM_CSTR_ARRAY(first.name);
		prefix = str_sub(n, 0, dir_part(n));
		if (prefix.len == 0)
			return STATUS(E_INVAL);
	}
	struct image_entry e;
	uint32_t k = dir == IMAGE_FILE_ROOT ? 1 : 0; /* the root's entry 0 is bin */
	for (uint32_t i = 0; status_ok(kernel_image_entry(i, &e)); i++) {
		struct str n = STR_FROM_CSTR_ARRAY(e.name);
		size_t d = dir_part(n);
		struct str shown;
		if (dir == IMAGE_FILE_BIN) {
			if (e.is_file)
				continue;
			shown = n;
		} else if (dir == IMAGE_FILE_ROOT) {
			if (!e.is_file || (d && !first_of_dir(i, str_sub(n, 0, d))))
				continue;
			shown = d ? str_sub(n, 0, d) : n;
		} else {
			if (!e.is_file || !in_dir(n, prefix))
				continue;
			shown = str_sub(n, d + 1, n.len - d - 1);
		}
		if (k++ == index) {
			*is_dir = dir == IMAGE_FILE_ROOT && d != 0;
			return put_name(shown, dst);
		}
	}
	return STATUS(E_NOENT);
}

CRATE_EXPORT uint64_t image_files_read(uint32_t id, uint64_t offset, struct bytes dst)
{
	return id < IMAGE_FILE_DIR_FIRST ? kernel_image_read(id, offset, dst) : 0;
}
