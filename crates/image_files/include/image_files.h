/* image_files: the boot image's programs and data files as a read-only
 * tree one level deep, for the process crate's open/read/getdents64.
 * "/bin/NAME" is program NAME (its ELF bytes), "/NAME" and "/DIR/NAME"
 * the data files of those names (mkimage build --file); "/", "/bin" and
 * each DIR are directories. The entries and bytes come from the nano-core
 * (theseus/image.h); the tree is this crate's. Keeps no state. */
#ifndef CRATE_IMAGE_FILES_H
#define CRATE_IMAGE_FILES_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>

/* A file's id is its program-table index; directories have ids from
 * IMAGE_FILE_DIR_FIRST up (a DIR is named by the index of its first file). */
#define IMAGE_FILE_DIR_FIRST 0x80000000u
#define IMAGE_FILE_BIN 0xFFFFFFFEu
#define IMAGE_FILE_ROOT 0xFFFFFFFFu

struct image_file {
	uint32_t id;
	uint64_t size; /* 0 for a directory */
};

/* Resolve an absolute path. E_NOENT for anything that is not in the tree,
 * E_BADARCH when the file's bytes no longer match their CRC. */
struct status image_files_open(struct str path, struct image_file *out);
/* Entry `index` (0, 1, ...) of directory `dir`: its name into dst,
 * NUL-terminated, and *is_dir. E_NOENT past the last, E_RANGE when dst is
 * too small, E_INVAL for an id that is no directory. */
struct status image_files_dir_read(uint32_t dir, uint32_t index, struct bytes dst, bool *is_dir);
/* Up to dst.len bytes of file `id` from `offset` into dst; how many (0 at
 * the end). */
uint64_t image_files_read(uint32_t id, uint64_t offset, struct bytes dst);

#endif
