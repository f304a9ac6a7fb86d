/*
 * output.c -- writing a result file whole or not at all (see output.h).
 */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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

/* The temporary files that exist now, for a signal or exit() to remove.
 * Changed only with the caught signals blocked, so that the handler never
 * sees the list half-changed. */
#define PENDING_MAX 8
static const char *volatile pending[PENDING_MAX];
static size_t pending_count;

/* The signals that would end memtracer with a temporary file left: while
 * one exists, each whose action is the default removes them first.  One
 * ignored (nohup), or handled by another part of memtracer, is left
 * alone.  SIGXFSZ is ignored meanwhile, so that a file over the size
 * limit is a failed write (removed, exit 74) rather than a death. */
static const int caught_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define CAUGHT_COUNT (sizeof caught_signals / sizeof caught_signals[0])
static bool caught[CAUGHT_COUNT];
static bool size_limit_ignored;

static void pending_remove_all(void) {
    for (size_t i = 0; i < PENDING_MAX; i++)
        if (pending[i] != NULL) unlink(pending[i]);
}

/* Only async-signal-safe calls: removes the files, then dies of the
 * signal as if it had never been caught. */
static void signal_remove_pending(int signal_number) {
    pending_remove_all();
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal_number);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(signal_number);
}

static void signals_block(sigset_t *before) {
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < CAUGHT_COUNT; i++) sigaddset(&set, caught_signals[i]);
    sigprocmask(SIG_BLOCK, &set, before);
}

static void action_set(int signal_number, void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < CAUGHT_COUNT; i++) sigaddset(&action.sa_mask, caught_signals[i]);
    sigaction(signal_number, &action, NULL);
}

static bool action_is_default(int signal_number) {
    struct sigaction action;
    return sigaction(signal_number, NULL, &action) == 0 && !(action.sa_flags & SA_SIGINFO) &&
           action.sa_handler == SIG_DFL;
}

/* Called with the caught signals blocked, on the first temporary file
 * and after the last. */
static void signals_catch(bool on) {
    for (size_t i = 0; i < CAUGHT_COUNT; i++) {
        if (on && action_is_default(caught_signals[i])) {
            action_set(caught_signals[i], signal_remove_pending);
            caught[i] = true;
        } else if (!on && caught[i]) {
            action_set(caught_signals[i], SIG_DFL);
            caught[i] = false;
        }
    }
    if (on && action_is_default(SIGXFSZ)) {
        action_set(SIGXFSZ, SIG_IGN);
        size_limit_ignored = true;
    } else if (!on && size_limit_ignored) {
        action_set(SIGXFSZ, SIG_DFL);
        size_limit_ignored = false;
    }
}

/* mkstemp, the file listed as pending before any signal can find it
 * made; -1 with errno set when it cannot be. */
static int temporary_make(char *path) {
    static bool exit_hooked = false;
    sigset_t before;
    signals_block(&before);
    int fd = -1;
    size_t slot = 0;
    while (slot < PENDING_MAX && pending[slot] != NULL) slot++;
    if (!exit_hooked) exit_hooked = atexit(pending_remove_all) == 0;
    if (slot == PENDING_MAX) errno = EMFILE;
    else if ((fd = mkstemp(path)) >= 0) {
        pending[slot] = path;
        if (pending_count++ == 0) signals_catch(true);
    }
    int error = errno;
    sigprocmask(SIG_SETMASK, &before, NULL);
    errno = error;
    return fd;
}

/* Renames the temporary file `path` onto `target`, or removes it when
 * `target` is NULL or the rename fails, and takes it off the pending
 * list.  Returns 0 or the rename's errno. */
static int temporary_finish(const char *path, const char *target) {
    sigset_t before;
    signals_block(&before);
    int error = 0;
    if (target != NULL && rename(path, target) != 0) error = errno;
    if (target == NULL || error != 0) unlink(path);
    for (size_t i = 0; i < PENDING_MAX; i++) {
        if (pending[i] != path) continue;
        pending[i] = NULL;
        if (--pending_count == 0) signals_catch(false);
    }
    sigprocmask(SIG_SETMASK, &before, NULL);
    return error;
}

static int cannot_write(Output *output, int error) {
    return msg_error(STATUS_CANT_WRITE, "cannot write %s: %s", output->path, strerror(error));
}

/* Says why `output` cannot be opened and leaves nothing of it behind. */
static int open_failed(Output *output, int error) {
    int status = cannot_write(output, error);
    if (output->temporary != NULL && output->file == NULL) temporary_finish(output->temporary, NULL);
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
    int fd = temporary_make(output->temporary);
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
            int moved = temporary_finish(output->temporary, complete && error == 0 ? output->target : NULL);
            if (error == 0) error = moved;
        }
    }
    if (complete && error != 0) status = cannot_write(output, error);
    free(output->path);
    free(output->target);
    free(output->temporary);
    memset(output, 0, sizeof *output);
    return status;
}
