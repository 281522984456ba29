/* hello_v2: the example application, version 2, a declared alternative of hello (for live swap). */
#ifndef CRATE_HELLO_V2_H
#define CRATE_HELLO_V2_H

#include <theseus/result.h>
#include <theseus/slice.h>

struct status hello_main(struct str args);

#endif
