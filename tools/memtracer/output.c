/*
 * output.c -- writing a result file whole or not at all (see output.h).
 */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "status.h"

/* Symlinks followed before giving up, as the kernel does (ELOOP). */
#define SYMLINK_DEPTH_MAX 40

static char *folder_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (slash == NULL) return str_dup(".");
    if (slash == path) return str_dup("/");
    return str_printf("%.*s", (int)(slash - path), path);
}

/* The symlink's target, read whole however long. */
static char *link_read(const char *path) {
    size_t size = 256;
    for (;;) {
        char *text = mem_alloc(size);
        ssize_t length = readlink(path, text, size);
        if (length < 0) {
            free(text);
            return NULL;
        }
        if ((size_t)length < size) {
            text[length] = '\0';
            return text;
        }
        free(text);
        size *= 2;
    }
}

/* Follows `path` through symlinks to what a write would reach; NULL with
 * errno set when a link cannot be read or they loop. */
static char *links_resolve(const char *path) {
    char *at = str_dup(path);
    for (int depth = 0; depth < SYMLINK_DEPTH_MAX; depth++) {
        struct stat info;
        if (lstat(at, &info) != 0 || !S_ISLNK(info.st_mode)) return at;
        char *target = link_read(at);
        if (target == NULL) {
            free(at);
            return NULL;
        }
        char *next;
        if (target[0] == '/') {
            next = target;
        } else {
            char *folder = folder_of(at);
            next = str_printf("%s/%s", folder, target);
            free(folder);
            free(target);
        }
        free(at);
        at = next;
    }
    free(at);
    errno = ELOOP;
    return NULL;
}

static int cannot_write(Output *output, int error) {
    return msg_error(STATUS_CANT_WRITE, "cannot write %s: %s", output->path, strerror(error));
}

/* Says why `output` cannot be opened and leaves nothing of it behind. */
static int open_failed(Output *output, int error) {
    int status = cannot_write(output, error);
    if (output->temporary != NULL && output->file == NULL) unlink(output->temporary);
    free(output->path);
    free(output->target);
    free(output->temporary);
    memset(output, 0, sizeof *output);
    return status;
}

int output_open(Output *output, const char *path) {
    memset(output, 0, sizeof *output);
    if (path == NULL || strcmp(path, "-") == 0) {
        output->file = stdout;
        output->path = str_dup("standard output");
        return STATUS_OK;
    }
    output->path = str_dup(path);
    char *target = links_resolve(path);
    if (target == NULL) return open_failed(output, errno);

    struct stat info;
    mode_t mode;
    if (stat(target, &info) == 0) {
        if (!S_ISREG(info.st_mode)) {
            /* A FIFO, a device, a directory: written in place, or refused. */
            output->file = fopen(target, "w");
            int error = errno;
            free(target);
            return output->file != NULL ? STATUS_OK : open_failed(output, error);
        }
        mode = info.st_mode & 07777;
    } else if (errno == ENOENT) {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    } else {
        int error = errno;
        free(target);
        return open_failed(output, error);
    }

    char *folder = folder_of(target);
    const char *slash = strrchr(target, '/');
    output->temporary = str_printf("%s/.%s.XXXXXX", folder, slash != NULL ? slash + 1 : target);
    free(folder);
    output->target = target;
    int fd = mkstemp(output->temporary);
    if (fd < 0) {
        int error = errno;
        free(output->temporary);
        output->temporary = NULL;
        return open_failed(output, error);
    }
    if (fchmod(fd, mode) != 0 || (output->file = fdopen(fd, "w")) == NULL) {
        int error = errno;
        close(fd);
        return open_failed(output, error);
    }
    return STATUS_OK;
}

int output_close(Output *output, bool complete, int status) {
    int error = 0;
    if (output->file == stdout) {
        if (complete && (fflush(stdout) != 0 || ferror(stdout))) error = errno ? errno : EIO;
    } else if (output->file != NULL) {
        if (complete && (fflush(output->file) != 0 || ferror(output->file)))
            error = errno ? errno : EIO;
        if (complete && error == 0 && output->temporary != NULL &&
            fsync(fileno(output->file)) != 0)
            error = errno;
        if (fclose(output->file) != 0 && complete && error == 0) error = errno;
        if (output->temporary != NULL) {
            if (complete && error == 0 && rename(output->temporary, output->target) != 0)
                error = errno;
            if (!complete || error != 0) unlink(output->temporary);
        }
    }
    if (complete && error != 0) status = cannot_write(output, error);
    free(output->path);
    free(output->target);
    free(output->temporary);
    memset(output, 0, sizeof *output);
    return status;
}
