/* Test crate "server": a sealed state type clients hold but cannot change. */
#ifndef TEST_SERVER_H
#define TEST_SERVER_H

#include <theseus/sealed.h>

struct SEALED counter {
	unsigned long hits;
	struct {
		unsigned long when;
	};
};

struct counter *server_counter(void);
void server_hit(struct counter *c);

/* Owner's inline code: spelled in the server crate, so allowed anywhere. */
static inline unsigned long counter_hits(const struct counter *c)
{
	return c->hits;
}

#endif
