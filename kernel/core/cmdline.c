#include "cmdline.h"

bool cmdline_get(const char *cmdline, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);
	const char *p = cmdline;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen >= klen && !strncmp(word, key, klen) && (wlen == klen || word[klen] == '=')) {
			const char *v = wlen == klen ? word + klen : word + klen + 1;
			size_t vlen = (size_t)(p - v);
			if (cap) {
				if (vlen >= cap)
					vlen = cap - 1;
				memcpy(out, v, vlen);
				out[vlen] = '\0';
			}
			return true;
		}
	}
	return false;
}
