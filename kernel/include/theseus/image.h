/* Trusted header: the boot image's program table, read only (programs and
 * data files packed by mkimage build --program/--file; see
 * docs/archive-format.md). The nano-core hands out entries and bytes;
 * what they look like as files (paths, directories) is the image_files
 * crate's. */
#ifndef THESEUS_IMAGE_H
#define THESEUS_IMAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>

/* A program's name is at most 31 characters, a data file's (NAME or
 * DIR/NAME) at most 63: mkimage refuses longer ones. */
#define IMAGE_NAME_MAX 64

struct image_entry {
	char name[IMAGE_NAME_MAX]; /* NUL-terminated */
	uint64_t size;             /* bytes */
	uint32_t is_file;          /* 1: a data file; 0: a program (/bin/NAME) */
};

/* Entry `index` (0, 1, ...) of the program table: E_NOENT past the last
 * (or when no image was booted). */
struct status kernel_image_entry(uint32_t index, struct image_entry *out);
/* Whether entry `index`'s bytes still match the CRC-32 mkimage recorded. */
bool kernel_image_intact(uint32_t index);
/* Up to dst.len bytes of entry `index` from `offset` into dst; how many
 * (0 at the end, or for no such entry). */
uint64_t kernel_image_read(uint32_t index, uint64_t offset, struct bytes dst);

#endif
