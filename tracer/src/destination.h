/*
 * destination.h -- where the report goes, and the rule that it goes there
 * and touches nothing else.
 *
 * The destination is opened when tracing starts, so a report that cannot
 * be written is known before the program runs, and completed when the
 * report is written: at the end of the run or from a signal handler.
 *
 *   no OutputFile          standard error, as it was when tracing started
 *   "-"                    standard output, likewise
 *   /dev/stdout, /dev/fd/N and the like: that descriptor, shared as is
 *   a regular file, or a path that does not exist yet: written to an
 *       unnamed file in the same folder that is linked and renamed into
 *       place once complete, so a reader sees the old file or the whole
 *       report, and a run killed outright leaves nothing behind
 *   anything else that exists (a device, a FIFO, a socket): opened now
 *       and written in place
 *
 * A symlink is followed and the rule applies to what it points at; the
 * link itself is never replaced.  Every descriptor the tracer holds is
 * above standard error and closed on exec, so the report never shares a
 * descriptor with the program's own output.
 */
#ifndef TR_DESTINATION_H
#define TR_DESTINATION_H

#include <stdbool.h>

typedef enum tr_destination_mode {
    TR_DEST_NONE,
    TR_DEST_DESCRIPTOR,  /* a descriptor the program had, duplicated */
    TR_DEST_IN_PLACE,    /* a device, FIFO or socket, opened and written */
    TR_DEST_UNNAMED,     /* an unnamed file in the folder, linked at the end */
    TR_DEST_NAMED,       /* a temporary name in the folder, made at the end */
} tr_destination_mode;

/* An open destination; TR_DESTINATION_INIT is a closed one. */
typedef struct tr_destination {
    tr_destination_mode mode;
    int fd;              /* the report's; -1 until there is one */
    int folder_fd;       /* TR_DEST_UNNAMED, TR_DEST_NAMED: the folder */
    char *shown;         /* how messages name the destination */
    char *base;          /* the target's name in its folder */
    char temp[64];       /* the temporary name in the folder, if made */
    int fd_errno;        /* why fd is -1 at the end */
    bool quiet;          /* a failure is told in mt_error(), not on stderr */
} tr_destination;

#define TR_DESTINATION_INIT {.fd = -1, .folder_fd = -1}

/* Opens the destination for OutputFile path (NULL: standard error, "-":
 * standard output).  program is the script being traced: a destination
 * that is the same file is refused.  Returns 0, or the exit status a
 * command should end with, 64 (usage) or 74 (cannot write), with the
 * reason in the library's error message. */
int tr_destination_open(tr_destination *dest, const char *path,
                        const char *program);

/* The descriptor to write the report to; -1 when none can be had (the
 * reason is kept for tr_destination_commit).  Signal-safe. */
int tr_destination_fd(tr_destination *dest);

/* Completes the report: ok says whether every write succeeded, write_errno
 * why not.  Puts the file in place, or leaves the old one untouched and
 * says on standard error, in one line naming the file, why the report was
 * lost.  Returns whether the report is complete where the user pointed.
 * Signal-safe. */
int tr_destination_commit(tr_destination *dest, int ok, int write_errno);

/* Lets go of an open destination without writing anything. */
void tr_destination_abandon(tr_destination *dest);

#endif
