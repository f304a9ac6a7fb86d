/*
 * report_file.c -- the OutputFile: temporary file + rename (see
 * report_file.h).  The paths live in static buffers because the commit may
 * run in a signal handler.
 */
#include "report_file.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEMP_SUFFIX ".tmp.XXXXXX"

static struct {
    char path[PATH_MAX];
    char temp[PATH_MAX + sizeof TEMP_SUFFIX];
    int fd;
} f = {.fd = -1};

int mt_report_file_open(const char *path, char *err, size_t errlen) {
    size_t n = strlen(path);
    struct stat st;
    if (n >= sizeof f.path) {
        errno = ENAMETOOLONG;
        goto fail;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    memcpy(f.path, path, n + 1);
    memcpy(f.temp, path, n);
    memcpy(f.temp + n, TEMP_SUFFIX, sizeof TEMP_SUFFIX);
    f.fd = mkstemp(f.temp);
    if (f.fd < 0) goto fail;
    /* mkstemp makes the file private; a report is an ordinary file. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(f.fd, 0666 & ~mask) != 0) {
        int saved = errno;
        mt_report_file_commit(0);
        errno = saved;
        goto fail;
    }
    return 0;
fail:
    snprintf(err, errlen, "cannot write report '%s': %s", path,
             strerror(errno));
    return -1;
}

int mt_report_file_fd(void) { return f.fd; }

int mt_report_file_commit(int ok) {
    if (f.fd < 0) return 0;
    if (close(f.fd) != 0) ok = 0;
    f.fd = -1;
    if (ok && rename(f.temp, f.path) != 0) ok = 0;
    if (!ok) unlink(f.temp);
    return ok;
}
