/* Crate "orphan": imports something nobody exports. */
#include <theseus/crate.h>
CRATE("orphan", "1.0.0", "test crate", "", "", "");
int no_such_function(void);
CRATE_EXPORT int orphan_run(void) { return no_such_function(); }
