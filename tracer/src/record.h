/*
 * record.h -- what the lifecycle and the reports ask of the events
 * module (the events themselves are memtracer.h's).
 */
#ifndef TR_RECORD_H
#define TR_RECORD_H

#include <stdint.h>

/* Clears what the events keep besides the sites, for a new start. */
void tr_record_begin(void);
/* Works out again, from the options, the modes and the timeline, until
 * when the inline functions may count (mt_inline.count_until). */
void tr_record_refresh(void);
/* mt_reset's part here: the VM's own blocks count from what is live. */
void tr_record_reset(void);
/* The VM's own blocks and bytes, which are in no figure. */
void tr_hidden_figures(uint64_t *blocks, uint64_t *bytes);

#endif
