/*
 * status.h -- the exit statuses every memtracer subcommand uses.  They
 * follow sysexits(3), so scripts and CI can tell a regression from a
 * broken input without reading the message.
 */
#ifndef MEMTRACER_STATUS_H
#define MEMTRACER_STATUS_H

enum {
    STATUS_OK = 0,           /* all fine */
    STATUS_REGRESSION = 1,   /* a regression, a budget exceeded, a bench run failed */
    STATUS_USAGE = 64,       /* bad command line */
    STATUS_DATA = 65,        /* malformed JSON, unknown major version, malformed budget */
    STATUS_NO_INPUT = 66,    /* an input file cannot be opened */
    STATUS_SOFTWARE = 70,    /* out of memory, or a failure of memtracer itself */
    STATUS_CANT_WRITE = 74,  /* the output cannot be written */
};

#endif
