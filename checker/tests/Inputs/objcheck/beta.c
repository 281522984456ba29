/* Crate "beta": uses alpha's public interface and the nano-core. */
#include <theseus/crate.h>
CRATE("beta", "1.0.0", "test crate", "", "", "alpha");

void kernel_console_write(const char *text);
extern unsigned long kernel_ticks;
int alpha_public(int x);
__attribute__((weak)) void optional_hook(void);

CRATE_EXPORT int beta_run(void)
{
	kernel_console_write("beta");
	if (optional_hook)
		optional_hook();
	return alpha_public((int)kernel_ticks);
}
