/* core/fileio.c — regular-file input, atomic output, stdout close, see fileio.h. */
#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *hw_file_kind(unsigned mode)
{
    if (S_ISREG(mode)) return "a regular file";
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISLNK(mode)) return "a symbolic link";
    return "not a regular file";
}

/* ---- input ---------------------------------------------------------------- */

int hw_read_regular_file(const char *path, const char *what, size_t max, unsigned char **buf, size_t *len,
                         hw_err *e)
{
    *buf = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO without a writer must not wait; the type is
     * checked on the open descriptor (no window between check and use). */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return hw_fail(e, HW_EIO, "%s: cannot open %s: %s", path, what, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return hw_fail(e, HW_EIO, "%s: cannot open %s: %s", path, what, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return hw_fail(e, HW_EIO, "%s: %s is %s, expected a regular file", path, what, hw_file_kind(st.st_mode));
    }
    if (max > 0 && (uintmax_t)st.st_size > (uintmax_t)max) {
        close(fd);
        return hw_fail(e, HW_EPARSE, "%s: %s larger than %zu bytes", path, what, max);
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    /* Read to the end (the size may change under us); grow as needed. */
    size_t cap = (size_t)st.st_size + 1 + 4096, n = 0;
    unsigned char *b = malloc(cap);
    if (!b) { close(fd); return hw_fail(e, HW_ENOMEM, "%s: out of memory reading %s", path, what); }
    for (;;) {
        if (cap - n < 2) {
            if (max > 0 && n > max) break;
            unsigned char *nb = realloc(b, cap * 2);
            if (!nb) { free(b); close(fd); return hw_fail(e, HW_ENOMEM, "%s: out of memory reading %s", path, what); }
            b = nb;
            cap *= 2;
        }
        ssize_t got = read(fd, b + n, cap - n - 1);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int err = errno;
            free(b);
            close(fd);
            return hw_fail(e, HW_EIO, "%s: cannot read %s: %s", path, what, strerror(err));
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    close(fd);
    if (max > 0 && n > max) { free(b); return hw_fail(e, HW_EPARSE, "%s: %s larger than %zu bytes", path, what, max); }
    b[n] = 0;
    *buf = b;
    *len = n;
    return HW_OK;
}

/* ---- output --------------------------------------------------------------- */

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Writes through an existing non-regular file (FIFO, device): in place. */
static int write_through(const char *path, int oflags, const void *data, size_t len, hw_err *e)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | oflags, 0666);
    if (fd < 0) return hw_fail(e, HW_EIO, "%s: cannot write: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        close(fd);
        return hw_fail(e, HW_EIO, "%s: is a directory, expected a file", path);
    }
    int bad = write_all(fd, data, len) != 0;
    int err = errno;
    if (close(fd) != 0 && !bad) { bad = 1; err = errno; }
    if (bad) return hw_fail(e, HW_EIO, "%s: cannot write: %s", path, strerror(err));
    return HW_OK;
}

/* Writes target.tmp, fsyncs, renames over target (a regular file or absent). */
static int write_replace(const char *shown, const char *target, const void *data, size_t len, hw_err *e)
{
    size_t n = strlen(target) + 5;
    char *tmp = malloc(n);
    if (!tmp) return hw_fail(e, HW_ENOMEM, "%s: out of memory", shown);
    snprintf(tmp, n, "%s.tmp", target);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) {
        int rc = hw_fail(e, HW_EIO, "%s: cannot write: %s", shown, strerror(errno));
        free(tmp);
        return rc;
    }
    int bad = write_all(fd, data, len) != 0 || fsync(fd) != 0;
    int err = errno;
    if (close(fd) != 0 && !bad) { bad = 1; err = errno; }
    if (!bad && rename(tmp, target) != 0) { bad = 1; err = errno; }
    if (bad) {
        unlink(tmp);
        free(tmp);
        return hw_fail(e, HW_EIO, "%s: cannot write: %s", shown, strerror(err));
    }
    free(tmp);
    return HW_OK;
}

int hw_output_write(const char *path, const void *data, size_t len, hw_err *e)
{
    struct stat st;
    if (stat(path, &st) == 0) { /* follows symlinks: what is written is the target */
        if (S_ISDIR(st.st_mode)) return hw_fail(e, HW_EIO, "%s: is a directory, expected a file", path);
        if (!S_ISREG(st.st_mode)) return write_through(path, 0, data, len, e);
    } else if (errno != ENOENT) {
        return hw_fail(e, HW_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    struct stat lst;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        /* a symlink to a regular file: replace its final target, keep the link */
        char *target = realpath(path, NULL);
        if (!target) /* dangling: create the target through the link */
            return write_through(path, O_CREAT | O_TRUNC, data, len, e);
        int rc = write_replace(path, target, data, len, e);
        free(target);
        return rc;
    }
    return write_replace(path, path, data, len, e);
}

/* ---- stdout ---------------------------------------------------------------- */

int hw_close_stdout(const char *prog, int status)
{
    errno = 0;
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int err = errno;
    if (fclose(stdout) != 0 && !bad && errno != EBADF) { bad = 1; err = errno; } /* EBADF: closed, nothing written */
    if (!bad || status) return status; /* a failed command has said why already */
    fprintf(stderr, "%s: cannot write to stdout: %s\n", prog, err ? strerror(err) : "write error");
    return status ? status : 1;
}
