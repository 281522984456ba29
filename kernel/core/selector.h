/* Choosing tests and benchmarks by name on the command line. */
#ifndef THESEUS_SELECTOR_H
#define THESEUS_SELECTOR_H

#include "kernel.h"

/* Does `name` match one comma-separated item of `selector`: an exact name,
 * or a prefix ending in '*'? "all" matches everything. A manual entry
 * matches only when it is named exactly. */
bool selector_matches(const char *selector, const char *name, bool manual);

#endif
