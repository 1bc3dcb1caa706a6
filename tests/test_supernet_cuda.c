/* tests/test_supernet_cuda.c — the supernet's CUDA forward
 * (supernet/cuda/sn_cuda.h) against the CPU forward (supernet/supernet.h,
 * itself checked against a double-precision reference in test_supernet.c):
 * logits and loss to 1e-3 relative for sub-networks of xxs, xs and an
 * s-shaped slice at small T.  The cases that need a GPU skip with the reason
 * when none is present (or hwnas was built without CUDA); the module's own
 * state (built and loadable, "no device" reported cleanly) is checked on
 * every machine. */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/rng.h"
#include "space/analytic.h"
#include "space/space.h"
#include "supernet/cuda/module.h"
#include "supernet/cuda/sn_cuda.h"
#include "supernet/supernet.h"
#include "supernet/train.h"

/* The module this build made, or NULL when it was built without CUDA. */
static const char *built_module(char *buf, size_t n)
{
    snprintf(buf, n, "%s/libhwnas_cuda.so", hwt_bin_dir());
    return access(buf, F_OK) == 0 ? buf : NULL;
}

static void need_gpu(void)
{
    hw_err e = {0};
    if (sn_cuda_available(&e)) hwt_skip(e.msg);
}

/* Weights large enough that every path matters (as test_supernet.c). */
static void randomise(sn_model *m, uint64_t seed)
{
    hw_rng r;
    hw_rng_seed(&r, seed, 77);
    for (int l = -1; l < m->cfg.max_layers; l++) {
        int nt = l < 0 ? SN_N_GLOBAL_TENSORS : SN_N_LAYER_TENSORS, rows, cols;
        for (int t = 0; t < nt; t++) {
            sn_tensor_shape(&m->cfg, l, t, &rows, &cols);
            float *p = sn_param(m, l, t);
            int is_norm_w = l < 0 ? t == SN_LNFW : (t == SN_LN1W || t == SN_LN2W);
            double sd = sn_tensor_is_matrix(l, t) ? 0.1 : 0.2;
            for (size_t i = 0; i < (size_t)rows * cols; i++)
                p[i] = (float)((is_norm_w ? 1.0 : 0.0) + sd * hw_rng_normal(&r));
        }
    }
}

/* Forward of arch a at B x T on the CPU and the GPU: loss to rel, logits to
 * rel of their largest magnitude. */
static void compare(sn_model *m, sn_cuda *g, const hw_arch *a, int B, int T, uint64_t seed, double rel)
{
    hw_err e = {0};
    sn_dims d;
    CHECK_OK(sn_dims_from_arch(&m->cfg, a, &d, &e));
    size_t N = (size_t)B * T, nl = N * m->cfg.vocab;
    int32_t *tok = malloc(sizeof(int32_t) * 2 * N);
    float *gl = malloc(sizeof(float) * nl);
    CHECK(tok && gl);
    if (!tok || !gl) return;
    hw_rng r;
    hw_rng_seed(&r, seed, 78);
    for (size_t i = 0; i < 2 * N; i++) tok[i] = (int32_t)hw_rng_below(&r, (uint32_t)m->cfg.vocab);
    float lc = 0, lg = 0;
    CHECK_OK(sn_forward(m, &d, tok, tok + N, B, T, &lc, &e));
    CHECK_OK(sn_cuda_forward(g, &d, tok, tok + N, B, T, &lg, &e));
    CHECK_OK(sn_cuda_logits(g, gl, nl, &e));
    const float *cl = sn_logits(m);
    double maxabs = 0, maxdiff = 0;
    for (size_t i = 0; i < nl; i++) {
        maxabs = fmax(maxabs, fabs(cl[i]));
        maxdiff = fmax(maxdiff, fabs((double)cl[i] - gl[i]));
    }
    char s[HW_ARCH_STRLEN];
    hw_arch_format(a, s, sizeof s);
    CHECK_MSG(maxabs > 0.1, "%s: logits too small to compare (max |z| %g)", s, maxabs);
    CHECK_MSG(maxdiff <= rel * maxabs, "%s: logits differ by %g (max |z| %g, rel %g)", s, maxdiff, maxabs, rel);
    CHECK_REL(lg, lc, rel);
    CHECK(lc > 0.1f);
    free(tok);
    free(gl);
}

/* Largest, smallest and n random archs of space sp (bias on and off). */
static void compare_space(const hw_space *sp, int vocab, float rot, int n_random, int B, int T)
{
    need_gpu();
    hw_err e = {0};
    sn_config c;
    sn_config_from_space(sp, vocab, rot, &c);
    sn_model m;
    CHECK_OK(sn_model_init(&m, &c, 3, &e));
    randomise(&m, 5);
    CHECK_OK(sn_model_alloc_arena(&m, B, T, 0, &e));
    sn_cuda *g = NULL;
    CHECK_OK(sn_cuda_create(&g, &m, B, T, &e));
    if (!g) { fprintf(stderr, "%s\n", e.msg); sn_model_free(&m); return; }
    hw_arch a;
    sn_space_largest(sp, &a);
    compare(&m, g, &a, B, T, 11, 1e-3);
    sn_space_smallest(sp, &a);
    compare(&m, g, &a, B, T, 12, 1e-3);
    hw_rng r;
    hw_rng_seed(&r, 9, 79);
    for (int i = 0; i < n_random; i++) {
        hw_arch_sample(sp, &r, &a);
        a.bias = i % 2;
        compare(&m, g, &a, i % 2 ? B : 1, i % 3 ? T : T / 2 + 1, 13 + (uint64_t)i, 1e-3);
    }
    sn_cuda_free(g);
    sn_model_free(&m);
}

TEST(module_is_built_and_reports_its_state)
{
    char buf[4096];
    const char *mod = built_module(buf, sizeof buf);
    hw_err e = {0};
    int rc = sn_cuda_available(&e);
    if (!mod) {
        /* built without CUDA: every call says so */
        CHECK_EQ_INT(rc, HW_EMISSING);
        CHECK_MSG(strstr(e.msg, "hwnas was built without CUDA") != NULL, "message: %s", e.msg);
        hwt_skip("hwnas was built without CUDA (no libhwnas_cuda.so): checked that it says so");
    }
    /* the module loads and exports its table of this ABI version */
    void *h = dlopen(mod, RTLD_NOW | RTLD_LOCAL);
    CHECK_MSG(h != NULL, "dlopen %s: %s", mod, dlerror());
    if (!h) return;
    snc_module_entry *entry;
    *(void **)&entry = dlsym(h, SNC_ENTRY_NAME);
    CHECK(entry != NULL);
    if (!entry) return;
    const snc_module *t = entry();
    CHECK(t != NULL && t->abi_version == SNC_ABI_VERSION);
    char why[SNC_WHY_LEN] = "";
    int probe = t->probe(why);
    /* libhwnas agrees with the module: a device, or "no device" in one line */
    if (probe == SNC_OK) {
        CHECK_EQ_INT(rc, HW_OK);
    } else {
        CHECK_EQ_INT(probe, SNC_ENODEVICE);
        CHECK_EQ_INT(rc, HW_EMISSING);
        CHECK_MSG(strncmp(e.msg, "CUDA: no CUDA device: cudaGetDeviceCount", 40) == 0, "message: %s", e.msg);
        CHECK(strchr(e.msg, '\n') == NULL);
        sn_config c = {0};
        sn_config_from_space(hw_space_by_name("xxs"), 256, 0.5f, &c);
        sn_model m;
        CHECK_OK(sn_model_init(&m, &c, 1, &e));
        sn_cuda *g = (sn_cuda *)&m;
        CHECK_EQ_INT(sn_cuda_create(&g, &m, 1, 8, &e), HW_EMISSING);
        CHECK(g == NULL);
        sn_model_free(&m);
    }
}

TEST(a_missing_module_is_one_line)
{
    setenv("HWNAS_CUDA_MODULE", "/nonexistent/libhwnas_cuda.so", 1);
    hw_err e = {0};
    CHECK_EQ_INT(sn_cuda_available(&e), HW_EMISSING);
    CHECK_MSG(strstr(e.msg, "CUDA: cannot load $HWNAS_CUDA_MODULE=/nonexistent/libhwnas_cuda.so") == e.msg,
              "message: %s", e.msg);
    CHECK(strchr(e.msg, '\n') == NULL);
}

TEST(forward_matches_cpu_xxs) { compare_space(hw_space_by_name("xxs"), 256, 0.5f, 6, 3, 32); }

TEST(forward_matches_cpu_xs) { compare_space(hw_space_by_name("xs"), 256, 0.5f, 4, 2, 200); }

/* An s-shaped slice at V = 50,254, 25% rotary, small T. */
TEST(forward_matches_cpu_s_slice)
{
    need_gpu();
    hw_err e = {0};
    const hw_space *sp = hw_space_get(HW_SCALE_S);
    sn_config c;
    sn_config_from_space(sp, HW_ANALYTIC_VOCAB, 0.25f, &c);
    sn_model m;
    CHECK_OK(sn_model_init(&m, &c, 3, &e));
    CHECK_OK(sn_model_alloc_arena(&m, 1, 40, 0, &e));
    sn_cuda *g = NULL;
    CHECK_OK(sn_cuda_create(&g, &m, 1, 40, &e));
    if (!g) { sn_model_free(&m); return; }
    hw_arch a;
    hw_rng r;
    hw_rng_seed(&r, 21, 79);
    hw_arch_sample(sp, &r, &a);
    compare(&m, g, &a, 1, 40, 31, 1e-3);
    sn_space_largest(sp, &a);
    compare(&m, g, &a, 1, 40, 32, 1e-3);
    sn_cuda_free(g);
    sn_model_free(&m);
}

TEST(eval_loss_matches_cpu)
{
    need_gpu();
    hw_err e = {0};
    const hw_space *sp = hw_space_by_name("xxs");
    sn_config c;
    sn_config_from_space(sp, 256, 0.5f, &c);
    sn_model m;
    CHECK_OK(sn_model_init(&m, &c, 3, &e));
    randomise(&m, 6);
    CHECK_OK(sn_model_alloc_arena(&m, 4, 32, 0, &e));
    sn_cuda *g = NULL;
    CHECK_OK(sn_cuda_create(&g, &m, 4, 32, &e));
    if (!g) { sn_model_free(&m); return; }
    uint8_t text[32 * 10 + 1];
    for (size_t i = 0; i < sizeof text; i++) text[i] = (uint8_t)("the quick brown fox "[i % 20]);
    hw_arch a;
    sn_space_largest(sp, &a);
    double lc = 0, lg = 0;
    CHECK_OK(sn_eval_loss(&m, &a, text, sizeof text, 32, 4, 10, &lc, &e));
    CHECK_OK(sn_cuda_eval_loss(g, &a, text, sizeof text, 32, 4, 10, &lg, &e));
    CHECK_REL(lg, lc, 1e-3);
    CHECK_EQ_INT(sn_cuda_eval_loss(g, &a, text, sizeof text, 32, 4, 11, &lg, &e), HW_ERANGE);
    sn_cuda_free(g);
    sn_model_free(&m);
}

TEST(timing_and_memory_are_positive)
{
    need_gpu();
    hw_err e = {0};
    sn_config c;
    sn_config_from_space(hw_space_by_name("xs"), 256, 0.5f, &c);
    sn_model m;
    CHECK_OK(sn_model_init(&m, &c, 3, &e));
    sn_dims d;
    sn_dims_full(&c, &d);
    sn_cuda_profile p;
    CHECK_OK(sn_cuda_profile_forward(&m, &d, 2, 128, 5, &p, &e));
    CHECK(p.ms > 0 && p.ms < 1e4);
    CHECK(p.info.device[0] != 0);
    CHECK(p.info.ctx_bytes >= sizeof(float) * m.n_params);
    CHECK(p.info.device_peak >= p.info.ctx_bytes);
    sn_cuda *g = NULL;
    CHECK_OK(sn_cuda_create(&g, &m, 1, 256, &e));
    if (g) {
        double ms = 0, flops = 0;
        CHECK_OK(sn_cuda_time_sgemm(g, &d, 1, 256, 3, &ms, &flops, &e));
        CHECK(ms > 0 && flops > 1e8);
        CHECK_OK(sn_cuda_time_forward(g, &d, 1, 256, 3, &ms, &e));
        CHECK(ms > 0);
        CHECK_EQ_INT(sn_cuda_time_forward(g, &d, 1, 256, 0, &ms, &e), HW_ERANGE);
        sn_cuda_free(g);
    }
    sn_model_free(&m);
}

TEST(bad_input_is_refused_on_gpu)
{
    need_gpu();
    hw_err e = {0};
    sn_config c;
    sn_config_from_space(hw_space_by_name("xxs"), 256, 0.5f, &c);
    sn_model m;
    CHECK_OK(sn_model_init(&m, &c, 3, &e));
    sn_cuda *g = NULL;
    CHECK_EQ_INT(sn_cuda_create(&g, &m, 1, c.block_size + 1, &e), HW_ERANGE);
    CHECK_OK(sn_cuda_create(&g, &m, 2, 8, &e));
    if (g) {
        sn_dims d;
        sn_dims_full(&c, &d);
        int32_t tok[24] = {0};
        CHECK_EQ_INT(sn_cuda_forward(g, &d, tok, NULL, 3, 8, NULL, &e), HW_ERANGE);   /* beyond the arena */
        tok[5] = 256;
        CHECK_EQ_INT(sn_cuda_forward(g, &d, tok, NULL, 2, 8, NULL, &e), HW_ERANGE);   /* outside the vocabulary */
        CHECK(strstr(e.msg, "position 5") != NULL);
        tok[5] = 0;
        d.embed = c.max_embed + 1;
        CHECK_EQ_INT(sn_cuda_forward(g, &d, tok, NULL, 2, 8, NULL, &e), HW_EINVAL);
        sn_dims_full(&c, &d);
        CHECK_OK(sn_cuda_forward(g, &d, tok, NULL, 2, 8, NULL, &e));
        float out[4];
        CHECK_EQ_INT(sn_cuda_logits(g, out, 4, &e), HW_EIO);                          /* wrong size */
        sn_cuda_free(g);
    }
    sn_model_free(&m);
}
