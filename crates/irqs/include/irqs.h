/* irqs: the shell application `run irqs [--all]`: interrupt counts per
 * IRQ line, with each line's handlers, and the nano-core's entry counts. */
#ifndef CRATE_IRQS_H
#define CRATE_IRQS_H

#include <theseus/result.h>
#include <theseus/slice.h>

struct status irqs_main(struct str args);

#endif
