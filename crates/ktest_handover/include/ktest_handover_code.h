/* The code of ktest_handover and ktest_handover_v2 (they differ only in
 * handover_version): each .c defines KTEST_HANDOVER_VERSION and includes
 * this once. */
#ifndef CRATE_KTEST_HANDOVER_CODE_H
#define CRATE_KTEST_HANDOVER_CODE_H

#include <theseus/alloc.h>
#include <theseus/crates.h>
#include "ktest_handover.h"

static struct ktest_handover_state state;

CRATE_EXPORT struct status handover_start(uint64_t value)
{
	if (state.object)
		return STATUS(E_EXIST);
	struct status s = HEAP_NEW(uint64_t, &state.object, HEAP_OWNER_KERNEL);
	if (status_ok(s))
		*state.object = value;
	state.swaps = 0;
	return s;
}

CRATE_EXPORT uint64_t handover_value(void) { return state.object ? *state.object : UINT64_MAX; }
CRATE_EXPORT uint64_t handover_swaps(void) { return state.object ? state.swaps : UINT64_MAX; }
CRATE_EXPORT uint64_t handover_version(void) { return KTEST_HANDOVER_VERSION; }

CRATE_EXPORT struct status handover_stop(void) { return state.object ? HEAP_FREE(state.object) : STATUS_OK; }

CRATE_EXPORT struct status ktest_handover_save(void)
{
	struct status put = HANDOVER_PUT_RECORD(struct ktest_handover_state, &state, KTEST_HANDOVER_FORMAT);
	if (!status_ok(put))
		return put;
	/* One record per swap: a second put is refused. */
	struct status again = HANDOVER_PUT_RECORD(struct ktest_handover_state, &state, KTEST_HANDOVER_FORMAT);
	return again.err == E_EXIST ? STATUS_OK : STATUS(E_INVAL);
}

/* Each refusal the record handover promises, then the record itself. A
 * missing refusal fails the hook (E_INVAL), and the swap is undone. */
CRATE_EXPORT struct status ktest_handover_migrate(uint32_t from_major)
{
	(void)from_major;
	uint64_t too_small = 0;
	if (kernel_swap_handover_get(BYTES_OF(too_small)).err != E_RANGE)
		return STATUS(E_INVAL); /* the size probe still answers */
	struct ktest_handover_impostor plain[2];
	if (kernel_swap_handover_get(BYTES_OF(plain)).err != E_PERM)
		return STATUS(E_INVAL); /* a record is not readable as bytes */
	struct ktest_handover_impostor impostor = {};
	if (HANDOVER_GET_RECORD(struct ktest_handover_impostor, &impostor, KTEST_HANDOVER_FORMAT).err != E_INVAL)
		return STATUS(E_INVAL); /* another type of the same size */
	struct ktest_handover_state got = {};
	if (HANDOVER_GET_RECORD(struct ktest_handover_state, &got, KTEST_HANDOVER_FORMAT + 1).err != E_INVAL)
		return STATUS(E_INVAL); /* another format */
	struct status s = HANDOVER_GET_RECORD(struct ktest_handover_state, &got, KTEST_HANDOVER_FORMAT);
	if (s.err == E_NOENT)
		return STATUS_OK; /* a restart with nothing handed over */
	if (!status_ok(s))
		return s;
	state = got;
	state.swaps++;
	return STATUS_OK;
}

#endif
