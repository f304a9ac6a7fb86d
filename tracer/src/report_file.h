/*
 * report_file.h -- where the report goes: OutputFile, written through a
 * temporary file in the same directory and renamed into place, so a reader
 * sees the old report or the whole new one, never half of one.
 */
#ifndef MT_REPORT_FILE_H
#define MT_REPORT_FILE_H

#include <stddef.h>

/* Creates the temporary file now, so an unwritable OutputFile is known
 * before the program runs.  -1 with one line in err on failure. */
int mt_report_file_open(const char *path, char *err, size_t errlen);
/* The descriptor to write the report to. */
int mt_report_file_fd(void);
/* Closes the temporary file and renames it over path when ok; removes it
 * otherwise.  Returns whether the report is in place.  Signal-safe. */
int mt_report_file_commit(int ok);

#endif
