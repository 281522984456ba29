/* Compiled by driver tests without a crate argument: the crate is derived
 * from the path crates/server/, so the sealed fields are its own. */
#include <server.h>

void server_hit(struct counter *c)
{
	c->hits++;
}
