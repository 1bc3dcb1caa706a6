/* runner/gzlines.h — reading a log line by line through zlib: gzip files
 * (".jsonl.gz") and plain files alike (gzread passes plain text through), so
 * every reader of logs (the resume probe, runner/logread.h) takes both.
 * Lines may hold any byte, NUL included; a line is returned with its '\n'
 * (the last one may lack it). */
#ifndef HWNAS_RUNNER_GZLINES_H
#define HWNAS_RUNNER_GZLINES_H

#include <stddef.h>
#include <sys/types.h>
#include <zlib.h>

typedef struct {
    gzFile gz;
    char *buf;          /* read-ahead: bytes [pos, len) not yet returned */
    size_t pos, len, cap;
    char *line;         /* the current line (owned; valid until the next call) */
    size_t line_cap;
    int eof;
    int error;          /* 1: a read error or a truncated gzip stream (the lines before it were returned) */
} hw_gzlines;

/* Opens path; 0 on success, -1 (errno set) when it cannot be opened. */
int hw_gzlines_open(hw_gzlines *r, const char *path);
/* The next line in *line (NUL-terminated after its length): its length,
 * 0 at the end of the file (or after an error: see r->error), -1 when out
 * of memory (r->error set). */
ssize_t hw_gzlines_next(hw_gzlines *r, char **line);
void hw_gzlines_close(hw_gzlines *r);

/* 1 when path names a gzip log (ends in ".gz"). */
int hw_path_is_gz(const char *path);

#endif
