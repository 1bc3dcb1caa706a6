/* Own devices (docs/own_hardware.md): RAPL counters with wraparound, the
 * calibration against a relation known by construction, own devices in
 * model files (round trip, lookup), measurement-file errors. */
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/rng.h"
#include "supernet/profile.h"
#include "surrogates/calibrate.h"
#include "surrogates/train.h"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

TEST(rapl_sums_top_level_zones_and_handles_wraparound)
{
    char root[] = "/tmp/hwnas_raplXXXXXX", p[512];
    CHECK(mkdtemp(root) != NULL);
    hw_rapl r;
    hw_err e = {0};
    /* no zones: one line saying why */
    CHECK(hw_rapl_open(&r, root, &e) == HW_EMISSING);
    CHECK(strstr(e.msg, "no intel-rapl") != NULL);
    const char *zones[] = {"intel-rapl:0", "intel-rapl:1", "intel-rapl:0:0"};
    for (int z = 0; z < 3; z++) {
        snprintf(p, sizeof p, "%s/%s", root, zones[z]);
        mkdir(p, 0755);
    }
    snprintf(p, sizeof p, "%s/intel-rapl:0/energy_uj", root); write_text(p, "999900\n");
    snprintf(p, sizeof p, "%s/intel-rapl:0/max_energy_range_uj", root); write_text(p, "1000000\n");
    snprintf(p, sizeof p, "%s/intel-rapl:1/energy_uj", root); write_text(p, "5000\n");
    snprintf(p, sizeof p, "%s/intel-rapl:1/max_energy_range_uj", root); write_text(p, "1000000\n");
    snprintf(p, sizeof p, "%s/intel-rapl:0:0/energy_uj", root); write_text(p, "0\n");   /* a sub-zone: inside zone 0 */
    CHECK_OK(hw_rapl_open(&r, root, &e));
    CHECK_EQ_INT(r.n, 2);
    /* zone 0 wraps: 999900 -> 100 is +200 uJ; zone 1: 5000 -> 6000 is +1000 uJ */
    snprintf(p, sizeof p, "%s/intel-rapl:0/energy_uj", root); write_text(p, "100\n");
    snprintf(p, sizeof p, "%s/intel-rapl:1/energy_uj", root); write_text(p, "6000\n");
    snprintf(p, sizeof p, "%s/intel-rapl:0:0/energy_uj", root); write_text(p, "77777\n");
    CHECK_NEAR(hw_rapl_joules(&r), 1200e-6, 1e-12);
    CHECK_NEAR(hw_rapl_joules(&r), 0, 1e-15);
    /* a missing root says so */
    CHECK(hw_rapl_open(&r, "/nonexistent/powercap", &e) == HW_EMISSING);
    CHECK(strstr(e.msg, "/nonexistent/powercap: not present") != NULL);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK(system(cmd) == 0);
}

static sur_set *shipped_s(void)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/surrogates/models", hwt_src_dir());
    sur_set *s = NULL;
    hw_err e = {0};
    CHECK_OK(surrogate_load(dir, HW_SCALE_S, &s, &e));
    return s;
}

/* A new device whose latency is exactly 1.7 x a100's prediction^0.9 on every
 * arch: the calibration must find it from 12 archs (the single-device
 * candidate is that relation in log space) and predict new archs exactly. */
TEST(calibration_recovers_a_known_relation)
{
    sur_set *s = shipped_s();
    if (!s) return;
    int dev = -1;
    hw_err e = {0};
    CHECK_OK(sur_set_own_slot(s, "synthetic", &dev, &e));
    CHECK_EQ_INT(dev, SUR_N_DEVICES);
    enum { K = 12 };
    char path[] = "/tmp/hwnas_calibXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    hw_rng r;
    hw_rng_seed(&r, 7, 1);
    const hw_space *sp = hw_space_get(HW_SCALE_S);
    for (int i = 0; i < K; i++) {
        hw_arch a;
        hw_arch_sample(sp, &r, &a);
        sur_pred p;
        CHECK_OK(surrogate_predict(s, &a, SUR_LATENCY, 0, &p, &e));
        double y = 1.7 * pow(p.mean, 0.9);
        char as[HW_ARCH_STRLEN];
        hw_arch_format(&a, as, sizeof as);
        /* three samples 1% apart around y (median y) */
        fprintf(f, "{\"arch\": \"%s\", \"samples\": [%.17g, %.17g, %.17g], \"unit\": \"ms\"}\n", as, 0.99 * y, y, 1.01 * y);
    }
    fclose(f);
    sur_data d;
    CHECK_OK(sur_measurements_load(path, HW_SCALE_S, SUR_LATENCY, dev, "synthetic", &d, &e));
    CHECK_EQ_INT(d.n, K);
    sur_calib_opts o;
    sur_calib_opts_default(&o, SUR_LATENCY, dev);
    sur_model m;
    sur_calib_info info;
    CHECK_OK(sur_calibrate(s, &d, NULL, 0, &o, &m, &info, &e));
    CHECK_MSG(info.loo_rms < 1e-6, "LOO RMS %g (method %s)", info.loo_rms, info.method);
    CHECK_STR(info.method, "single latency a100");
    CHECK_NEAR(m.noise_gbm.base, log(0.01), 1e-9);   /* sample sd / median = 0.01 */
    CHECK_OK(sur_set_put(s, &m, &e));
    /* new archs: exact, through the public API and after a file round trip */
    char mpath[] = "/tmp/hwnas_ownXXXXXX";
    CHECK(mkdtemp(mpath) != NULL);
    char file[600];
    snprintf(file, sizeof file, "%s/s.hwsur", mpath);
    CHECK_OK(sur_set_save(s, file, &e));
    sur_set *s2 = NULL;
    CHECK_OK(sur_set_load_file(file, &s2, &e));
    if (s2) {
        CHECK_EQ_INT(s2->n_own, 1);
        CHECK_STR(surrogate_device_name(s2, dev), "synthetic");
        int looked = -1;
        CHECK_OK(surrogate_device_lookup(s2, "synthetic", &looked, &e));
        CHECK_EQ_INT(looked, dev);
        CHECK(surrogate_device_lookup(s2, "Synthetic", &looked, &e) == HW_EINVAL);
        CHECK(strstr(e.msg, "own devices of these models: synthetic") != NULL);
        for (int i = 0; i < 50; i++) {
            hw_arch a;
            hw_arch_sample(sp, &r, &a);
            sur_pred pa, pn;
            CHECK_OK(surrogate_predict(s2, &a, SUR_LATENCY, 0, &pa, &e));
            CHECK_OK(surrogate_predict(s2, &a, SUR_LATENCY, dev, &pn, &e));
            CHECK_REL(pn.mean, 1.7 * pow(pa.mean, 0.9), 1e-6);
            CHECK_REL(pn.noise_std, 0.01 * pn.mean, 1e-9);   /* the constant relative noise */
            CHECK(pn.std > 0);
        }
        /* sur_models_load finds it by name; a set without own devices stays version 2 */
        sur_models *ms = NULL;
        CHECK_OK(sur_models_load(mpath, HW_SCALE_S, "synthetic", &ms, &e));
        if (ms) CHECK_EQ_INT(ms->device, dev);
        sur_models_free(ms);
        surrogate_free(s2);
    }
    FILE *g = fopen(file, "rb");
    unsigned char hdr[12] = {0};
    CHECK(g && fread(hdr, 1, 12, g) == 12);
    if (g) fclose(g);
    CHECK_EQ_INT(hdr[8], SUR_FILE_VERSION_OWN);
    sur_set *plain = shipped_s();
    if (plain) {
        CHECK_OK(sur_set_save(plain, file, &e));
        g = fopen(file, "rb");
        CHECK(g && fread(hdr, 1, 12, g) == 12);
        if (g) fclose(g);
        CHECK_EQ_INT(hdr[8], SUR_FILE_VERSION);
        surrogate_free(plain);
    }
    sur_data_free(&d);
    surrogate_free(s);
    unlink(path);
    unlink(file);
    rmdir(mpath);
}

static void expect_bad_file(const char *text, int scale, const char *want)
{
    char path[] = "/tmp/hwnas_badmXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK((size_t)write(fd, text, strlen(text)) == strlen(text));
    close(fd);
    sur_data d;
    hw_err e = {0};
    int rc = sur_measurements_load(path, scale, SUR_LATENCY, SUR_N_DEVICES, "mine", &d, &e);
    CHECK(rc == HW_EPARSE);
    CHECK_MSG(strstr(e.msg, want) != NULL, "message '%s' lacks '%s'", e.msg, want);
    CHECK_MSG(strncmp(e.msg, path, strlen(path)) == 0, "message '%s' does not start with the file", e.msg);
    CHECK(strchr(e.msg, '\n') == NULL);
    if (rc == HW_OK) sur_data_free(&d);
    unlink(path);
}

#define EXS "gpt-s-10-768-2-2-4-4-3-3-3-4-4-2-4-12-12-4-4-12-12-8-4-12-False"
TEST(bad_measurement_files_get_one_line)
{
    expect_bad_file("", HW_SCALE_S, "no measurements");
    expect_bad_file("\n\n", HW_SCALE_S, "no measurements");
    expect_bad_file("{\"arch\": \"" EXS "\", \"samples\": [1.0]}\n", HW_SCALE_M, ":1: arch of scale s, expected scale m");
    expect_bad_file("{\"arch\": \"" EXS "\", \"samples\": [1.0]}\n{\"arch\": \"gpt-s-13-768-2\", \"samples\": [1.0]}\n",
                    HW_SCALE_S, ":2: not an architecture of the s space");
    expect_bad_file("{\"arch\": \"" EXS "\", \"samples\": [1.0, 1e999]}\n", HW_SCALE_S, ":1: samples[1] is not a positive finite number");
    expect_bad_file("{\"arch\": \"" EXS "\", \"samples\": [NaN]}\n", HW_SCALE_S, ":1: expected one JSON object per line");
    expect_bad_file("{\"arch\": \"" EXS "\", \"samples\": [1.0, null]}\n", HW_SCALE_S, ":1: samples[1]");
    expect_bad_file("{\"arch\": \"" EXS "\", \"samples\": []}\n", HW_SCALE_S, ":1: 'samples' must be a non-empty array");
    expect_bad_file("{\"arch\": \"" EXS "\", \"samples\": [1]}\n{\"arch\": \"" EXS "\", \"samples\": [2]}\n", HW_SCALE_S,
                    ":2: repeated arch");
    expect_bad_file("{\"arch\": \"" EXS "\", \"samples\": [1], \"extra\": 1}\n", HW_SCALE_S, ":1: unknown key 'extra'");
    expect_bad_file("{\"arch\": \"" EXS "\", \"samples\": [1], \"unit\": \"s\"}\n", HW_SCALE_S, ":1: unit must be \"ms\"");
    expect_bad_file("{\"arch\": \"" EXS "\", \"mean\": 1, \"std\": -1}\n", HW_SCALE_S, ":1: need finite mean > 0 and std >= 0");
}

TEST(own_device_names)
{
    hw_err e = {0};
    CHECK_OK(sur_own_device_name_check("my-laptop_2.0", &e));
    CHECK(sur_own_device_name_check("A100", &e) == HW_EINVAL);
    CHECK(strstr(e.msg, "HW-GPT-Bench's device a100") != NULL);
    CHECK(sur_own_device_name_check("a b", &e) == HW_EINVAL);
    CHECK(sur_own_device_name_check("../x", &e) == HW_EINVAL);
    CHECK(sur_own_device_name_check("", &e) == HW_EINVAL);
    CHECK(sur_own_device_name_check("0123456789012345678901234567890123", &e) == HW_EINVAL);
}
