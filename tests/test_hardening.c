/* tests/test_hardening.c — the library side of issue 8's hardening:
 *   - hypervolume and IGD never return a non-finite number: inputs whose
 *     hypervolume could overflow are refused (hw_hv_check, hw_hv_check_ref,
 *     hw_hypervolume), IGD of huge coordinates is computed on a copy scaled
 *     by a power of two (checked against the unscaled value, exactly) or
 *     refused;
 *   - the incremental hypervolume of the trajectory archive in 1 and 4+
 *     dimensions against a full recomputation after every addition, and
 *     hw_hv_contribution against HV(S + p) - HV(S);
 *   - hw_read_regular_file refuses directories, FIFOs and devices without
 *     blocking; hw_output_write writes through a FIFO and replaces a
 *     symlink's target (keeping the link), never the other way round. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "core/fileio.h"
#include "core/rng.h"
#include "indicators/indicators.h"
#include "indicators/trajectory.h"

/* ---- overflow ---------------------------------------------------------- */

TEST(hv_refuses_overflow_never_nan)
{
    hw_err e;
    double pts[2] = {0, 0}, hv = -1;
    double big[2] = {1e200, 1e200};
    int rc = hw_hypervolume(pts, 1, 2, big, &hv, &e);
    CHECK_EQ_INT(rc, HW_ERANGE);
    CHECK_MSG(strstr(e.msg, "1e400") && strstr(e.msg, "reference point"), "%s", e.msg);
    CHECK(hv == 0);
    /* ref 1e308 against a point at -1e308: the difference overflows a double */
    double far[2] = {-1e308, 0.5}, ref2[2] = {1e308, 1};
    CHECK_EQ_INT(hw_hypervolume(far, 1, 2, ref2, &hv, &e), HW_ERANGE);
    /* 3-D to 6-D: the same rule for every algorithm */
    for (int d = 3; d <= 6; d++) {
        double p[6] = {0}, r[6];
        for (int k = 0; k < d; k++) r[k] = 1e120;
        CHECK_EQ_INT(hw_hypervolume(p, 1, d, r, &hv, &e), HW_ERANGE);
    }
    /* large but representable: computed */
    double ok[2] = {1e150, 1e150};
    CHECK_OK(hw_hypervolume(pts, 1, 2, ok, &hv, &e));
    CHECK(isfinite(hv) && hv > 9.9e299);
    /* points outside the box do not count towards the range */
    double out[4] = {-1e300, 5, 0.5, 0.5}, r1[2] = {1, 1};
    CHECK_OK(hw_hypervolume(out, 2, 2, r1, &hv, &e));
    CHECK(hv == 0.25);
}

TEST(hv_check_ref_for_configs)
{
    hw_err e;
    double lo[3] = {0, 0, 0};
    double ref_ok[3] = {1.1, 1.1, 1.1}, ref_big[3] = {1e300, 1e300, 1.1}, ref_nan[3] = {1.1, NAN, 1};
    CHECK_OK(hw_hv_check_ref(3, ref_ok, lo, &e));
    CHECK_OK(hw_hv_check_ref(3, ref_big, NULL, &e)); /* finite: no bound given */
    CHECK_EQ_INT(hw_hv_check_ref(3, ref_big, lo, &e), HW_ERANGE);
    CHECK_MSG(strstr(e.msg, "1e600"), "%s", e.msg);
    CHECK_EQ_INT(hw_hv_check_ref(3, ref_nan, lo, &e), HW_EINVAL);
    CHECK_MSG(strstr(e.msg, "reference point[1]"), "%s", e.msg);
    double ref_neg[3] = {-1, 1e300, 1e300}; /* an empty box: every HV is 0 */
    CHECK_OK(hw_hv_check_ref(3, ref_neg, lo, &e));
    /* 2^1000 is the limit: 1e150^2 = 1e300 passes, 1e160^2 does not */
    double r150[2] = {1e150, 1e150}, r160[2] = {1e160, 1e160};
    CHECK_OK(hw_hv_check_ref(2, r150, lo, &e));
    CHECK_EQ_INT(hw_hv_check_ref(2, r160, lo, &e), HW_ERANGE);
}

TEST(igd_huge_coordinates_scaled_exactly_or_refused)
{
    hw_err e;
    /* ±1e308: distances of 2e308 are not doubles */
    double z[4] = {1e308, 1e308, -1e308, -1e308}, a[2] = {1e308, -1e308};
    double igd = -1, igdp = -1;
    CHECK_EQ_INT(hw_igd(z, 2, a, 1, 2, &igd, &igdp, &e), HW_ERANGE);
    CHECK_MSG(strstr(e.msg, "range of a double"), "%s", e.msg);
    /* 1e300: computed on a scaled copy, equal to the small problem scaled
     * back (powers of two are exact) */
    const double s = 0x1p900;
    double zs[6] = {1, 2, 3, -1, 0.5, 0.25}, as[4] = {0.5, 1, -2, 3};
    double zb[6], ab[4];
    for (int i = 0; i < 6; i++) zb[i] = zs[i] * s;
    for (int i = 0; i < 4; i++) ab[i] = as[i] * s;
    double g0, gp0, g1, gp1;
    CHECK_OK(hw_igd(zs, 3, as, 2, 2, &g0, &gp0, &e));
    CHECK_OK(hw_igd(zb, 3, ab, 2, 2, &g1, &gp1, &e));
    CHECK(isfinite(g1) && isfinite(gp1));
    CHECK(g1 == g0 * s);
    CHECK(gp1 == gp0 * s);
}

/* ---- incremental hypervolume in any dimension ---------------------------- */

static size_t brute_front(const double *f, size_t n, int d, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int keep = 1;
        for (size_t j = 0; j < n && keep; j++) {
            if (j == i) continue;
            int le = 1, lt = 0;
            for (int k = 0; k < d; k++) {
                le &= f[j * d + k] <= f[i * d + k];
                lt |= f[j * d + k] < f[i * d + k];
            }
            if (le && (lt || j < i)) keep = 0;
        }
        if (keep) memcpy(out + m++ * d, f + i * d, (size_t)d * sizeof *f);
    }
    return m;
}

static void incremental_against_recompute(int d, size_t n, uint64_t seed)
{
    double *f = malloc(n * (size_t)d * sizeof *f), *front = malloc(n * (size_t)d * sizeof *front);
    double lo[8], hi[8], ref[8];
    for (int k = 0; k < d; k++) { lo[k] = -k; hi[k] = 2 + k; ref[k] = 1.0; }
    hw_rng r;
    hw_rng_seed(&r, seed, 3);
    for (size_t i = 0; i < n; i++) { /* near the simplex, some past ref; repeated values */
        double s = 0, u[8];
        for (int k = 0; k < d; k++) { u[k] = (double)(hw_rng_u32(&r) % 64) / 48.0; s += u[k]; }
        for (int k = 0; k < d; k++) {
            double x = i % 3 ? u[k] / (s > 0 ? s : 1) * (1 + 0.3 * hw_rng_uniform(&r)) : u[k];
            f[i * d + k] = lo[k] + x * (hi[k] - lo[k]);
        }
    }
    hw_archive *a = NULL;
    CHECK_OK(hw_archive_create(d, ref, lo, hi, &a, NULL));
    for (size_t i = 0; i < n && !hwt_failures(); i++) {
        CHECK(hw_archive_add(a, f + i * d, i, NULL) >= 0);
        size_t m = brute_front(f, i + 1, d, front);
        CHECK_EQ_INT(hw_archive_size(a), m);
        for (size_t j = 0; j < m * (size_t)d; j++) {
            int k = (int)(j % (size_t)d);
            front[j] = (front[j] - lo[k]) / (hi[k] - lo[k]);
        }
        double want = 0, hv = 0;
        CHECK_OK(hw_hypervolume(front, m, d, ref, &want, NULL));
        CHECK_OK(hw_archive_hypervolume(a, &hv, NULL));
        CHECK_MSG(fabs(hv - want) <= 1e-13 * (want > 1 ? want : 1), "d=%d after %zu points: %.17g vs %.17g", d,
                  i + 1, hv, want);
    }
    hw_archive_destroy(a);
    free(f);
    free(front);
}

TEST(incremental_1d) { incremental_against_recompute(1, 100, 1); }
TEST(incremental_4d) { incremental_against_recompute(4, 250, 2); }
TEST(incremental_5d) { incremental_against_recompute(5, 200, 3); }
TEST(incremental_7d) { incremental_against_recompute(7, 120, 4); }

TEST(contribution_is_the_difference)
{
    hw_rng r;
    hw_rng_seed(&r, 9, 1);
    for (int d = 2; d <= 6; d++) {
        double s[40 * 6], p[6], ref[6], all[41 * 6];
        for (int k = 0; k < d; k++) ref[k] = 1;
        for (int t = 0; t < 20; t++) {
            size_t n = hw_rng_u32(&r) % 40;
            for (size_t i = 0; i < n * (size_t)d; i++) s[i] = hw_rng_uniform(&r) * 1.1;
            for (int k = 0; k < d; k++) p[k] = hw_rng_uniform(&r) * (t % 4 ? 0.7 : 1.2);
            memcpy(all, s, n * (size_t)d * sizeof *s);
            memcpy(all + n * (size_t)d, p, (size_t)d * sizeof *p);
            double c = -1, with = 0, without = 0;
            CHECK_OK(hw_hv_contribution(s, n, d, p, ref, &c, NULL));
            CHECK_OK(hw_hypervolume(all, n + 1, d, ref, &with, NULL));
            CHECK_OK(hw_hypervolume(s, n, d, ref, &without, NULL));
            CHECK_NEAR(c, with - without, 1e-14);
            CHECK(c >= 0);
        }
        /* a point of the set weakly dominating p: exactly 0 */
        double q[6] = {0.2, 0.2, 0.2, 0.2, 0.2, 0.2}, pq[6] = {0.2, 0.5, 0.2, 0.3, 0.2, 0.9}, c = -1;
        CHECK_OK(hw_hv_contribution(q, 1, d, pq, ref, &c, NULL));
        CHECK(c == 0);
    }
}

TEST(archive_refuses_overflow)
{
    hw_err e;
    double ref[3] = {1e120, 1e120, 1e120}, p[3] = {0, 0, 0};
    hw_archive *a = NULL;
    CHECK_OK(hw_archive_create(3, ref, NULL, NULL, &a, &e));
    CHECK_EQ_INT(hw_archive_add(a, p, 0, &e), HW_ERANGE);
    CHECK_MSG(strstr(e.msg, "range of a double"), "%s", e.msg);
    hw_archive_destroy(a);
    double ref2[2] = {1e200, 1e200};
    CHECK_OK(hw_archive_create(2, ref2, NULL, NULL, &a, &e));
    CHECK_EQ_INT(hw_archive_add(a, p, 0, &e), HW_ERANGE);
    double hv = -1;
    CHECK_OK(hw_archive_hypervolume(a, &hv, &e));
    CHECK(hv == 0);
    hw_archive_destroy(a);
}

/* ---- files --------------------------------------------------------------- */

static void tmp_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "/tmp/hwnas_test_hardening_%d_%s", (int)getpid(), name);
}

TEST(read_regular_file_refuses_special_files)
{
    hw_err e;
    unsigned char *buf = NULL;
    size_t len = 0;
    char fifo[256], dir[256], reg[256];
    tmp_path(fifo, sizeof fifo, "fifo");
    tmp_path(dir, sizeof dir, "dir");
    tmp_path(reg, sizeof reg, "reg");
    unlink(fifo);
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK(mkdir(dir, 0700) == 0 || errno == EEXIST);
    /* a FIFO without a writer: refused at once, not waited on */
    CHECK_EQ_INT(hw_read_regular_file(fifo, "model file", 0, &buf, &len, &e), HW_EIO);
    CHECK_MSG(strstr(e.msg, "is a FIFO"), "%s", e.msg);
    CHECK_EQ_INT(hw_read_regular_file(dir, "model file", 0, &buf, &len, &e), HW_EIO);
    CHECK_MSG(strstr(e.msg, "is a directory"), "%s", e.msg);
    CHECK_EQ_INT(hw_read_regular_file("/dev/zero", "model file", 0, &buf, &len, &e), HW_EIO);
    CHECK_MSG(strstr(e.msg, "character device"), "%s", e.msg);
    FILE *f = fopen(reg, "wb");
    CHECK(f != NULL);
    if (f) { fputs("abc", f); fclose(f); }
    CHECK_OK(hw_read_regular_file(reg, "model file", 0, &buf, &len, &e));
    CHECK(len == 3 && buf && memcmp(buf, "abc", 4) == 0);
    free(buf);
    CHECK_EQ_INT(hw_read_regular_file(reg, "stats", 2, &buf, &len, &e), HW_EPARSE);
    unlink(fifo);
    rmdir(dir);
    unlink(reg);
}

TEST(output_write_fifo_symlink_directory)
{
    hw_err e;
    char fifo[256], link[256], target[256], dir[256], tmp[300];
    tmp_path(fifo, sizeof fifo, "ofifo");
    tmp_path(link, sizeof link, "olink");
    tmp_path(target, sizeof target, "otarget");
    tmp_path(dir, sizeof dir, "odir");
    unlink(fifo); unlink(link); unlink(target);
    /* FIFO: written through (a reader gets the bytes), still a FIFO */
    CHECK(mkfifo(fifo, 0600) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(fifo, O_RDONLY);
        char b[16] = {0};
        ssize_t k = fd >= 0 ? read(fd, b, sizeof b - 1) : -1;
        _exit(k == 5 && memcmp(b, "hello", 5) == 0 ? 0 : 1);
    }
    CHECK_OK(hw_output_write(fifo, "hello", 5, &e));
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    struct stat sb;
    CHECK(lstat(fifo, &sb) == 0 && S_ISFIFO(sb.st_mode));
    /* symlink to a regular file: the link stays, the target gets the bytes */
    FILE *f = fopen(target, "wb");
    if (f) { fputs("old", f); fclose(f); }
    CHECK(symlink(target, link) == 0);
    CHECK_OK(hw_output_write(link, "new!", 4, &e));
    CHECK(lstat(link, &sb) == 0 && S_ISLNK(sb.st_mode));
    char b[16] = {0};
    f = fopen(target, "rb");
    if (f) { CHECK(fread(b, 1, sizeof b, f) == 4); fclose(f); }
    CHECK_STR(b, "new!");
    snprintf(tmp, sizeof tmp, "%s.tmp", target);
    CHECK(access(tmp, F_OK) != 0);
    /* a device: written through, not replaced — on a private null device
     * node (root only), never /dev/null itself: a regression would replace
     * the system's */
    char dev[256];
    tmp_path(dev, sizeof dev, "onull");
    unlink(dev);
    if (mknod(dev, S_IFCHR | 0600, makedev(1, 3)) == 0) {
        CHECK_OK(hw_output_write(dev, "x", 1, &e));
        CHECK(lstat(dev, &sb) == 0 && S_ISCHR(sb.st_mode));
        unlink(dev);
    }
    /* a directory: refused */
    CHECK(mkdir(dir, 0700) == 0 || errno == EEXIST);
    CHECK_EQ_INT(hw_output_write(dir, "x", 1, &e), HW_EIO);
    CHECK_MSG(strstr(e.msg, "is a directory"), "%s", e.msg);
    unlink(fifo); unlink(link); unlink(target); rmdir(dir);
}

TEST(front_ids_any_magnitude)
{
    /* dominance only: no reference point, so no range limit and no
     * hypervolume work (front of huge negative objectives) */
    double f[12] = {-1e300, -1e300, 5, -1e300, -1e300, 6, 1e300, -2e300, 0, -1e300, -1e300, 5};
    uint64_t ids[4];
    size_t m = 0;
    CHECK_OK(hw_front_ids(f, 4, 3, ids, &m, NULL));
    CHECK_EQ_INT(m, 2);
    CHECK(ids[0] == 0 && ids[1] == 2);
    hw_archive *a = NULL;
    hw_err e;
    CHECK_OK(hw_archive_create(3, NULL, NULL, NULL, &a, &e));
    double hv;
    CHECK_EQ_INT(hw_archive_hypervolume(a, &hv, &e), HW_ESTATE);
    hw_archive_destroy(a);
}
