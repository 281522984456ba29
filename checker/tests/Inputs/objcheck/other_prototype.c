/* Declares area() with another prototype. */
#include <theseus/crate.h>
CRATE("proto", "1.0.0", "calls area with an int", "", "", "provider");
long area(int side);
CRATE_EXPORT long proto_main(void) { return area(7); }
