/* mux is a header-only pattern (include/mux.h): every client instantiates
 * it for its own key and target types, inside its own crate. This crate
 * only carries the record that names it and the pattern's tests. */
#include <theseus/crate.h>

CRATE("mux", "1.0.0", "the multiplexer pattern (header-only) and its tests", "", "", "");
