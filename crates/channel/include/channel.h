/* channel: typed message channels between tasks, rendezvous or bounded
 * asynchronous. A channel is memory its endpoints own (client-held state):
 * the channel crate keeps nothing per channel or per client; every call is
 * handed the whole channel it works on. Its calls never block: the
 * blocking send and receive below are the endpoint's own code, which
 * waits in the task crate (waitq_wait_unchanged) and tries again, so a
 * task waiting on a channel has no frame of the channel crate on its
 * stack and the crate can be swapped while tasks wait.
 *
 *   CHANNEL_OF(point_chan, struct point);   // typed wrappers
 *   struct channel c; channel_init(&c, CHANNEL_ASYNC, 4);
 *   struct point p = {1, 2};
 *   struct status s = point_chan_send(&c, &p);
 */
#ifndef CRATE_CHANNEL_H
#define CRATE_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>
#include "task.h"

#define CHANNEL_MSG_MAX 64
#define CHANNEL_CAPACITY_MAX 8

enum channel_kind {
	CHANNEL_RENDEZVOUS, /* send returns once a receiver has taken the message */
	CHANNEL_ASYNC,      /* send returns once the message is queued; blocks when full */
};

struct channel_msg {
	unsigned char bytes[CHANNEL_MSG_MAX];
	size_t len;
};

struct channel {
	enum channel_kind kind;
	size_t capacity;
	struct channel_msg ring[CHANNEL_CAPACITY_MAX];
	size_t head, count;
	/* Volatile: the blocking calls read them without the crate's lock,
	 * after c->events and in that order. */
	volatile uint64_t sent, taken; /* messages queued and received, ever */
	volatile uint64_t events;      /* changes at every queue, take and close: what a waiter watches */
	volatile bool closed;
	struct waitq senders, receivers;
};

/* capacity: 1..CHANNEL_CAPACITY_MAX for ASYNC; ignored (1) for RENDEZVOUS. */
struct status channel_init(struct channel *c, enum channel_kind kind, size_t capacity);
/* Queue a message without waiting: E_BUSY when full, E_PERM once closed,
 * E_RANGE when longer than CHANNEL_MSG_MAX. *ticket: the message's number,
 * taken once c->taken reaches it. */
struct status channel_post(struct channel *c, struct str message, uint64_t *ticket);
/* Non-blocking: E_BUSY instead of waiting (a rendezvous try_send does not
 * wait for the take either). */
struct status channel_try_send(struct channel *c, struct str message);
/* E_BUSY when empty, E_NOENT once closed and drained, E_RANGE when out is
 * smaller than the message (which stays queued). */
struct status channel_try_recv(struct channel *c, struct bytes out, size_t *len);
/* Wake everyone; later sends fail, receives drain what is queued. */
void channel_close(struct channel *c);

/* Blocks while full (and, for rendezvous, until a receiver has taken it,
 * or the channel is closed). E_RANGE when the message is longer than
 * CHANNEL_MSG_MAX, E_PERM once closed. Each wait first notes c->events,
 * so a change between the try and the wait is never slept through. */
static inline struct status channel_send(struct channel *c, struct str message)
{
	uint64_t ticket = 0;
	for (;;) {
		uint64_t seen = c->events;
		struct status s = channel_post(c, message, &ticket);
		if (s.err == E_OK)
			break;
		if (s.err != E_BUSY)
			return s;
		s = waitq_wait_unchanged(&c->senders, &c->events, seen);
		if (!status_ok(s))
			return s;
	}
	while (c->kind == CHANNEL_RENDEZVOUS) {
		uint64_t seen = c->events;
		if (c->taken >= ticket || c->closed)
			break;
		struct status s = waitq_wait_unchanged(&c->senders, &c->events, seen);
		if (!status_ok(s))
			return s;
	}
	return STATUS_OK;
}

/* Blocks while empty; copies into out (its len set). E_NOENT once closed
 * and drained. E_RANGE when out is smaller than the message. */
static inline struct status channel_recv(struct channel *c, struct bytes out, size_t *len)
{
	for (;;) {
		uint64_t seen = c->events;
		struct status s = channel_try_recv(c, out, len);
		if (s.err != E_BUSY)
			return s;
		s = waitq_wait_unchanged(&c->receivers, &c->events, seen);
		if (!status_ok(s))
			return s;
	}
}

/* Typed wrappers: NAME_send(c, const T *), NAME_recv(c, T *). */
#define CHANNEL_OF(NAME, T)                                                       \
	_Static_assert(sizeof(T) <= CHANNEL_MSG_MAX, #T " too large for a channel"); \
	static inline struct status NAME##_send(struct channel *c, const T *value)   \
	{                                                                            \
		T copy = *value;                                                     \
		return channel_send(c, STR_OF_BYTES(BYTES_OF(copy)));                \
	}                                                                            \
	static inline struct status NAME##_recv(struct channel *c, T *value)         \
	{                                                                            \
		size_t len = 0;                                                      \
		struct status s = channel_recv(c, BYTES_OF(*value), &len);           \
		if (s.err == E_OK && len != sizeof(T))                               \
			return STATUS(E_RANGE);                                      \
		return s;                                                            \
	}

#endif
