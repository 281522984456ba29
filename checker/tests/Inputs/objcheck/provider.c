/* Exports area() over its struct box (the signature tests). */
#include <theseus/crate.h>
CRATE("provider", "1.0.0", "exports area", "", "", "");
struct box {
	long width;
	long height;
};
CRATE_EXPORT long area(const struct box *b) { return b->width * b->height; }
