/* Declares area() with another struct box: one byte where the provider
 * reads sixteen. */
#include <theseus/crate.h>
CRATE("liar", "1.0.0", "lies about area", "", "", "provider");
struct box {
	char width;
};
long area(const struct box *b);
CRATE_EXPORT long liar_main(void)
{
	struct box b = {1};
	return area(&b);
}
