/* core/fileio.h — how programs touch files the user names: input files that
 * must be regular files (models, checkpoints), output files written
 * atomically, and the final check that stdout was really written.
 *
 * Output files (hw_output_write): NAME is written completely or not at all.
 *   - NAME absent or a regular file: the bytes go to NAME.tmp (same
 *     directory), fsync, rename over NAME — readers see the old or the new
 *     file, never a partial one.
 *   - NAME a symlink to a regular file: the link stays and its final target
 *     is replaced atomically as above (a dangling link: its target is
 *     created through the link).
 *   - NAME anything else (a FIFO, a character device such as /dev/null or
 *     /dev/stdout, a socket): written through, in place, never replaced.
 *   - NAME a directory (or a symlink to one): refused.
 * Input files (hw_read_regular_file): opened without blocking and refused
 * unless regular ("is a directory", "is a FIFO", "is a character device"),
 * before any byte is read: a FIFO or /dev/zero named as a model cannot hang
 * or exhaust memory. */
#ifndef HWNAS_CORE_FILEIO_H
#define HWNAS_CORE_FILEIO_H

#include <stddef.h>

#include "core/error.h"

/* Writes data[0..len) to path as described above.  Errors (HW_EIO) read
 * "PATH: cannot write: reason" / "PATH: is a directory, expected a file". */
int hw_output_write(const char *path, const void *data, size_t len, hw_err *e);

/* Reads the whole of the regular file path into *buf (malloc'd, with a NUL
 * after the last byte; the caller frees it) and its size into *len; `what`
 * names the file in errors: "PATH: cannot open WHAT: reason",
 * "PATH: WHAT is a directory, expected a regular file", "PATH: WHAT is a
 * FIFO, ..." (HW_EIO), "PATH: WHAT larger than MAX bytes" (HW_EPARSE, when
 * max > 0). */
int hw_read_regular_file(const char *path, const char *what, size_t max, unsigned char **buf, size_t *len,
                         hw_err *e);

/* A word for the type of file of st_mode ("a directory", "a FIFO",
 * "a character device", ...), for messages. */
const char *hw_file_kind(unsigned mode);

/* Flushes and closes stdout; when that fails (a full disk, /dev/full, a
 * closed descriptor) prints "PROG: cannot write to stdout: reason" on stderr
 * and returns 1 — else returns status (a non-zero status is kept, and
 * nothing more is said: the command reported its own error).  Every program
 * calls it last:
 * return hw_close_stdout("hwnas hv", status). */
int hw_close_stdout(const char *prog, int status);

#endif
