/*
 * cli.c -- shared command-line helpers (see cli.h).
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "status.h"

void cli_reset(void) {
    optind = 0; /* glibc: 0 starts afresh, forgetting any earlier scan */
    opterr = 0;
}

/* Whether the short option `letter` takes a value in getopt's option
 * string `short_options` (a letter followed by ':'). */
static bool option_takes_value(const char *short_options, int letter) {
    const char *at = letter != '\0' && letter != ':' ? strchr(short_options, letter) : NULL;
    return at != NULL && at[1] == ':';
}

/* Whether getopt stopped inside a cluster of short options ("-qh" at q):
 * it then leaves optind at that word, not past it. */
static bool option_in_cluster(char **argv) {
    const char *word = argv[optind];
    if (word == NULL || word[0] != '-' || word[1] == '-') return false;
    const char *letter = strchr(word + 1, optopt);
    return letter != NULL && letter[1] != '\0';
}

int cli_option_error(char **argv, const char *subcommand, const char *short_options) {
    const char *word = argv[optind - 1];
    if (optopt != 0 && (strncmp(word, "--", 2) != 0 || option_in_cluster(argv))) {
        if (option_takes_value(short_options, optopt))
            return cli_usage_error(subcommand, "option -%c needs a value", optopt);
        return cli_usage_error(subcommand, "unknown option -%c", optopt);
    }
    const char *equals = strchr(word, '=');
    int name_length = equals != NULL ? (int)(equals - word) : (int)strlen(word);
    /* A long option getopt_long knows: given a value it takes none, or
     * without the value it needs. */
    if (optopt != 0 && equals != NULL)
        return cli_usage_error(subcommand, "option %.*s takes no value", name_length, word);
    if (optopt != 0)
        return cli_usage_error(subcommand, "option %.*s needs a value", name_length, word);
    return cli_usage_error(subcommand, "unknown option %.*s", name_length, word);
}

int cli_usage_error(const char *subcommand, const char *format, ...) {
    va_list args;
    va_start(args, format);
    char *message = str_vprintf(format, args);
    va_end(args);
    char *lead = str_printf("memtracer %s: ", subcommand);
    char *line = str_printf("%s (see memtracer %s --help)", message, subcommand);
    msg_say(lead, line);
    free(line);
    free(lead);
    free(message);
    return STATUS_USAGE;
}

bool cli_parse_long(const char *text, long min, long *out) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min) return false;
    *out = value;
    return true;
}

bool cli_parse_percent(const char *text, double *out) {
    char *end;
    if (text[0] < '0' || text[0] > '9') return false;
    double value = strtod(text, &end);
    if (end == text || !isfinite(value) || value < 0) return false;
    if (*end == '%') end++;
    if (*end != '\0') return false;
    for (const char *c = text; c < end; c++)
        if ((*c < '0' || *c > '9') && *c != '.' && *c != '%') return false;
    *out = value;
    return true;
}

int cli_help(const char *text) {
    fputs(text, stdout);
    return cli_finish_stdout(STATUS_OK);
}

int cli_finish_stdout(int status) {
    if (fflush(stdout) != 0 || ferror(stdout))
        return msg_error(STATUS_CANT_WRITE, "cannot write to standard output: %s",
                         strerror(errno));
    return status;
}
