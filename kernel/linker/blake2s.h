/* BLAKE2s (RFC 7693), keyed: the digest that stamps checked crate objects.
 * Portable C with no allocation: the nano-core, objcheck and the host
 * tests share it. */
#ifndef THESEUS_LINKER_BLAKE2S_H
#define THESEUS_LINKER_BLAKE2S_H

#include <stddef.h>
#include <stdint.h>

#define BLAKE2S_BLOCK 64
#define BLAKE2S_OUT_MAX 32
#define BLAKE2S_KEY_MAX 32

struct blake2s {
	uint32_t h[8];
	uint32_t t[2];           /* bytes compressed so far */
	uint8_t buf[BLAKE2S_BLOCK];
	size_t buf_len;
	size_t out_len;
};

/* out_len in 1..32, key_len in 0..32 (key may be NULL when 0). Returns 0,
 * or -1 for a bad length. */
int blake2s_init(struct blake2s *s, size_t out_len, const void *key, size_t key_len);
void blake2s_update(struct blake2s *s, const void *data, size_t len);
/* Writes s->out_len bytes. */
void blake2s_final(struct blake2s *s, uint8_t *out);

#endif
