/* Crate "clash": exports a name alpha and the nano-core export too. */
#include <theseus/crate.h>
CRATE("clash", "1.0.0", "test crate", "", "", "");
CRATE_EXPORT int alpha_public(int x) { return -x; }
CRATE_EXPORT void kernel_console_write(const char *text) { (void)text; }
