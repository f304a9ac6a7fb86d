/*
 * launcher.h -- runs bench's command, run after run, from a process of its
 * own: the launcher, forked from bench before bench reads any report.
 *
 * A forked process starts with its parent's resident set, and exec keeps
 * that high-water mark in the peak RSS that wait4 gives: a command forked
 * from bench, grown by the reports it read, would be measured at bench's
 * size.  The launcher reads no report and allocates nothing while it runs
 * commands, so a run's peak RSS is the command's own.
 *
 * While it runs, SIGINT, SIGTERM and SIGHUP (those not ignored when bench
 * started, which stay ignored) are caught and passed on: by bench to the
 * launcher, by the launcher to the running command.
 */
#ifndef MEMTRACER_LAUNCHER_H
#define MEMTRACER_LAUNCHER_H

#include <stdbool.h>

typedef enum {
    LAUNCH_RAN,        /* the command ran: wait_status tells how it ended */
    LAUNCH_UNPREPARED, /* its files or its exec pipe could not be opened */
    LAUNCH_UNFORKED,   /* fork failed */
    LAUNCH_UNEXECUTED, /* exec failed */
} LaunchOutcome;

/* How one run went. */
typedef struct {
    int outcome;      /* a LaunchOutcome */
    int error;        /* errno of the failure, else 0 */
    int wait_status;
    long max_rss_kib; /* wait4's ru_maxrss: Linux gives KiB */
    double wall_ms;   /* from fork to the command's end */
} Launched;

/* On: catches the signals not ignored now.  Off: puts them back to their
 * default. */
void launcher_signals_catch(bool on);
/* The last signal caught, which stops the bench; 0 if none. */
int launcher_signal_caught(void);

/* Starts the launcher: each run execs argv (found on PATH), its standard
 * input, output and error the files at std_paths, which it makes in
 * folder, a private folder that the launcher removes when it ends.
 * false, errno set, if it cannot be started. */
bool launcher_start(char **argv, char *const std_paths[3], const char *folder);
/* Runs the command once; false if the launcher is gone, and then
 * launcher_stop says how it ended. */
bool launcher_run(Launched *launched);
/* Ends the launcher, if it runs: it removes the folder and exits.
 * wait_status gets how it ended, if not NULL. */
void launcher_stop(int *wait_status);

/* Removes folder and everything in it; NULL: nothing. */
void folder_remove(const char *folder);

#endif
