#include "signature.h"

static bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '$';
}

/* A tag: "struct:name", "union:name", "enum:name". */
static bool is_tag_char(char c) { return is_name_char(c) || c == ':'; }

static bool starts(const char *t, uint64_t len, const char *prefix)
{
	uint64_t i = 0;
	for (; prefix[i]; i++)
		if (i >= len || t[i] != prefix[i])
			return false;
	return true;
}

/* Lines end at '\n' or NUL: ld -r concatenates the records of a crate's
 * sources with zero padding between them (alignment). */
static uint64_t line_end(const char *t, uint64_t size, uint64_t at)
{
	while (at < size && t[at] != '\n' && t[at] != '\0')
		at++;
	return at;
}

/* Parse the def/ref line at [at, end) into out; false if malformed. */
static bool parse_line(const char *t, uint64_t at, uint64_t end, bool *is_def,
                       struct sig_entry *out)
{
	if (end - at < 4 || t[at + 3] != ' ')
		return false;
	if (t[at] == 'd' && t[at + 1] == 'e' && t[at + 2] == 'f')
		*is_def = true;
	else if (t[at] == 'r' && t[at + 1] == 'e' && t[at + 2] == 'f')
		*is_def = false;
	else
		return false;
	uint64_t p = at + 4, name = p;
	while (p < end && is_name_char(t[p]))
		p++;
	if (p == name || p - name > 255 || p >= end || t[p] != ' ')
		return false;
	out->name = t + name;
	out->name_len = (uint32_t)(p - name);
	p++;
	if (end - p < SIG_DIGEST_CHARS)
		return false;
	for (uint32_t i = 0; i < SIG_DIGEST_CHARS; i++)
		if (!is_hex(t[p + i]))
			return false;
	out->digest = t + p;
	p += SIG_DIGEST_CHARS;
	out->tags = t + p;
	out->tags_len = (uint32_t)(end - p);
	/* Tags: (' ' TAG '=' 32 hex)* */
	while (p < end) {
		if (t[p] != ' ')
			return false;
		uint64_t tag = ++p;
		while (p < end && is_tag_char(t[p]))
			p++;
		if (p == tag || p >= end || t[p] != '=' || end - p - 1 < SIG_DIGEST_CHARS)
			return false;
		p++;
		for (uint32_t i = 0; i < SIG_DIGEST_CHARS; i++)
			if (!is_hex(t[p + i]))
				return false;
		p += SIG_DIGEST_CHARS;
	}
	return true;
}

static int name_cmp(const char *a, uint32_t alen, const char *b, uint32_t blen)
{
	uint32_t n = alen < blen ? alen : blen;
	for (uint32_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Order: defs before refs, then by name. */
static int entry_cmp(const struct sig_index *ix, uint32_t a, uint32_t b)
{
	struct sig_entry ea, eb;
	bool da = false, db = false;
	(void)parse_line(ix->text, a, line_end(ix->text, ix->size, a), &da, &ea);
	(void)parse_line(ix->text, b, line_end(ix->text, ix->size, b), &db, &eb);
	if (da != db)
		return da ? -1 : 1;
	return name_cmp(ea.name, ea.name_len, eb.name, eb.name_len);
}

static void sift(const struct sig_index *ix, uint32_t *v, uint32_t root, uint32_t n)
{
	for (;;) {
		uint32_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && entry_cmp(ix, v[child], v[child + 1]) < 0)
			child++;
		if (entry_cmp(ix, v[root], v[child]) >= 0)
			return;
		uint32_t tmp = v[root];
		v[root] = v[child];
		v[child] = tmp;
		root = child;
	}
}

const char *sig_index_build(struct sig_index *ix, const char *text, uint64_t size,
                            sig_alloc_fn alloc, void *ctx)
{
	ix->text = text;
	ix->size = size;
	ix->lines = NULL;
	ix->count = 0;
	ix->headers = 0;
	if (size > UINT32_MAX)
		return "signature record larger than 4 GiB";
	uint32_t n = 0;
	for (uint64_t at = 0; at < size;) {
		uint64_t end = line_end(text, size, at);
		struct sig_entry e;
		bool is_def;
		if (end - at >= 4 && (text[at] == 'd' || text[at] == 'r') && text[at + 3] == ' ') {
			if (!parse_line(text, at, end, &is_def, &e))
				return "malformed def or ref line in the signature record";
			n++;
		} else if (starts(text + at, end - at, "safec 1 checked ")) {
			ix->headers++;
		}
		at = end + 1;
	}
	if (n == 0)
		return NULL;
	uint32_t *lines = alloc(ctx, (size_t)n * sizeof(uint32_t));
	if (!lines)
		return "out of memory for the signature index";
	uint32_t k = 0;
	for (uint64_t at = 0; at < size;) {
		uint64_t end = line_end(text, size, at);
		if (end - at >= 4 && (text[at] == 'd' || text[at] == 'r') && text[at + 3] == ' ')
			lines[k++] = (uint32_t)at;
		at = end + 1;
	}
	ix->lines = lines;
	ix->count = n;
	for (uint32_t i = n / 2; i-- > 0;)
		sift(ix, lines, i, n);
	for (uint32_t end = n; end-- > 1;) {
		uint32_t tmp = lines[0];
		lines[0] = lines[end];
		lines[end] = tmp;
		sift(ix, lines, 0, end);
	}
	return NULL;
}

bool sig_lookup(const struct sig_index *ix, bool want_def, const char *name, struct sig_entry *out)
{
	uint32_t name_len = 0;
	while (name[name_len])
		name_len++;
	uint32_t lo = 0, hi = ix->count;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint32_t at = ix->lines[mid];
		struct sig_entry e;
		bool is_def = false;
		(void)parse_line(ix->text, at, line_end(ix->text, ix->size, at), &is_def, &e);
		int c = is_def != want_def ? (is_def ? -1 : 1) : name_cmp(e.name, e.name_len, name, name_len);
		if (c == 0) {
			*out = e;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The layout digest listed for tag [tag, tag+len) in tags, or NULL. */
static const char *find_tag(const char *tags, uint32_t tags_len, const char *tag, uint32_t len)
{
	uint32_t p = 0;
	while (p < tags_len) {
		uint32_t start = p + 1, q = start;
		while (q < tags_len && tags[q] != '=')
			q++;
		if (q - start == len && name_cmp(tags + start, len, tag, len) == 0)
			return tags + q + 1;
		p = q + 1 + SIG_DIGEST_CHARS;
	}
	return NULL;
}

const char *sig_mismatch(const struct sig_entry *ref, const struct sig_entry *def)
{
	for (uint32_t i = 0; i < SIG_DIGEST_CHARS; i++)
		if (ref->digest[i] != def->digest[i])
			return "the declared types differ (prototype, return type or object type)";
	uint32_t p = 0;
	while (p < ref->tags_len) {
		uint32_t start = p + 1, q = start;
		while (q < ref->tags_len && ref->tags[q] != '=')
			q++;
		const char *other = find_tag(def->tags, def->tags_len, ref->tags + start, q - start);
		if (other)
			for (uint32_t i = 0; i < SIG_DIGEST_CHARS; i++)
				if (other[i] != ref->tags[q + 1 + i])
					return "a record both sides define has another layout on each side";
		p = q + 1 + SIG_DIGEST_CHARS;
	}
	return NULL;
}
