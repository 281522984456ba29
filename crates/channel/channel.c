#include <theseus/cpu.h>
#include <theseus/crate.h>
#include "channel.h"

CRATE("channel", "1.0.0", "typed rendezvous and bounded asynchronous channels", "", "", "task,heap");

CRATE_EXPORT struct status channel_init(struct channel *c, enum channel_kind kind, size_t capacity)
{
	if (kind == CHANNEL_RENDEZVOUS)
		capacity = 1;
	if (capacity == 0 || capacity > CHANNEL_CAPACITY_MAX)
		return STATUS(E_INVAL);
	c->kind = kind;
	c->capacity = capacity;
	c->head = 0;
	c->count = 0;
	c->sent = 0;
	c->taken = 0;
	c->closed = false;
	c->events = 0;
	waitq_init(&c->senders);
	waitq_init(&c->receivers);
	return STATUS_OK;
}

/* Called with interrupts off and room in the ring. */
static uint64_t enqueue(struct channel *c, struct str message)
{
	struct channel_msg *m = ARRAY_AT(c->ring, (c->head + c->count) % CHANNEL_CAPACITY_MAX);
	for (size_t i = 0; i < message.len; i++)
		m->bytes[i] = (unsigned char)str_at(message, i);
	m->len = message.len;
	c->count++;
	c->sent++;
	c->events++;
	(void)waitq_wake_one(&c->receivers);
	return c->sent;
}

static struct status dequeue(struct channel *c, struct bytes out, size_t *len)
{
	const struct channel_msg *m = ARRAY_AT(c->ring, c->head % CHANNEL_CAPACITY_MAX);
	if (m->len > out.len)
		return STATUS(E_RANGE);
	for (size_t i = 0; i < m->len; i++)
		bytes_set(out, i, m->bytes[i]);
	*len = m->len;
	c->head = (c->head + 1) % CHANNEL_CAPACITY_MAX;
	c->count--;
	c->taken++;
	c->events++;
	/* Senders wait for room, and rendezvous senders for this very take. */
	(void)waitq_wake_all(&c->senders);
	return STATUS_OK;
}

/* Every call here returns at once: a blocking send or receive
 * (channel.h) waits in the task crate, on the channel's queues, and calls
 * again. So no task ever waits inside this crate, which a swap therefore
 * always finds quiescent; and the channel itself is all client memory. */

CRATE_EXPORT struct status channel_post(struct channel *c, struct str message, uint64_t *ticket)
{
	if (message.len > CHANNEL_MSG_MAX)
		return STATUS(E_RANGE);
	bool irq = cpu_irq_save();
	struct status s = c->closed ? STATUS(E_PERM) : c->count >= c->capacity ? STATUS(E_BUSY) : STATUS_OK;
	if (s.err == E_OK)
		*ticket = enqueue(c, message);
	cpu_irq_restore(irq);
	return s;
}

CRATE_EXPORT struct status channel_try_send(struct channel *c, struct str message)
{
	uint64_t ticket = 0;
	return channel_post(c, message, &ticket);
}

CRATE_EXPORT struct status channel_try_recv(struct channel *c, struct bytes out, size_t *len)
{
	bool irq = cpu_irq_save();
	struct status s = c->count ? dequeue(c, out, len) : c->closed ? STATUS(E_NOENT) : STATUS(E_BUSY);
	cpu_irq_restore(irq);
	return s;
}

CRATE_EXPORT void channel_close(struct channel *c)
{
	bool irq = cpu_irq_save();
	c->closed = true;
	c->events++;
	(void)waitq_wake_all(&c->senders);
	(void)waitq_wake_all(&c->receivers);
	cpu_irq_restore(irq);
}
