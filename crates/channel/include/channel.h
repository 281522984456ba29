/* channel: typed message channels between tasks, rendezvous or bounded
 * asynchronous. A channel is memory its endpoints own (client-held state):
 * the channel crate keeps nothing per channel or per client; every call is
 * handed the whole channel it works on.
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
	uint64_t sent, taken; /* messages queued and received, ever */
	bool closed;
	struct waitq senders, receivers;
};

/* capacity: 1..CHANNEL_CAPACITY_MAX for ASYNC; ignored (1) for RENDEZVOUS. */
struct status channel_init(struct channel *c, enum channel_kind kind, size_t capacity);
/* Blocks while full (and, for rendezvous, until taken). E_RANGE when the
 * message is longer than CHANNEL_MSG_MAX, E_PERM once closed. */
struct status channel_send(struct channel *c, struct str message);
/* Blocks while empty; copies into out (its len set). E_NOENT once closed
 * and drained. E_RANGE when out is smaller than the message. */
struct status channel_recv(struct channel *c, struct bytes out, size_t *len);
/* Non-blocking: E_BUSY instead of waiting. */
struct status channel_try_send(struct channel *c, struct str message);
struct status channel_try_recv(struct channel *c, struct bytes out, size_t *len);
/* Wake everyone; later sends fail, receives drain what is queued. */
void channel_close(struct channel *c);

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
