/* surrogates/torchzip.h — read a PyTorch checkpoint (torch.save's ZIP format)
 * without Python: the archive's stored (uncompressed) entries and the tensor
 * records of its data.pkl.
 *
 * The ZIP reader parses the end-of-central-directory record (ZIP64 when
 * present), the central directory and each local header, and keeps, per
 * entry, a pointer to its stored bytes inside the archive buffer.  It accepts
 * only what torch.save writes: one disk, stored entries (method 0), no
 * encryption; it checks every entry's CRC-32.  Anything else is rejected with
 * one line "NAME: corrupt checkpoint (reason)".
 *
 * The pickle reader runs a small pickle machine over the opcodes torch.save
 * emits (protocols 2 to 5) and collects, for every tensor stored under a
 * string key (state-dict style), its name, storage key (the archive entry
 * "<root>/data/<key>"), dtype, storage size, offset, shape and stride.  Every
 * other object is kept opaque; nothing is ever imported or called. */
#ifndef HWNAS_SURROGATES_TORCHZIP_H
#define HWNAS_SURROGATES_TORCHZIP_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct {
    char *name;                  /* NUL-terminated copy of the entry name */
    const unsigned char *data;   /* stored bytes, inside torchzip.buf */
    size_t size;
} torchzip_entry;

typedef struct {
    char *what;                  /* name used in error messages (the path) */
    unsigned char *buf;          /* the whole archive (owned) */
    size_t len;
    torchzip_entry *entries;
    int n_entries;
} torchzip;

#define TORCHZIP_MAX_DIMS 8

typedef struct {
    char name[128];              /* state-dict key, e.g. "fc1.weight" */
    char storage_key[32];        /* archive entry ".../data/<key>" */
    char dtype[48];              /* storage class, e.g. "FloatStorage" */
    int64_t storage_numel;       /* elements in the storage */
    int64_t offset;              /* storage offset, in elements */
    int ndim;
    int64_t shape[TORCHZIP_MAX_DIMS];
    int64_t stride[TORCHZIP_MAX_DIMS];
} torchzip_tensor;

/* Read the file at path and parse it (torchzip_parse).  Errors:
 * "PATH: cannot open: reason" (HW_EIO), "PATH: corrupt checkpoint (reason)"
 * (HW_EPARSE). */
int torchzip_open(const char *path, torchzip *z, hw_err *e);
/* Parse an archive held in memory; takes ownership of buf (malloc'd) even on
 * failure.  what names the archive in errors. */
int torchzip_parse(const char *what, unsigned char *buf, size_t len, torchzip *z, hw_err *e);
/* The unique entry whose name ends with suffix at a path boundary ("data/0"
 * matches "perplexity_s/data/0" but not "x/data/10").  Fails when none or
 * several match: "NAME: corrupt checkpoint (no entry 'data/0')". */
int torchzip_find(const torchzip *z, const char *suffix, const torchzip_entry **out, hw_err *e);
/* Run data.pkl (the entry ending in "data.pkl") and return its tensors in
 * pickle order; *out is malloc'd (free it). */
int torchzip_tensors(const torchzip *z, torchzip_tensor **out, int *n, hw_err *e);
void torchzip_close(torchzip *z);

/* Run a plain pickle (not an archive; e.g. a pickled dict of statistics) and
 * store in values[j] the number (float or int) found under the string key
 * keys[j] of any dict (keys NULL-terminated).  Errors: "WHAT: corrupt
 * checkpoint (pickle byte N: reason)" for a malformed pickle, "WHAT: no
 * number under key 'max'" for a missing key. */
int torchzip_pickle_numbers(const char *what, const unsigned char *b, size_t len, const char *const *keys,
                            double *values, hw_err *e);

#endif
