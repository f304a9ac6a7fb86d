/*
 * cli.h -- what the subcommands share on the command line: getopt_long
 * set up for one subcommand, one-line usage errors, number arguments.
 */
#ifndef MEMTRACER_CLI_H
#define MEMTRACER_CLI_H

#include <getopt.h>
#include <stdbool.h>

/* Prepares getopt_long to read a subcommand's own argv from its start,
 * with getopt's own messages off (cli_option_error says it instead). */
void cli_reset(void);

/* The one line for an option getopt_long refused (unknown, missing its
 * value, or given one it takes none); returns STATUS_USAGE.
 * short_options: the option string getopt_long was given. */
int cli_option_error(char **argv, const char *subcommand, const char *short_options);

/* Prints "memtracer SUB: MESSAGE (see memtracer SUB --help)" and returns
 * STATUS_USAGE. */
int cli_usage_error(const char *subcommand, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* A whole number >= `min`, or false. */
bool cli_parse_long(const char *text, long min, long *out);
/* A non-negative decimal number ("5", "2.5", "2.5%"), or false. */
bool cli_parse_percent(const char *text, double *out);

/* Writes `text` to stdout; true when the caller asked for help. */
int cli_help(const char *text);

/* Flushes stdout; STATUS_CANT_WRITE with one line if that failed,
 * otherwise `status`. */
int cli_finish_stdout(int status);

#endif
