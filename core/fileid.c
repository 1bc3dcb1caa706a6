/* core/fileid.c — file identities, see fileid.h. */
#include "core/fileid.h"

#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"

int hw_file_id_of(const char *path, const unsigned char *data, size_t n, hw_file_id *id, hw_err *e)
{
    memset(id, 0, sizeof *id);
    size_t len = strlen(path);
    if (len >= sizeof id->path) return hw_fail(e, HW_EINVAL, "%s: path too long", path);
    memcpy(id->path, path, len + 1);
    uint64_t h = 14695981039346656037ULL; /* FNV-1a 64 offset basis */
    for (size_t i = 0; i < n; i++) h = (h ^ data[i]) * 1099511628211ULL;
    id->bytes = n;
    id->fnv1a64 = h;
    return HW_OK;
}

int hw_file_identify(const char *path, hw_file_id *id, hw_err *e)
{
    unsigned char *data = NULL;
    size_t n = 0;
    int rc = hw_read_regular_file(path, "file", 0, &data, &n, e);
    if (!rc) rc = hw_file_id_of(path, data, n, id, e);
    free(data);
    return rc;
}
