/* A client of crate "server" touching its sealed state. */
#include <server.h>

void reset(struct counter *c)
{
	c->hits = 0;
}
