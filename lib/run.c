/* SPDX-License-Identifier: Apache-2.0 */
/* Running a step's command: no shell, own process group, streams, timeout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <intoto/run.h>

#define KILL_GRACE_MS 2000

void
intoto_run_result_init(struct intoto_run_result *res)
{
    res->return_value = -1;
    res->signal = 0;
    res->timed_out = 0;
    intoto_buf_init(&res->out);
    intoto_buf_init(&res->err);
}

void
intoto_run_result_release(struct intoto_run_result *res)
{
    intoto_buf_release(&res->out);
    intoto_buf_release(&res->err);
    intoto_run_result_init(res);
}

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The pipes and state of one run. */
struct child {
    pid_t pid;
    int out[2];
    int err[2];
    int status_pipe[2];    /* exec failure: the child writes errno */
    int pidfd;
    int tty;               /* the terminal was handed to the child */
    int reaped;
    int status;
    int sigfd;             /* INT, TERM, HUP, QUIT while it runs */
    int masked;
    sigset_t old_mask;
};

static void
close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* In the child: signals back to defaults, terminal, streams, exec. */
static void
child_exec(struct child *c, const char *const *argv,
           const struct intoto_run_opts *opts)
{
    static const int sigs[] = { SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP,
                                SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD };
    sigset_t none;
    size_t i;
    int e, null;

    setpgid(0, 0);
    if (c->tty) {
        /* Take the terminal before a read could stop us (as shells do). */
        signal(SIGTTOU, SIG_IGN);
        tcsetpgrp(STDIN_FILENO, getpid());
    }
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        signal(sigs[i], SIG_DFL);
    }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (opts->capture) {
        dup2(c->out[1], STDOUT_FILENO);
        dup2(c->err[1], STDERR_FILENO);
    } else if (opts->quiet) {
        null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
    }
    if (opts->cwd != NULL && chdir(opts->cwd) != 0) {
        e = errno;
        if (write(c->status_pipe[1], &e, sizeof(e)) < 0) {
            _exit(127);
        }
        _exit(127);
    }
    execvp(argv[0], (char *const *)argv);
    e = errno;
    if (write(c->status_pipe[1], &e, sizeof(e)) < 0) {
        _exit(127);
    }
    _exit(127);
}

/*
 * The command runs in its own process group so that a timeout can end
 * everything it started.  When we are in the foreground of a terminal the
 * group gets the terminal, so interactive commands still work; it is taken
 * back afterwards.
 */
static void
terminal_give(struct child *c)
{
    void (*old)(int);

    if (!c->tty) {
        return;
    }
    old = signal(SIGTTOU, SIG_IGN);
    tcsetpgrp(STDIN_FILENO, c->pid);
    signal(SIGTTOU, old);
}

static void
terminal_take(struct child *c)
{
    void (*old)(int);

    if (!c->tty) {
        return;
    }
    old = signal(SIGTTOU, SIG_IGN);
    tcsetpgrp(STDIN_FILENO, getpgrp());
    signal(SIGTTOU, old);
    c->tty = 0;
}

static int
child_start(struct child *c, const char *const *argv,
            const struct intoto_run_opts *opts, struct intoto_error *err)
{
    int e = 0;
    ssize_t n;

    if (pipe2(c->status_pipe, O_CLOEXEC) != 0 ||
        (opts->capture && (pipe2(c->out, O_CLOEXEC) != 0 ||
                           pipe2(c->err, O_CLOEXEC) != 0))) {
        return intoto_error_set(err, INTOTO_EIO, "cannot run '%s': %s",
                                argv[0], strerror(errno));
    }
    c->tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
    c->pid = fork();
    if (c->pid < 0) {
        return intoto_error_set(err, INTOTO_EIO, "cannot run '%s': %s",
                                argv[0], strerror(errno));
    }
    if (c->pid == 0) {
        child_exec(c, argv, opts);
    }
    setpgid(c->pid, c->pid);
    terminal_give(c);
    close_fd(&c->status_pipe[1]);
    close_fd(&c->out[1]);
    close_fd(&c->err[1]);
    do {
        n = read(c->status_pipe[0], &e, sizeof(e));
    } while (n < 0 && errno == EINTR);
    close_fd(&c->status_pipe[0]);
    if (n == (ssize_t)sizeof(e)) {
        waitpid(c->pid, NULL, 0);
        c->reaped = 1;
        terminal_take(c);
        return intoto_error_set(err, INTOTO_EIO, "cannot run '%s': %s",
                                argv[0], strerror(e));
    }
#ifdef SYS_pidfd_open
    c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
#endif
    return INTOTO_OK;
}

/*
 * While the command runs, INT, TERM, HUP and QUIT sent to us (a CI job
 * being cancelled, Ctrl-C without a terminal handed over) are passed on
 * to its process group instead of leaving it running orphaned; the
 * command's end is then recorded as usual.  Only the calling thread's
 * mask changes, and only until intoto_run() returns.
 */
static void
forward_begin(struct child *c)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    if (pthread_sigmask(SIG_BLOCK, &set, &c->old_mask) != 0) {
        return;
    }
    c->masked = 1;
    c->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void
forward_signals(struct child *c)
{
    struct signalfd_siginfo si;

    while (read(c->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        kill(-c->pid, (int)si.ssi_signo);
    }
}

static void
forward_end(struct child *c)
{
    close_fd(&c->sigfd);
    if (c->masked) {
        pthread_sigmask(SIG_SETMASK, &c->old_mask, NULL);
        c->masked = 0;
    }
}

static void
write_all(int fd, const char *data, size_t len)
{
    ssize_t n;

    while (len > 0) {
        n = write(fd, data, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return; /* a closed terminal must not stop the recording */
        }
        data += n;
        len -= (size_t)n;
    }
}

/* Move what is available on *fd into buf (and echo it); EOF closes it. */
static int
drain(int *fd, struct intoto_buf *buf, int echo_fd)
{
    char tmp[65536];
    ssize_t n;

    n = read(*fd, tmp, sizeof(tmp));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return INTOTO_OK;
    }
    if (n <= 0) {
        close_fd(fd);
        return INTOTO_OK;
    }
    if (echo_fd >= 0) {
        write_all(echo_fd, tmp, (size_t)n);
    }
    return intoto_buf_add(buf, tmp, (size_t)n);
}

static void
try_reap(struct child *c, int block)
{
    pid_t r;

    if (c->reaped) {
        return;
    }
    do {
        r = waitpid(c->pid, &c->status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == c->pid || (r < 0 && errno == ECHILD)) {
        c->reaped = 1;
    }
}

/*
 * Wait for the command to end and its streams to close, copying them into
 * res.  Returns 1 when the deadline (ms, 0 = none) passed first.
 */
static int
wait_loop(struct child *c, struct intoto_run_result *res,
          const struct intoto_run_opts *opts, int64_t deadline, int *rc)
{
    struct pollfd pfd[4];
    int nfd, timeout, echo = opts->echo;

    while (!c->reaped || c->out[0] >= 0 || c->err[0] >= 0) {
        nfd = 0;
        pfd[nfd++] = (struct pollfd){ c->out[0], POLLIN, 0 };
        pfd[nfd++] = (struct pollfd){ c->err[0], POLLIN, 0 };
        pfd[nfd++] = (struct pollfd){ c->reaped ? -1 : c->pidfd, POLLIN, 0 };
        pfd[nfd++] = (struct pollfd){ c->sigfd, POLLIN, 0 };
        timeout = c->pidfd < 0 && !c->reaped ? 20 : -1;
        if (deadline > 0) {
            int64_t left = deadline - now_ms();

            if (left <= 0) {
                return 1;
            }
            if (timeout < 0 || left < timeout) {
                timeout = (int)left;
            }
        }
        if (poll(pfd, (nfds_t)nfd, timeout) < 0 && errno != EINTR) {
            *rc = INTOTO_EIO;
            return 0;
        }
        if (c->out[0] >= 0 && pfd[0].revents) {
            *rc = drain(&c->out[0], &res->out, echo ? STDOUT_FILENO : -1);
        }
        if (c->err[0] >= 0 && pfd[1].revents && *rc == INTOTO_OK) {
            *rc = drain(&c->err[0], &res->err, echo ? STDERR_FILENO : -1);
        }
        if (*rc != INTOTO_OK) {
            return 0;
        }
        if (c->sigfd >= 0 && pfd[3].revents) {
            forward_signals(c);
        }
        try_reap(c, 0);
    }
    return 0;
}

/* End the whole process group: SIGTERM, a grace period, SIGKILL. */
static void
kill_group(struct child *c)
{
    int64_t until = now_ms() + KILL_GRACE_MS;

    kill(-c->pid, SIGTERM);
    while (!c->reaped && now_ms() < until) {
        try_reap(c, 0);
        if (!c->reaped) {
            usleep(10000);
        }
    }
    kill(-c->pid, SIGKILL);
    try_reap(c, 1);
}

static void
set_status(struct intoto_run_result *res, int status)
{
    if (WIFEXITED(status)) {
        res->return_value = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->signal = WTERMSIG(status);
        res->return_value = -1;
    }
}

int
intoto_run(struct intoto_run_result *res, const char *const *argv,
           const struct intoto_run_opts *opts, struct intoto_error *err)
{
    struct child c;
    int64_t deadline = 0;
    int rc, late;

    if (argv == NULL || argv[0] == NULL) {
        return intoto_error_set(err, INTOTO_EINVAL, "no command to run");
    }
    memset(&c, 0, sizeof(c));
    c.out[0] = c.out[1] = c.err[0] = c.err[1] = -1;
    c.status_pipe[0] = c.status_pipe[1] = c.pidfd = c.sigfd = -1;
    forward_begin(&c);
    if (opts->timeout > 0) {
        deadline = now_ms() + (int64_t)(opts->timeout * 1000.0);
    }
    rc = child_start(&c, argv, opts, err);
    if (rc != INTOTO_OK || c.reaped) {
        goto out;
    }
    late = wait_loop(&c, res, opts, deadline, &rc);
    if (late) {
        kill_group(&c);
        res->timed_out = 1;
        set_status(res, c.status);
        rc = intoto_error_set(err, INTOTO_EVERIFY,
                              "'%s' timed out after %g seconds and was "
                              "stopped", argv[0], opts->timeout);
        goto out;
    }
    try_reap(&c, 1);
    if (rc != INTOTO_OK) {
        intoto_error_set(err, rc, "running '%s': cannot collect its output",
                         argv[0]);
        goto out;
    }
    set_status(res, c.status);
out:
    if (c.pid > 0 && !c.reaped) {
        kill_group(&c);
    }
    terminal_take(&c);
    forward_end(&c);
    close_fd(&c.out[0]);
    close_fd(&c.err[0]);
    close_fd(&c.out[1]);
    close_fd(&c.err[1]);
    close_fd(&c.status_pipe[0]);
    close_fd(&c.status_pipe[1]);
    close_fd(&c.pidfd);
    return rc;
}
