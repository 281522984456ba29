/* What the nano-core's crate services share between their files:
 * crate_api.c (queries, load, unload, and these helpers), crate_calls.c
 * (application calls, fault injection) and crate_swap.c (handles and the
 * swap primitive). Crates see kernel/include/theseus/crates.h. */
#ifndef THESEUS_CRATE_API_H
#define THESEUS_CRATE_API_H

#include "crate_env.h"
#include <theseus/crates.h>

/* Fill why (when not NULL) with text, or with the link error's line. */
void explain(struct crate_error *why, const char *text);
void explain_link(struct crate_error *why, const struct link_error *err);
/* The linker and a crate or symbol name as a C string, or the reason
 * there are none (E_NOENT: no archive; E_INVAL: a bad name). */
struct status crate_request(struct str name, char *cname, size_t cap, struct linker **l,
			    struct crate_error *why);
/* The same for a crate that must be loaded: its id too, or "not loaded"
 * (E_NOENT). */
struct status loaded_crate_request(struct str name, char *cname, size_t cap, struct linker **l, uint32_t *id,
				  struct crate_error *why);
/* The summary kernel_crate_list gives of crate `id`; false for a vacant id. */
bool crate_summarize(struct linker *l, uint32_t id, struct crate_summary *s);

#endif
