#include "stamp.h"
#include "blake2s.h"

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void tag_of(const uint8_t *object, uint64_t size, const uint8_t *head,
                   const uint8_t *key, uint8_t *tag)
{
	struct blake2s s;
	(void)blake2s_init(&s, STAMP_TAG_SIZE, key, STAMP_KEY_SIZE);
	/* Fed in pieces of at most 1 GiB: size_t may be narrower than the
	 * object's size on some hosts. */
	while (size) {
		uint64_t n = size > (1u << 30) ? (1u << 30) : size;
		blake2s_update(&s, object, (size_t)n);
		object += n;
		size -= n;
	}
	blake2s_update(&s, head, 32);
	blake2s_final(&s, tag);
}

void stamp_make(const uint8_t *object, uint64_t size, const uint8_t *key, uint8_t *out)
{
	static const char magic[8] = STAMP_MAGIC;
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)magic[i];
	for (int i = 8; i < 32; i++)
		out[i] = 0;
	out[8] = STAMP_VERSION;
	put64(out + 16, size);
	tag_of(object, size, out, key, out + 32);
}

enum stamp_verdict stamp_verify(const uint8_t *image, uint64_t size, const uint8_t *key,
                                uint64_t *covered, const char **why)
{
	static const char magic[8] = STAMP_MAGIC;
	const char *reason = "";
	enum stamp_verdict v = STAMP_BAD;
	if (size < STAMP_SIZE) {
		reason = "no attestation stamp (the object was not stamped by a build that checked it)";
		v = STAMP_MISSING;
		goto out;
	}
	const uint8_t *t = image + size - STAMP_SIZE;
	for (int i = 0; i < 8; i++)
		if (t[i] != (uint8_t)magic[i]) {
			reason = "no attestation stamp (the object was not stamped by a build that checked it)";
			v = STAMP_MISSING;
			goto out;
		}
	if (t[8] != STAMP_VERSION || t[9] || t[10] || t[11] || t[12] || t[13] || t[14] || t[15]) {
		reason = "attestation stamp of an unknown version or with unknown flags";
		goto out;
	}
	for (int i = 24; i < 32; i++)
		if (t[i]) {
			reason = "attestation stamp with nonzero reserved bytes";
			goto out;
		}
	if (get64(t + 16) != size - STAMP_SIZE) {
		reason = "attestation stamp covers another size than the object has (truncated or extended)";
		goto out;
	}
	uint8_t tag[STAMP_TAG_SIZE];
	tag_of(image, size - STAMP_SIZE, t, key, tag);
	uint8_t diff = 0;
	for (unsigned i = 0; i < STAMP_TAG_SIZE; i++)
		diff |= (uint8_t)(tag[i] ^ t[32 + i]);
	if (diff) {
		reason = "attestation stamp does not match the object (changed after the check, or stamped by another build)";
		goto out;
	}
	v = STAMP_VALID;
	reason = "stamped by this build";
	if (covered)
		*covered = size - STAMP_SIZE;
out:
	if (why)
		*why = reason;
	return v;
}
