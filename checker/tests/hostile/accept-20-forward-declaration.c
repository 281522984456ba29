// A forward declaration names the trusted type, it does not redefine it.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
struct status;
struct crate_error;
void report(const struct crate_error *why);
