/*
 * site.h -- allocation sites: a (function, line, type, phase) and the
 * figures of what was allocated there (mt_site_figures, inline.h), in an
 * array by id.
 *
 * The first ids are the tracer's own sites, which the report lists in no
 * row: the VM's own memory (hidden unless TraceInternal), what the tracer
 * had no memory for (not counted), and the objects and the storage the
 * options filter out (counted in the program's figures, listed in no
 * row).  A block counted
 * at any of them is counted the way a listed site's is, so counting and
 * releasing never ask which it was.
 */
#ifndef TR_SITE_H
#define TR_SITE_H

#include "memtracer/inline.h"

#define TR_SITE_HIDDEN 1u
#define TR_SITE_LOST 2u
#define TR_SITE_FILTERED_OBJECTS 3u
#define TR_SITE_FILTERED_STORAGE 4u
#define TR_FIRST_LISTED_SITE 5u

/* Whether blocks of that type are objects (else storage). */
bool tr_type_is_object(mt_type type);

/* The site of a listed block made at (func, line) of that type in that
 * phase, found or made; TR_SITE_LOST when memory is exhausted. */
mt_site tr_site_find(mt_func func, int line, mt_type type, mt_phase phase);

/* Ids below this are sites; a site is complete once its id is below it,
 * so a report written from a signal handler sees whole sites only. */
uint32_t tr_site_count(void);

static inline mt_site_figures *tr_site(mt_site id) {
    return &mt_inline.sites[id];
}

/* A link for each site id below tr_site_count, for a report to order
 * the sites by (report.h): the slots of the look-ups' index, which the
 * report overwrites, and tr_sites_relink then gives back to the
 * look-ups.  NULL while no site is listed. */
uint32_t *tr_site_links(void);
/* Gives the look-ups their index back after a report used its slots. */
void tr_sites_relink(void);
/* mt_reset's part here: each site counts from what is live in it now. */
void tr_sites_restart(void);

/* Sets up the tracer's own sites; false when memory is exhausted. */
bool tr_sites_begin(void);
void tr_sites_reset(void);

#endif
