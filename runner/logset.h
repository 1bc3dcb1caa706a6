/* runner/logset.h — the trajectory logs of a study (a grid's runs, or any
 * set of logs) read and grouped for analysis (hwnas summary, hwnas eaf):
 * by problem, then by optimizer within a problem, then by seed.  Runs are
 * identified by what their logs say (runner/logread.h), never by file
 * names:
 *   problem:   label "<metadata problem>[/<config problem's device>]/<obj1>+<obj2>..."
 *              (e.g. "hwgpt-s/rtx2080/perplexity+energy", "zdt1/f1+f2"), and the
 *              config's problem member (compact JSON);
 *   optimizer: the metadata's optimizer and the config's optimizer member.
 * Two different problem configs with one label, two optimizer configs with
 * one name in a problem, runs of one problem with different reference points
 * or objective bounds, and two logs of the same (problem, optimizer, seed) are
 * refused with one line naming both logs: they would be pooled otherwise. */
#ifndef HWNAS_RUNNER_LOGSET_H
#define HWNAS_RUNNER_LOGSET_H

#include <stddef.h>

#include "core/error.h"
#include "core/util.h"
#include "runner/logread.h"

typedef struct {
    const char *optimizer;       /* name (metadata) */
    const char *config;          /* its config member, compact JSON */
    size_t first, count;         /* its runs: logs[first .. first + count), by seed */
} hw_logset_group;

typedef struct {
    char *label;
    const char *config;          /* the config's problem member, compact JSON */
    int n_obj;
    size_t first, count;         /* its runs, every optimizer */
    int n_groups;
    hw_logset_group *groups;     /* by optimizer name */
} hw_logset_problem;

typedef struct {
    size_t n_logs;
    hw_log *logs;                /* sorted: problem label, optimizer, seed */
    int n_problems;
    hw_logset_problem *problems; /* by label */
} hw_logset;

/* Reads every log named by args[0..n_args): a file, or a directory searched
 * recursively for *.jsonl and *.jsonl.gz (and *.tmp of those with
 * HW_LOG_ALLOW_INCOMPLETE in flags), each directory's entries in name order.
 * flags as hw_log_read.  progress (NULL: none) shows the logs read so far.
 * Release with hw_logset_free (also after a failure). */
int hw_logset_read(char *const *args, int n_args, unsigned flags, hw_progress *progress, hw_logset *s, hw_err *e);
void hw_logset_free(hw_logset *s);

#endif
