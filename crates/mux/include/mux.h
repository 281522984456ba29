/* mux: the multiplexer pattern, written once (the paper's pattern reuse).
 *
 * A multiplexer fans one event out to every subscriber of its key. Here it
 * is a fixed table of subscriptions (key -> target) that the client owns;
 * the pattern keeps no state of its own. It is generic over the key (any
 * scalar type: compared with ==) and the target, by one macro:
 *
 *     MUX_DEFINE(irq_mux, uint8_t, struct irq_handler_ref, 16)
 *
 * defines `struct irq_mux`, `struct irq_mux_sub` and `struct irq_mux_cursor`
 * and the static inline functions irq_mux_init, _add, _remove_at, _count,
 * _cursor and _next. Instances: the IRQ line registry (crates/interrupts)
 * and the data-ready listeners of crates/serial_input.
 *
 * Fan-out visits a key's subscribers in the order they subscribed, and a
 * cursor stays valid when subscriptions come and go between two steps
 * (even while a subscriber has switched to another task and back): it
 * remembers the last sequence number visited, not a slot. */
#ifndef CRATE_MUX_H
#define CRATE_MUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <theseus/result.h>

#define MUX_DEFINE(NAME, KEY_T, TARGET_T, CAPACITY)                               \
	struct NAME##_sub {                                                       \
		bool used;                                                        \
		KEY_T key;                                                        \
		uint64_t seq; /* order of subscription, from 1 */                 \
		TARGET_T target;                                                  \
	};                                                                        \
	struct NAME {                                                             \
		struct NAME##_sub subs[CAPACITY];                                 \
		uint64_t last_seq;                                                \
	};                                                                        \
	struct NAME##_cursor {                                                    \
		KEY_T key;                                                        \
		uint64_t after; /* sequence number visited last */                \
	};                                                                        \
                                                                                  \
	[[maybe_unused]] static inline void NAME##_init(struct NAME *m)           \
	{                                                                         \
		for (size_t i = 0; i < (CAPACITY); i++)                           \
			m->subs[i].used = false;                                  \
		m->last_seq = 0;                                                  \
	}                                                                         \
                                                                                  \
	/* Subscribe target to key; *slot says where. E_NOMEM when full. */       \
	[[maybe_unused]] static inline struct status NAME##_add(                  \
		struct NAME *m, KEY_T key, TARGET_T target, size_t *slot)         \
	{                                                                         \
		for (size_t i = 0; i < (CAPACITY); i++) {                         \
			if (m->subs[i].used)                                      \
				continue;                                         \
			m->subs[i].key = key;                                     \
			m->subs[i].target = target;                               \
			m->subs[i].seq = ++m->last_seq;                           \
			m->subs[i].used = true;                                   \
			*slot = i;                                                \
			return STATUS_OK;                                         \
		}                                                                 \
		return STATUS(E_NOMEM);                                           \
	}                                                                         \
                                                                                  \
	[[maybe_unused]] static inline void NAME##_remove_at(struct NAME *m,      \
							     size_t slot)         \
	{                                                                         \
		if (slot < (CAPACITY))                                            \
			m->subs[slot].used = false;                               \
	}                                                                         \
                                                                                  \
	[[maybe_unused]] static inline size_t NAME##_count(const struct NAME *m,  \
							   KEY_T key)             \
	{                                                                         \
		size_t n = 0;                                                     \
		for (size_t i = 0; i < (CAPACITY); i++)                           \
			n += m->subs[i].used && m->subs[i].key == key;            \
		return n;                                                         \
	}                                                                         \
                                                                                  \
	[[maybe_unused]] static inline struct NAME##_cursor NAME##_cursor(KEY_T key) \
	{                                                                         \
		return (struct NAME##_cursor){key, 0};                            \
	}                                                                         \
                                                                                  \
	/* The next subscriber of the cursor's key (the oldest not visited     \
	 * yet): true and *slot set, or false when all were visited. */          \
	[[maybe_unused]] static inline bool NAME##_next(                          \
		const struct NAME *m, struct NAME##_cursor *c, size_t *slot)      \
	{                                                                         \
		size_t best = (CAPACITY);                                         \
		for (size_t i = 0; i < (CAPACITY); i++) {                         \
			const struct NAME##_sub *s = ARRAY_AT(m->subs, i);        \
			if (!s->used || s->key != c->key || s->seq <= c->after)   \
				continue;                                         \
			if (best == (CAPACITY) || s->seq < m->subs[best].seq)     \
				best = i;                                         \
		}                                                                 \
		if (best == (CAPACITY))                                           \
			return false;                                             \
		c->after = m->subs[best].seq;                                     \
		*slot = best;                                                     \
		return true;                                                      \
	}

#endif
