/*
 * destination.c -- opening the report's destination when tracing starts,
 * and completing it when the report is written (see destination.h).
 *
 * Completing may run in a signal handler, so tr_destination_fd and
 * tr_destination_commit use only async-signal-safe calls on what
 * tr_destination_open prepared: descriptors, and names copied then.
 */
#define _GNU_SOURCE
#include "destination.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "out.h"

#define SYMLINK_HOPS_MAX 40

/* A descriptor of ours: above standard error, closed on exec.  Takes fd
 * (closed here); -1 when no descriptor is free. */
static int fd_private(int fd) {
    if (fd < 0 || fd > 2) {
        if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
        return fd;
    }
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    int saved = errno;
    close(fd);
    errno = saved;
    return moved;
}

/* The descriptor a path names outright (/dev/stdout, /dev/fd/3,
 * /proc/self/fd/3), or -1: such a path is the descriptor itself, and
 * reopening it would start at its beginning or replace what it points
 * at. */
static int path_descriptor(const char *path) {
    static const struct {
        const char *path;
        int fd;
    } named[] = {{"/dev/stdin", 0}, {"/dev/stdout", 1}, {"/dev/stderr", 2}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcmp(path, named[i].path) == 0) return named[i].fd;
    const char *number = NULL;
    if (strncmp(path, "/dev/fd/", 8) == 0) number = path + 8;
    else if (strncmp(path, "/proc/self/fd/", 14) == 0) number = path + 14;
    else if (strncmp(path, "/proc/", 6) == 0) {
        char *end;
        long pid = strtol(path + 6, &end, 10);
        if (end != path + 6 && pid == (long)getpid() &&
            strncmp(end, "/fd/", 4) == 0)
            number = end + 4;
    }
    if (number == NULL || *number < '0' || *number > '9') return -1;
    char *end;
    long fd = strtol(number, &end, 10);
    return *end == '\0' && fd <= 1000000 ? (int)fd : -1;
}

/* The contents of symlink path; NULL with errno set. */
static char *link_read(const char *path, size_t size_hint) {
    size_t size = size_hint + 2;
    for (;;) {
        char *target = malloc(size);
        if (target == NULL) return NULL;
        ssize_t n = readlink(path, target, size);
        if (n < 0) {
            free(target);
            return NULL;
        }
        if ((size_t)n < size) {
            target[n] = '\0';
            return target;
        }
        free(target);
        size *= 2;
    }
}

/* path with its chain of symlinks followed to what they point at (which
 * may not exist yet), stopping at a path that names a descriptor; NULL
 * with errno set. */
static char *path_resolve(const char *path) {
    char *now = strdup(path);
    for (int hops = 0; now != NULL; hops++) {
        struct stat st;
        if (path_descriptor(now) >= 0 || lstat(now, &st) != 0 ||
            !S_ISLNK(st.st_mode))
            return now;
        if (hops == SYMLINK_HOPS_MAX) {
            free(now);
            errno = ELOOP;
            return NULL;
        }
        char *target = link_read(now, (size_t)st.st_size);
        if (target == NULL || target[0] == '/') {
            free(now);
            now = target;
            continue;
        }
        /* A relative target is relative to the link's folder. */
        const char *slash = strrchr(now, '/');
        size_t folder = slash != NULL ? (size_t)(slash - now) + 1 : 0;
        char *joined = malloc(folder + strlen(target) + 1);
        if (joined != NULL) {
            memcpy(joined, now, folder);
            strcpy(joined + folder, target);
        }
        free(target);
        free(now);
        now = joined;
    }
    return NULL;
}

static int same_file(const struct stat *a, const char *path) {
    struct stat b;
    return path != NULL && stat(path, &b) == 0 && a->st_dev == b.st_dev &&
           a->st_ino == b.st_ino;
}

static int socket_connect(const char *path) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Writes ".memtracer-PID-N.tmp" to dest->temp: short, whatever the
 * target's name, so a name as long as the system allows still works. */
static void temp_name(tr_destination *dest, unsigned n) {
    char *at = dest->temp;
    memcpy(at, ".memtracer-", 11);
    at += 11;
    at += tr_fmt_u64(at, (uint64_t)getpid());
    *at++ = '-';
    at += tr_fmt_u64(at, n);
    memcpy(at, ".tmp", 5);
}

/* A new file at a temporary name in the target's folder; -1 with errno. */
static int temp_create(tr_destination *dest) {
    for (unsigned n = 0;; n++) {
        temp_name(dest, n);
        int fd = openat(dest->folder_fd, dest->temp,
                        O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST || n == 1000) {
            if (fd < 0) dest->temp[0] = '\0';
            return fd;
        }
    }
}

/* Opens the folder of a regular target and what the report will be
 * written to there: an unnamed file if the file system has them, else a
 * probe that a named one can be made, removed at once. */
static int replace_open(tr_destination *dest, const char *target) {
    const char *slash = strrchr(target, '/');
    const char *base = slash != NULL ? slash + 1 : target;
    if (*base == '\0') {
        errno = EISDIR;
        return -1;
    }
    char *folder = slash == NULL ? strdup(".")
                   : slash == target ? strdup("/")
                                     : strndup(target, (size_t)(slash - target));
    if (folder == NULL || (dest->base = strdup(base)) == NULL) {
        free(folder);
        errno = ENOMEM;
        return -1;
    }
    dest->folder_fd =
        fd_private(open(folder, O_PATH | O_DIRECTORY | O_CLOEXEC));
    free(folder);
    if (dest->folder_fd < 0) return -1;
    dest->fd = fd_private(openat(dest->folder_fd, ".",
                                O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666));
    if (dest->fd >= 0) {
        dest->mode = TR_DEST_UNNAMED;
        return 0;
    }
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) return -1;
    int probe = temp_create(dest);
    if (probe < 0) return -1;
    close(probe);
    unlinkat(dest->folder_fd, dest->temp, 0);
    dest->temp[0] = '\0';
    dest->mode = TR_DEST_NAMED;
    return 0;
}

static int open_failed(tr_destination *dest, const char *path) {
    tr_error_set("cannot write report '%s': %s", path, strerror(errno));
    tr_destination_abandon(dest);
    return 74;
}

/* The report would replace the script it traces: a usage error, found
 * before anything runs. */
static int script_named(tr_destination *dest, char *target, const char *path) {
    tr_error_set("OutputFile '%s' is the script being traced; name "
                 "another file for the report", path);
    free(target);
    tr_destination_abandon(dest);
    return 64;
}

int tr_destination_open(tr_destination *dest, const char *path,
                        const char *program) {
    tr_destination_abandon(dest);
    if (path == NULL || strcmp(path, "-") == 0) {
        int fd = path == NULL ? 2 : 1;
        const char *shown = fd == 2 ? "to standard error"
                                    : "to standard output";
        dest->shown = strdup(shown);
        dest->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dest->fd < 0) {
            tr_error_set("cannot write report %s: %s", shown,
                         strerror(errno));
            tr_destination_abandon(dest);
            return 74;
        }
        dest->mode = TR_DEST_DESCRIPTOR;
        return 0;
    }
    if (path[0] == '\0') {
        errno = ENOENT;  /* no file has an empty name */
        return open_failed(dest, path);
    }
    size_t shown_len = strlen(path) + 2;
    if ((dest->shown = malloc(shown_len + 1)) == NULL) return open_failed(dest, path);
    dest->shown[0] = '\'';
    memcpy(dest->shown + 1, path, shown_len - 2);
    memcpy(dest->shown + shown_len - 1, "'", 2);

    char *target = path_resolve(path);
    if (target == NULL) return open_failed(dest, path);
    int descriptor = path_descriptor(target);
    struct stat st;
    int status = 0;
    if (descriptor >= 0 && fstat(descriptor, &st) == 0 &&
        same_file(&st, program)) {
        return script_named(dest, target, path);
    } else if (descriptor >= 0) {
        /* The descriptor must be open, and open for writing: else the
         * report would be lost at the end, after the whole run. */
        int flags = fcntl(descriptor, F_GETFL);
        if (flags >= 0 && (flags & O_ACCMODE) == O_RDONLY) errno = EBADF;
        else if (flags >= 0)
            dest->fd = fcntl(descriptor, F_DUPFD_CLOEXEC, 3);
        dest->mode = TR_DEST_DESCRIPTOR;
        if (dest->fd < 0) status = -1;
    } else if (stat(target, &st) != 0) {
        status = errno == ENOENT ? replace_open(dest, target) : -1;
    } else if (same_file(&st, program)) {
        return script_named(dest, target, path);
    } else if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        status = -1;
    } else if (S_ISREG(st.st_mode)) {
        status = faccessat(AT_FDCWD, target, W_OK, AT_EACCESS) == 0
                     ? replace_open(dest, target)
                     : -1;
    } else {
        dest->fd = fd_private(S_ISSOCK(st.st_mode)
                                 ? socket_connect(target)
                                 : open(target, O_WRONLY | O_NOCTTY |
                                                    O_CLOEXEC));
        dest->mode = TR_DEST_IN_PLACE;
        if (dest->fd < 0) status = -1;
    }
    free(target);
    return status == 0 ? 0 : open_failed(dest, path);
}

int tr_destination_fd(tr_destination *dest) {
    if (dest->mode == TR_DEST_NAMED && dest->fd < 0 && dest->temp[0] == '\0') {
        dest->fd = temp_create(dest);
        if (dest->fd < 0) dest->fd_errno = errno;
    }
    return dest->fd;
}

/* Links the unnamed file at a temporary name: through its descriptor if
 * the process may (CAP_DAC_READ_SEARCH), else through /proc. */
static int unnamed_link(tr_destination *dest) {
    char proc_path[64] = "/proc/self/fd/";
    proc_path[14 + tr_fmt_u64(proc_path + 14, (uint64_t)dest->fd)] = '\0';
    for (unsigned n = 0; n <= 1000; n++) {
        temp_name(dest, n);
        if (linkat(dest->fd, "", dest->folder_fd, dest->temp, AT_EMPTY_PATH) ==
                0 ||
            (errno != EEXIST &&
             linkat(AT_FDCWD, proc_path, dest->folder_fd, dest->temp,
                    AT_SYMLINK_FOLLOW) == 0))
            return 0;
        if (errno != EEXIST) break;
    }
    dest->temp[0] = '\0';
    return -1;
}

/* One line on standard error: why the report is not where it should be. */
static void lost_say(const tr_destination *dest, int why) {
    const char *reason = strerrordesc_np(why);
    struct iovec parts[] = {
        {"memtracer: cannot write report ", 31},
        {dest->shown, dest->shown != NULL ? strlen(dest->shown) : 0},
        {": ", 2},
        {(char *)reason, reason != NULL ? strlen(reason) : 0},
        {"; the report is lost\n", 21},
    };
    ssize_t written = writev(2, parts, sizeof parts / sizeof parts[0]);
    (void)written;
}

int tr_destination_commit(tr_destination *dest, int ok, int write_errno) {
    int why = write_errno;
    if (dest->mode == TR_DEST_NONE) return 0;
    if (dest->fd < 0) {
        ok = 0;
        why = dest->fd_errno;
    }
    if (ok && dest->mode == TR_DEST_UNNAMED && unnamed_link(dest) != 0) {
        ok = 0;
        why = errno;
    }
    if (dest->fd >= 0 && close(dest->fd) != 0 && ok) {
        ok = 0;
        why = errno;
    }
    dest->fd = -1;
    if (ok && dest->temp[0] != '\0' &&
        renameat(dest->folder_fd, dest->temp, dest->folder_fd, dest->base) != 0) {
        ok = 0;
        why = errno;
    }
    if (!ok) {
        if (dest->temp[0] != '\0') unlinkat(dest->folder_fd, dest->temp, 0);
        if (dest->quiet)
            tr_error_set("cannot write report %s: %s", dest->shown,
                         strerror(why != 0 ? why : EIO));
        else
            lost_say(dest, why != 0 ? why : EIO);
    }
    dest->temp[0] = '\0';
    if (dest->folder_fd >= 0) close(dest->folder_fd);
    dest->folder_fd = -1;
    dest->mode = TR_DEST_NONE;
    return ok;
}

void tr_destination_abandon(tr_destination *dest) {
    if (dest->fd >= 0) close(dest->fd);
    if (dest->temp[0] != '\0') unlinkat(dest->folder_fd, dest->temp, 0);
    if (dest->folder_fd >= 0) close(dest->folder_fd);
    free(dest->shown);
    free(dest->base);
    dest->shown = dest->base = NULL;
    dest->temp[0] = '\0';
    dest->fd = dest->folder_fd = -1;
    dest->fd_errno = 0;
    dest->mode = TR_DEST_NONE;
}
