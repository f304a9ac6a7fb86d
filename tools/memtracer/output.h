/*
 * output.h -- where a subcommand's result goes (`-o FILE`, or stdout).
 *
 * A regular file is never seen half-written: the result goes to a
 * temporary file in the same folder, renamed onto FILE only once complete,
 * and removed if anything failed.  A symlink is followed, never replaced:
 * its target is what gets written.  A FILE that exists and is not a
 * regular file (a FIFO, a device) is written in place, as there is
 * nothing to rename onto.
 *
 * Nor is a temporary file left behind: while one exists, SIGINT, SIGTERM
 * and SIGHUP (unless ignored or handled elsewhere) remove it, then end
 * memtracer as they would have; exit() removes it too.  Meanwhile SIGXFSZ
 * is ignored, so that a file over the size limit is a write that fails.
 */
#ifndef MEMTRACER_OUTPUT_H
#define MEMTRACER_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

typedef struct {
    FILE *file;       /* write the result here */
    char *path;       /* as the user named it, for messages */
    char *target;     /* what `temporary` becomes; NULL when written in place */
    char *temporary;
} Output;

/* Opens `path` for the result ("-" or NULL: standard output).  Returns
 * STATUS_OK, or STATUS_CANT_WRITE having said why (and then there is
 * nothing to close). */
int output_open(Output *output, const char *path);

/* Finishes the result: when `complete`, flushes it and puts it in place
 * (STATUS_CANT_WRITE, having said why, if that failed); otherwise removes
 * what was written.  Returns `status` when all went well. */
int output_close(Output *output, bool complete, int status);

#endif
