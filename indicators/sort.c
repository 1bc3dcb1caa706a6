/* indicators/sort.c — deterministic ordering of points by one objective with
 * lexicographic tie-breaking (see hw_sort_points in indicators.h).
 *
 * Large inputs: LSD radix sort on the IEEE bit pattern of the sort key (8-bit
 * digits, digits on which all keys agree are skipped), then runs of equal
 * keys are merge-sorted with the full comparator.  Small inputs and the
 * non-allocating variant: merge sort with insertion sort on short runs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indicators/indicators.h"

/* -1/0/1: lexicographic from `axis` cyclically, then by index. */
static inline int point_cmp(const double *pts, int d, int axis, size_t a, size_t b)
{
    const double *pa = pts + a * (size_t)d, *pb = pts + b * (size_t)d;
    for (int k = 0, j = axis; k < d; k++, j = (j + 1 == d) ? 0 : j + 1) {
        if (pa[j] < pb[j]) return -1;
        if (pa[j] > pb[j]) return 1;
    }
    return (a > b) - (a < b);
}

static void merge_sort(size_t *a, size_t *tmp, size_t n, const double *pts, int d, int axis)
{
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            size_t v = a[i], j = i;
            while (j > 0 && point_cmp(pts, d, axis, a[j - 1], v) > 0) { a[j] = a[j - 1]; j--; }
            a[j] = v;
        }
        return;
    }
    size_t h = n / 2;
    merge_sort(a, tmp, h, pts, d, axis);
    merge_sort(a + h, tmp + h, n - h, pts, d, axis);
    if (point_cmp(pts, d, axis, a[h - 1], a[h]) <= 0) return;
    memcpy(tmp, a, n * sizeof *a);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) a[k++] = point_cmp(pts, d, axis, tmp[j], tmp[i]) < 0 ? tmp[j++] : tmp[i++];
    while (i < h) a[k++] = tmp[i++];
    while (j < n) a[k++] = tmp[j++];
}

void hw_sort_points_buf(const double *pts, size_t n, int d, int axis, size_t *order, size_t *tmp)
{
    for (size_t i = 0; i < n; i++) order[i] = i;
    merge_sort(order, tmp, n, pts, d, axis);
}

typedef struct {
    uint64_t key;
    size_t idx;
} keyed;

/* Monotone map double -> uint64 (-0.0 and +0.0 map alike; no NaN here). */
static inline uint64_t double_key(double x)
{
    x += 0.0; /* -0.0 -> +0.0 */
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u & 0x8000000000000000ULL) ? ~u : (u | 0x8000000000000000ULL);
}

int hw_sort_points(const double *pts, size_t n, int d, int axis, size_t *order)
{
    if (n < 256) {
        size_t stack_tmp[256];
        hw_sort_points_buf(pts, n, d, axis, order, stack_tmp);
        return HW_OK;
    }
    keyed *a = malloc(2 * n * sizeof *a);
    if (!a) return HW_ENOMEM;
    keyed *b = a + n;
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = double_key(pts[i * (size_t)d + axis]);
        a[i].key = k;
        a[i].idx = i;
        for (int p = 0; p < 8; p++) count[p][(k >> (8 * p)) & 255]++;
    }
    for (int p = 0; p < 8; p++) {
        size_t *c = count[p];
        if (c[(a[0].key >> (8 * p)) & 255] == n) continue; /* every key has this digit */
        size_t sum = 0;
        for (int v = 0; v < 256; v++) { size_t t = c[v]; c[v] = sum; sum += t; }
        for (size_t i = 0; i < n; i++) b[c[(a[i].key >> (8 * p)) & 255]++] = a[i];
        keyed *t = a; a = b; b = t;
    }
    for (size_t i = 0; i < n; i++) order[i] = a[i].idx;
    /* Runs of equal keys: the radix sort is stable, so each run is in index
     * order; sort it by the remaining objectives. */
    size_t *tmp = (size_t *)(a < b ? a : b); /* the whole 2n block, as scratch */
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && pts[order[j] * (size_t)d + axis] == pts[order[i] * (size_t)d + axis]) j++;
        if (j - i > 1) merge_sort(order + i, tmp, j - i, pts, d, axis);
        i = j;
    }
    free(a < b ? a : b);
    return HW_OK;
}
