/*
 * launcher.c -- the process that runs bench's command (see launcher.h).
 *
 * The launcher runs the command once per request (a byte on a socket
 * pair) and answers how the run went (a Launched).  It never calls
 * exit(), whose handlers are bench's: it ends by _exit when its requests
 * end, bench being done with the folder or gone, once it has removed the
 * folder.  Bench dying, even of SIGKILL, sends it SIGTERM, which it
 * passes on to the running command; the command is killed with it.
 */
#define _XOPEN_SOURCE 700
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* The process a caught signal is passed on to: in bench the launcher
 * while it runs, in the launcher the command while it runs. */
static volatile pid_t running_child = 0;
/* The last signal caught; in the launcher, one not yet passed on. */
static volatile sig_atomic_t stop_signal = 0;

static void signal_pass_on(int signal_number) {
    stop_signal = signal_number;
    if (running_child > 0) kill(running_child, signal_number);
}

static const int caught_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define CAUGHT_COUNT (sizeof caught_signals / sizeof caught_signals[0])
/* Which of caught_signals are caught: those not ignored when bench
 * started, which stay ignored, in bench and in the command. */
static bool catching[CAUGHT_COUNT];

int launcher_signal_caught(void) { return stop_signal; }

static void caught_set(sigset_t *set) {
    sigemptyset(set);
    for (size_t i = 0; i < CAUGHT_COUNT; i++)
        if (catching[i]) sigaddset(set, caught_signals[i]);
}

void launcher_signals_catch(bool on) {
    struct sigaction action, was;
    memset(&action, 0, sizeof action);
    action.sa_handler = on ? signal_pass_on : SIG_DFL;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < CAUGHT_COUNT; i++) {
        if (on)
            catching[i] = sigaction(caught_signals[i], NULL, &was) == 0 &&
                          was.sa_handler != SIG_IGN;
        if (catching[i]) sigaction(caught_signals[i], &action, NULL);
    }
}

static int entry_remove(const char *path, const struct stat *info, int flag, struct FTW *walk) {
    (void)info;
    (void)walk;
    if (flag == FTW_DP) rmdir(path);
    else unlink(path);
    return 0;
}

void folder_remove(const char *folder) {
    if (folder != NULL) nftw(folder, entry_remove, 16, FTW_DEPTH | FTW_PHYS);
}

/* The launcher while it runs (pid > 0): its process and bench's end of
 * the socket it takes requests on; and what each run execs, with which
 * files, in which folder. */
static struct {
    pid_t pid;
    int socket;
    char **argv;
    const char *std_paths[3];
    const char *folder;
} launcher = {0, -1, NULL, {NULL, NULL, NULL}, NULL};

/* Its requests end, so it removes the folder and exits. */
void launcher_stop(int *wait_status) {
    if (launcher.pid <= 0) return;
    running_child = 0;
    close(launcher.socket);
    int status = 0;
    while (waitpid(launcher.pid, &status, 0) < 0 && errno == EINTR) {}
    if (wait_status != NULL) *wait_status = status;
    launcher.pid = 0;
    launcher.socket = -1;
}

/* `fd` kept above standard error, close-on-exec: one of 0, 1 and 2 is
 * moved (and closed), so that those bench found closed stay closed and a
 * dup2 onto them in a child always replaces them.  -1, errno set, if it
 * is -1 or cannot be moved.  Async-signal-safe. */
static int fd_above_std(int fd) {
    if (fd < 0) return -1;
    if (fd > STDERR_FILENO) {
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        return fd;
    }
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    int error = errno;
    close(fd);
    errno = error;
    return moved;
}

/* Both ends of a pipe or socket pair kept above standard error
 * (fd_above_std); if either cannot be, both closed and false, errno
 * set. */
static bool ends_above_std(int ends[2]) {
    ends[0] = fd_above_std(ends[0]);
    if (ends[0] >= 0) ends[1] = fd_above_std(ends[1]);
    if (ends[0] >= 0 && ends[1] >= 0) return true;
    int error = errno;
    close(ends[0] >= 0 ? ends[0] : ends[1]);
    errno = error;
    return false;
}

/* A pipe whose ends close on exec, above standard error: the child's
 * exec failure comes through it, and its closing tells the exec
 * succeeded. */
static bool pipe_cloexec(int ends[2]) {
    return pipe(ends) == 0 && ends_above_std(ends);
}

/* Reads exactly `size` bytes; false at the end of the file or an error. */
static bool read_full(int fd, void *buffer, size_t size) {
    for (size_t done = 0; done < size;) {
        ssize_t got = read(fd, (char *)buffer + done, size - done);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        done += (size_t)got;
    }
    return true;
}

/* Sends exactly `size` bytes on a socket, with no SIGPIPE if the other
 * end is gone; false if they cannot be sent. */
static bool send_full(int fd, const void *buffer, size_t size) {
    for (size_t done = 0; done < size;) {
        ssize_t sent = send(fd, (const char *)buffer + done, size - done, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) return false;
        done += (size_t)sent;
    }
    return true;
}

/* In the launcher: runs the command once.  A caught signal is passed on
 * to the command while it runs, and one that came while none ran to the
 * next as soon as it starts. */
static Launched launch(void) {
    Launched launched = {LAUNCH_RAN, 0, 0, 0, 0};
    static const int std_flags[3] = {O_RDONLY | O_CREAT, O_WRONLY | O_CREAT | O_TRUNC,
                                     O_WRONLY | O_CREAT | O_TRUNC};
    int std_fds[3] = {-1, -1, -1}, exec_pipe[2] = {-1, -1};
    bool ready = true;
    for (int i = 0; i < 3 && ready; i++)
        ready = (std_fds[i] = fd_above_std(open(launcher.std_paths[i], std_flags[i] | O_CLOEXEC,
                                                0600))) >= 0;
    if (!ready || !pipe_cloexec(exec_pipe)) {
        launched.outcome = LAUNCH_UNPREPARED;
        launched.error = errno;
        for (int i = 0; i < 3; i++)
            if (std_fds[i] >= 0) close(std_fds[i]);
        return launched;
    }
    /* The caught signals stay blocked until the child is running_child;
     * the child puts them back to their defaults before it unblocks them,
     * so that one sent before exec ends it as it would the command.  The
     * others keep the disposition bench started with. */
    struct sigaction by_default;
    memset(&by_default, 0, sizeof by_default);
    by_default.sa_handler = SIG_DFL;
    sigemptyset(&by_default.sa_mask);
    sigset_t caught, mask;
    caught_set(&caught);
    sigprocmask(SIG_BLOCK, &caught, &mask);
    pid_t launcher_pid = getpid();
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t child = fork();
    if (child == 0) {
        /* Only async-signal-safe calls from here to exec.  The command
         * is killed with the launcher: should the launcher be killed,
         * nothing is left to stop it, and bench removes the folder at
         * once (no report of the command's may land in it after). */
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != launcher_pid) _exit(127);
#endif
        for (size_t i = 0; i < CAUGHT_COUNT; i++)
            if (catching[i]) sigaction(caught_signals[i], &by_default, NULL);
        sigprocmask(SIG_SETMASK, &mask, NULL);
        if (dup2(std_fds[0], STDIN_FILENO) >= 0 && dup2(std_fds[1], STDOUT_FILENO) >= 0 &&
            dup2(std_fds[2], STDERR_FILENO) >= 0)
            execvp(launcher.argv[0], launcher.argv);
        int error = errno;
        ssize_t written = write(exec_pipe[1], &error, sizeof error);
        (void)written;
        _exit(127);
    }
    int fork_error = errno;
    if (child > 0) {
        running_child = child;
        if (stop_signal != 0) kill(child, stop_signal);
    }
    sigprocmask(SIG_SETMASK, &mask, NULL);
    for (int i = 0; i < 3; i++) close(std_fds[i]);
    close(exec_pipe[1]);
    if (child < 0) {
        close(exec_pipe[0]);
        launched.outcome = LAUNCH_UNFORKED;
        launched.error = fork_error;
        return launched;
    }
    int exec_error = 0;
    bool exec_failed = read_full(exec_pipe[0], &exec_error, sizeof exec_error);
    close(exec_pipe[0]);
    /* Waited for before it is reaped: its pid is not reused while it is
     * a zombie, so a signal passed on meanwhile finds it or nothing. */
    siginfo_t info;
    while (waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {}
    clock_gettime(CLOCK_MONOTONIC, &end);
    sigprocmask(SIG_BLOCK, &caught, NULL);
    running_child = 0;
    stop_signal = 0;
    sigprocmask(SIG_SETMASK, &mask, NULL);
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    while (wait4(child, &launched.wait_status, 0, &usage) < 0 && errno == EINTR) {}
    launched.max_rss_kib = usage.ru_maxrss;
    launched.wall_ms = (double)(end.tv_sec - start.tv_sec) * 1e3 +
                       (double)(end.tv_nsec - start.tv_nsec) / 1e6;
    if (exec_failed) {
        launched.outcome = LAUNCH_UNEXECUTED;
        launched.error = exec_error;
    }
    return launched;
}

/* In the launcher: answers requests until they end, then removes the
 * folder and exits. */
static _Noreturn void launcher_serve(int requests) {
    char request;
    while (read_full(requests, &request, 1)) {
        Launched launched = launch();
        if (!send_full(requests, &launched, sizeof launched)) break;
    }
    folder_remove(launcher.folder);
    _exit(0);
}

bool launcher_start(char **argv, char *const std_paths[3], const char *folder) {
    launcher.argv = argv;
    for (int i = 0; i < 3; i++) launcher.std_paths[i] = std_paths[i];
    launcher.folder = folder;
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, ends) != 0 || !ends_above_std(ends)) return false;
    /* Blocked until the launcher is running_child, for bench to pass a
     * signal on to it. */
    sigset_t caught, mask;
    caught_set(&caught);
    sigprocmask(SIG_BLOCK, &caught, &mask);
    pid_t pid = fork();
    if (pid == 0) {
        close(ends[0]);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
        sigprocmask(SIG_SETMASK, &mask, NULL);
        launcher_serve(ends[1]);
    }
    int fork_error = errno;
    close(ends[1]);
    if (pid > 0) {
        launcher.pid = pid;
        launcher.socket = ends[0];
        running_child = pid;
    } else {
        close(ends[0]);
    }
    sigprocmask(SIG_SETMASK, &mask, NULL);
    errno = fork_error;
    return pid > 0;
}

bool launcher_run(Launched *launched) {
    const char request = 'r';
    return send_full(launcher.socket, &request, 1) &&
           read_full(launcher.socket, launched, sizeof *launched);
}
