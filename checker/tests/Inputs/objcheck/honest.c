/* Declares area() and struct box as the provider defines them. */
#include <theseus/crate.h>
CRATE("honest", "1.0.0", "uses area", "", "", "provider");
struct box {
	long width;
	long height;
};
long area(const struct box *b);
CRATE_EXPORT long honest_main(void)
{
	struct box b = {2, 3};
	return area(&b);
}
