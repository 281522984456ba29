/* The debugger rendezvous: a versioned table, at a fixed symbol of the
 * nano-core, of every crate mapped in memory with its sections' run
 * addresses, and a function called after each change for a debugger to
 * stop at. debug/theseus_gdb.py reads it; docs/debugging.md documents it.
 * Like a dynamic loader's r_debug: the nano-core only keeps it true; what
 * to do with it is the debugger's business. */
#ifndef THESEUS_DEBUG_RENDEZVOUS_H
#define THESEUS_DEBUG_RENDEZVOUS_H

#include "kernel.h"
#include "linker/linker.h"

#define THESEUS_DEBUG_MAGIC "THSDEBUG"
/* Grows when a field is added at the end of a record (readers check the
 * record sizes too); a change of meaning needs a new magic. */
#define THESEUS_DEBUG_VERSION 1u

/* Every field is fixed-size, pointers as 64-bit addresses, so a debugger
 * reads the layout without this header. */
struct theseus_debug_section {
	uint64_t name;    /* const char *: the section's name in the crate's ELF */
	uint64_t address; /* where it runs */
	uint64_t size;
};

struct theseus_debug_crate {
	uint64_t name;    /* const char *: the crate's name (CRATE record) */
	uint64_t version; /* const char * */
	uint32_t id;      /* the runtime linker's crate id */
	uint32_t generation; /* (id, generation) names one mapping of a crate */
	uint32_t section_count;
	uint32_t reserved;
	uint64_t sections; /* struct theseus_debug_section[section_count] */
};

enum theseus_debug_state {
	THESEUS_DEBUG_CONSISTENT = 0, /* the table is whole */
	THESEUS_DEBUG_CHANGING = 1,   /* a change is being written: read again at the next event */
};

enum theseus_debug_event {
	THESEUS_DEBUG_NONE = 0,
	THESEUS_DEBUG_MAPPED = 1,   /* a crate was added (before its init runs) */
	THESEUS_DEBUG_UNMAPPED = 2, /* a crate was removed (before its memory is returned) */
};

struct theseus_debug_rendezvous {
	char magic[8];          /* THESEUS_DEBUG_MAGIC, no NUL */
	uint32_t version;       /* THESEUS_DEBUG_VERSION */
	uint32_t header_size;   /* sizeof(struct theseus_debug_rendezvous) */
	uint32_t crate_size;    /* sizeof(struct theseus_debug_crate) */
	uint32_t section_size;  /* sizeof(struct theseus_debug_section) */
	uint32_t state;         /* enum theseus_debug_state */
	uint32_t crate_count;   /* records in use, at crates[0..crate_count) */
	uint64_t crates;        /* struct theseus_debug_crate * */
	uint64_t changes;       /* events so far */
	uint32_t last_event;    /* enum theseus_debug_event */
	uint32_t last_crate_id; /* the crate of the last event */
	uint64_t event_hook;    /* the address of theseus_debug_event: stop there */
};

/* Record a crate the linker mapped or is about to unmap (the env's
 * crate_event), then call theseus_debug_event. */
void debug_rendezvous_crate_event(const struct linker *l, enum linker_crate_event event, uint32_t crate_id,
				  uint32_t generation);

#endif
