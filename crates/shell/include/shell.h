/* shell: the serial console's command interpreter (the default entry crate). */
#ifndef CRATE_SHELL_H
#define CRATE_SHELL_H

#include <theseus/result.h>

/* Runs until `shutdown`; never returns otherwise. */
struct status shell_main(void);

#endif
