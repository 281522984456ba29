/* hello: the example application. */
#ifndef CRATE_HELLO_H
#define CRATE_HELLO_H

#include <theseus/result.h>
#include <theseus/slice.h>

struct status hello_main(struct str args);

#endif
