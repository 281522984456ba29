/* Crate "breach": reaches into alpha's hidden function and a local function
 * of the nano-core. */
#include <theseus/crate.h>
CRATE("breach", "1.0.0", "test crate", "", "", "");
int alpha_hidden(int x);
void nano_local_helper(void);
CRATE_EXPORT int breach_run(void) { nano_local_helper(); return alpha_hidden(1); }
