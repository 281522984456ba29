/* BLAKE2s, written from RFC 7693 (section 3: G, the compression function,
 * padding; section 2.7: the message schedule SIGMA). */
#include "blake2s.h"

static const uint32_t blake2s_iv[8] = {
	0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
	0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
};

static const uint8_t blake2s_sigma[10][16] = {
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
	{11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
	{7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
	{9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
	{2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
	{12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
	{13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
	{6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
	{10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

static inline uint32_t rotr32(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define BLAKE2S_G(a, b, c, d, x, y)                                             \
	do {                                                                    \
		v[a] = v[a] + v[b] + (x);                                       \
		v[d] = rotr32(v[d] ^ v[a], 16);                                 \
		v[c] = v[c] + v[d];                                             \
		v[b] = rotr32(v[b] ^ v[c], 12);                                 \
		v[a] = v[a] + v[b] + (y);                                       \
		v[d] = rotr32(v[d] ^ v[a], 8);                                  \
		v[c] = v[c] + v[d];                                             \
		v[b] = rotr32(v[b] ^ v[c], 7);                                  \
	} while (0)

static void compress(struct blake2s *s, const uint8_t *block, int last)
{
	uint32_t m[16], v[16];
	for (int i = 0; i < 16; i++)
		m[i] = load32(block + 4 * i);
	for (int i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = blake2s_iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	/* Unrolled, the schedule's indices are constants: fewer instructions
	 * per byte, and every crate load hashes its image. */
#pragma clang loop unroll(full)
	for (int r = 0; r < 10; r++) {
		const uint8_t *z = blake2s_sigma[r];
		BLAKE2S_G(0, 4, 8, 12, m[z[0]], m[z[1]]);
		BLAKE2S_G(1, 5, 9, 13, m[z[2]], m[z[3]]);
		BLAKE2S_G(2, 6, 10, 14, m[z[4]], m[z[5]]);
		BLAKE2S_G(3, 7, 11, 15, m[z[6]], m[z[7]]);
		BLAKE2S_G(0, 5, 10, 15, m[z[8]], m[z[9]]);
		BLAKE2S_G(1, 6, 11, 12, m[z[10]], m[z[11]]);
		BLAKE2S_G(2, 7, 8, 13, m[z[12]], m[z[13]]);
		BLAKE2S_G(3, 4, 9, 14, m[z[14]], m[z[15]]);
	}
	for (int i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
}

static void count(struct blake2s *s, uint32_t n)
{
	s->t[0] += n;
	if (s->t[0] < n)
		s->t[1]++;
}

int blake2s_init(struct blake2s *s, size_t out_len, const void *key, size_t key_len)
{
	if (out_len == 0 || out_len > BLAKE2S_OUT_MAX || key_len > BLAKE2S_KEY_MAX)
		return -1;
	for (int i = 0; i < 8; i++)
		s->h[i] = blake2s_iv[i];
	/* Parameter block: digest length, key length, fanout 1, depth 1. */
	s->h[0] ^= 0x01010000u ^ ((uint32_t)key_len << 8) ^ (uint32_t)out_len;
	s->t[0] = s->t[1] = 0;
	s->buf_len = 0;
	s->out_len = out_len;
	if (key_len) {
		/* The key, zero-padded to a block, is the first block. */
		const uint8_t *k = key;
		for (size_t i = 0; i < BLAKE2S_BLOCK; i++)
			s->buf[i] = i < key_len ? k[i] : 0;
		s->buf_len = BLAKE2S_BLOCK;
	}
	return 0;
}

void blake2s_update(struct blake2s *s, const void *data, size_t len)
{
	const uint8_t *in = data;
	while (len) {
		/* A full buffer is compressed only once more input follows: the
		 * last block is compressed in final, with the last-block flag. */
		if (s->buf_len == BLAKE2S_BLOCK) {
			count(s, BLAKE2S_BLOCK);
			compress(s, s->buf, 0);
			s->buf_len = 0;
		}
		if (s->buf_len == 0) {
			while (len > BLAKE2S_BLOCK) {
				count(s, BLAKE2S_BLOCK);
				compress(s, in, 0);
				in += BLAKE2S_BLOCK;
				len -= BLAKE2S_BLOCK;
			}
		}
		size_t take = BLAKE2S_BLOCK - s->buf_len;
		if (take > len)
			take = len;
		for (size_t i = 0; i < take; i++)
			s->buf[s->buf_len + i] = in[i];
		s->buf_len += take;
		in += take;
		len -= take;
	}
}

void blake2s_final(struct blake2s *s, uint8_t *out)
{
	count(s, (uint32_t)s->buf_len);
	for (size_t i = s->buf_len; i < BLAKE2S_BLOCK; i++)
		s->buf[i] = 0;
	compress(s, s->buf, 1);
	for (size_t i = 0; i < s->out_len; i++)
		out[i] = (uint8_t)(s->h[i / 4] >> (8 * (i % 4)));
}
