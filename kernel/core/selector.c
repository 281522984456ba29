#include "selector.h"

bool selector_matches(const char *selector, const char *name, bool manual)
{
	if (!strcmp(selector, "all"))
		return !manual;
	const char *p = selector;
	while (*p) {
		const char *end = p;
		while (*end && *end != ',')
			end++;
		size_t len = (size_t)(end - p);
		bool prefix = len && p[len - 1] == '*';
		if (prefix ? !manual && !strncmp(name, p, len - 1)
			   : strlen(name) == len && !strncmp(name, p, len))
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}
