/* Crate "alpha2": a declared alternative of alpha, exporting the same API. */
#include <theseus/crate.h>
CRATE("alpha2", "2.0.0", "test crate", "", "alpha", "");
CRATE_EXPORT int alpha_public(int x) { return x; }
CRATE_EXPORT unsigned long alpha_bump(void) { return 0; }
