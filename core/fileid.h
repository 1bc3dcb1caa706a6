/* core/fileid.h — the identity of a file a computation read (a model, a
 * data set, a checkpoint): its size and the 64-bit FNV-1a hash of its
 * content, so a result can record what produced it and a rerun can tell
 * that a file changed.  (Not CRC-32: the model files end with the CRC-32 of
 * what precedes it, and the CRC-32 of any such file is the same constant.) */
#ifndef HWNAS_CORE_FILEID_H
#define HWNAS_CORE_FILEID_H

#include <stdint.h>

#include "core/error.h"

typedef struct {
    char path[4096];
    uint64_t bytes;
    uint64_t fnv1a64;
} hw_file_id;

/* Reads path (a regular file, through hw_read_regular_file) and fills *id.
 * "PATH: cannot open: ..." etc. */
int hw_file_identify(const char *path, hw_file_id *id, hw_err *e);
/* The identity of path from its n bytes already in memory (a loader that has
 * read the file whole records it without reading it again).  HW_EINVAL when
 * the path does not fit. */
int hw_file_id_of(const char *path, const unsigned char *data, size_t n, hw_file_id *id, hw_err *e);

#endif
