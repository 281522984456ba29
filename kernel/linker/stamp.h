/* The attestation stamp of a crate object (docs/safe-c.md, "The verdict
 * travels with the object").
 *
 * After the checker passed every source of a crate and objcheck passed
 * the linked object, the build appends a 64-byte trailer to the object:
 *
 *   offset  size  field
 *        0     8  magic "THSTAMP1"
 *        8     4  format version (1), little-endian
 *       12     4  flags (0)
 *       16     8  covered: the object's size, the bytes before the trailer
 *       24     8  zero
 *       32    32  tag: BLAKE2s-256 keyed with the build's 32-byte key, over
 *                 the covered bytes, then trailer bytes 0..31
 *
 * ELF readers ignore bytes after the section headers, so a stamped object
 * is still the same object to every tool. Whoever holds the key can stamp:
 * the build (objcheck --stamp) and mkimage, which re-stamps what it changes
 * (push strips debug sections). The nano-core is built with the key and
 * refuses a crate whose stamp is missing or does not match. */
#ifndef THESEUS_LINKER_STAMP_H
#define THESEUS_LINKER_STAMP_H

#include <stddef.h>
#include <stdint.h>

#define STAMP_MAGIC "THSTAMP1"
#define STAMP_SIZE 64u
#define STAMP_VERSION 1u
#define STAMP_KEY_SIZE 32u
#define STAMP_TAG_SIZE 32u

enum stamp_verdict {
	STAMP_VALID,   /* the tag matches: checked by this build */
	STAMP_MISSING, /* no trailer: never stamped (compiled without the checker?) */
	STAMP_BAD,     /* a trailer that is malformed or whose tag does not match */
};

/* Verify image[0, size). On STAMP_VALID *covered is the object's size
 * without the trailer. *why (if not NULL) gets a one-line reason. */
enum stamp_verdict stamp_verify(const uint8_t *image, uint64_t size, const uint8_t *key,
                                uint64_t *covered, const char **why);

/* The trailer for object[0, size): writes STAMP_SIZE bytes to out. */
void stamp_make(const uint8_t *object, uint64_t size, const uint8_t *key, uint8_t *out);

#endif
