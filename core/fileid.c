/* core/fileid.c — file identities, see fileid.h. */
#include "core/fileid.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hw_file_identify(const char *path, hw_file_id *id, hw_err *e)
{
    memset(id, 0, sizeof *id);
    if (strlen(path) >= sizeof id->path) return hw_fail(e, HW_EINVAL, "%s: path too long", path);
    memcpy(id->path, path, strlen(path) + 1);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return hw_fail(e, HW_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return hw_fail(e, HW_EIO, "%s: not a regular file", path);
    }
    uint64_t h = 14695981039346656037ULL; /* FNV-1a 64 offset basis */
    unsigned char buf[1 << 16];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) h = (h ^ buf[i]) * 1099511628211ULL;
        id->bytes += (uint64_t)n;
    }
    int err = errno;
    close(fd);
    if (n < 0) return hw_fail(e, HW_EIO, "%s: cannot read: %s", path, strerror(err));
    id->fnv1a64 = h;
    return HW_OK;
}
