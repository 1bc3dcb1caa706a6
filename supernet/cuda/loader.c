/* supernet/cuda/loader.c — sn_cuda.h: loads libhwnas_cuda.so on first use,
 * validates inputs and turns the module's answers into hw_err lines.  The
 * loaded module (and why it is missing) is the one process-wide value,
 * written once under pthread_once, as supernet/blas.c does for OpenBLAS. */
#define _GNU_SOURCE /* dladdr */
#include "supernet/cuda/sn_cuda.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supernet/cuda/module.h"
#include "supernet/train.h"

_Static_assert(SNC_MAX_LAYERS >= HW_MAX_LAYERS, "module.h: SNC_MAX_LAYERS below HW_MAX_LAYERS");
#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(SNC_N_LAYER_TENSORS, SN_N_LAYER_TENSORS) && SAME(SNC_N_GLOBAL_TENSORS, SN_N_GLOBAL_TENSORS) &&
                   SAME(SNC_WQ, SN_WQ) && SAME(SNC_WK, SN_WK) && SAME(SNC_WV, SN_WV) && SAME(SNC_BQ, SN_BQ) &&
                   SAME(SNC_BK, SN_BK) && SAME(SNC_BV, SN_BV) && SAME(SNC_WO, SN_WO) && SAME(SNC_BO, SN_BO) &&
                   SAME(SNC_LN1W, SN_LN1W) && SAME(SNC_LN1B, SN_LN1B) && SAME(SNC_LN2W, SN_LN2W) &&
                   SAME(SNC_LN2B, SN_LN2B) && SAME(SNC_W1, SN_W1) && SAME(SNC_W2, SN_W2) && SAME(SNC_B1, SN_B1) &&
                   SAME(SNC_B2, SN_B2) && SAME(SNC_W3, SN_W3) && SAME(SNC_B3, SN_B3) && SAME(SNC_WTE, SN_WTE) &&
                   SAME(SNC_LNFW, SN_LNFW) && SAME(SNC_LNFB, SN_LNFB) && SAME(SNC_LMHEAD, SN_LMHEAD),
               "module.h: tensor indices differ from supernet.h");

#define MODULE_FILE "libhwnas_cuda.so"

struct sn_cuda {
    snc_ctx *ctx;
    sn_config cfg;
    int B, T;
};

static pthread_once_t cuda_once = PTHREAD_ONCE_INIT;
static const snc_module *cuda_module;   /* written once, under cuda_once; NULL when unusable */
static char cuda_why[SNC_WHY_LEN + 600];

/* dlopen path candidates: $HWNAS_CUDA_MODULE, next to this object, the build dir. */
static void *open_module(char *tried, size_t n)
{
    const char *env = getenv("HWNAS_CUDA_MODULE");
    if (env && *env) {
        void *h = dlopen(env, RTLD_NOW | RTLD_LOCAL);
        if (!h) snprintf(tried, n, "cannot load $HWNAS_CUDA_MODULE=%s (%s)", env, dlerror());
        return h;
    }
#ifndef HWNAS_CUDA_MODULE_PATH
    snprintf(tried, n, "hwnas was built without CUDA (nvcc or cuBLAS not found at configure time, or -DHWNAS_CUDA=OFF)");
    return NULL;
#else
    char path[4096];
    Dl_info info;
    if (dladdr((void *)&sn_cuda_available, &info) && info.dli_fname) {
        const char *slash = strrchr(info.dli_fname, '/');
        int dir = slash ? (int)(slash - info.dli_fname) : 1;
        snprintf(path, sizeof path, "%.*s/" MODULE_FILE, dir, slash ? info.dli_fname : ".");
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (h) return h;
    }
    void *h = dlopen(HWNAS_CUDA_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
    if (!h) snprintf(tried, n, "cannot load %s (%s)", HWNAS_CUDA_MODULE_PATH, dlerror());
    return h;
#endif
}

static void cuda_open(void)
{
    char tried[SNC_WHY_LEN + 300];
    void *h = open_module(tried, sizeof tried);
    if (!h) {
        snprintf(cuda_why, sizeof cuda_why, "%s", tried);
        return;
    }
    snc_module_entry *entry;
    *(void **)&entry = dlsym(h, SNC_ENTRY_NAME);   /* POSIX: a data pointer from dlsym holds the function */
    const snc_module *mod = entry ? entry() : NULL;
    if (!mod) { snprintf(cuda_why, sizeof cuda_why, "no %s in " MODULE_FILE, SNC_ENTRY_NAME); return; }
    if (mod->abi_version != SNC_ABI_VERSION) {
        snprintf(cuda_why, sizeof cuda_why, MODULE_FILE " has ABI version %d, libhwnas expects %d (rebuild both)",
                 mod->abi_version, SNC_ABI_VERSION);
        return;
    }
    char why[SNC_WHY_LEN] = "";
    if (mod->probe(why) != SNC_OK) { snprintf(cuda_why, sizeof cuda_why, "%s", why); return; }
    cuda_module = mod;
}

int sn_cuda_available(hw_err *e)
{
    pthread_once(&cuda_once, cuda_open);
    if (cuda_module) return HW_OK;
    return hw_fail(e, HW_EMISSING, "CUDA: %s", cuda_why);
}

static int module_fail(hw_err *e, int code, const char *why)
{
    return hw_fail(e, code == SNC_ENOMEM ? HW_ENOMEM : code == SNC_ENODEVICE ? HW_EMISSING : HW_EIO, "CUDA: %s",
                   why);
}

static int rot_dims(const sn_config *c)
{
    int r = (int)(c->rotary_frac * (float)c->head_size);
    return r - r % 2;
}

int sn_cuda_create(sn_cuda **out, const sn_model *m, int B, int T, hw_err *e)
{
    *out = NULL;
    int rc = sn_cuda_available(e);
    if (rc) return rc;
    const sn_config *c = &m->cfg;
    if (!m->params) return hw_fail(e, HW_ESTATE, "CUDA: the model has no parameters (sn_model_init)");
    if (B < 1 || T < 1 || T > c->block_size)
        return hw_fail(e, HW_ERANGE, "CUDA: batch %d x %d tokens (block size %d)", B, T, c->block_size);
    snc_model_desc *md = calloc(1, sizeof *md);
    sn_cuda *g = calloc(1, sizeof *g);
    if (!md || !g) {
        free(md);
        free(g);
        return hw_fail(e, HW_ENOMEM, "CUDA: out of host memory");
    }
    md->vocab = c->vocab;
    md->max_embed = c->max_embed;
    md->max_layers = c->max_layers;
    md->max_heads = c->max_heads;
    md->max_mlp_ratio = c->max_mlp_ratio;
    md->head_size = c->head_size;
    md->rot = rot_dims(c);
    md->params = m->params;
    md->n_params = m->n_params;
    memcpy(md->off_global, m->off_global, sizeof m->off_global);
    for (int l = 0; l < c->max_layers; l++) memcpy(md->off_layer[l], m->off_layer[l], sizeof m->off_layer[l]);
    char why[SNC_WHY_LEN] = "";
    int mrc = cuda_module->create(&g->ctx, md, B, T, why);
    free(md);
    if (mrc) {
        free(g);
        return module_fail(e, mrc, why);
    }
    g->cfg = *c;
    g->B = B;
    g->T = T;
    *out = g;
    return HW_OK;
}

void sn_cuda_free(sn_cuda *g)
{
    if (!g) return;
    if (g->ctx) cuda_module->destroy(g->ctx);
    free(g);
}

/* The checks of sn_forward (supernet/model.c), for the GPU's arena. */
static int check_dims(const sn_cuda *g, const sn_dims *d, int B, int T, snc_dims *sd, hw_err *e)
{
    const sn_config *c = &g->cfg;
    if (B < 1 || T < 1 || B > g->B || T > g->T)
        return hw_fail(e, HW_ERANGE, "CUDA: batch %d x %d exceeds the arena's %d x %d", B, T, g->B, g->T);
    if (d->n_layer < 1 || d->n_layer > c->max_layers || d->embed < 1 || d->embed > c->max_embed)
        return hw_fail(e, HW_EINVAL, "CUDA: sub-network (%d layers, embed %d) does not fit", d->n_layer, d->embed);
    memset(sd, 0, sizeof *sd);
    sd->embed = d->embed;
    sd->n_layer = d->n_layer;
    sd->bias = d->bias;
    for (int l = 0; l < d->n_layer; l++) {
        if (d->n_head[l] < 1 || d->n_head[l] > c->max_heads || d->hidden[l] < 1 ||
            d->hidden[l] > c->max_mlp_ratio * c->max_embed)
            return hw_fail(e, HW_EINVAL, "CUDA: layer %d (%d heads, hidden %d) does not fit", l, d->n_head[l],
                           d->hidden[l]);
        sd->n_head[l] = d->n_head[l];
        sd->hidden[l] = d->hidden[l];
    }
    return HW_OK;
}

int sn_cuda_forward(sn_cuda *g, const sn_dims *d, const int32_t *tokens, const int32_t *targets, int B, int T,
                    float *loss, hw_err *e)
{
    snc_dims sd;
    int rc = check_dims(g, d, B, T, &sd, e);
    if (rc) return rc;
    int V = g->cfg.vocab;
    for (int n = 0; n < B * T; n++)
        if (tokens[n] < 0 || tokens[n] >= V || (targets && (targets[n] < 0 || targets[n] >= V)))
            return hw_fail(e, HW_ERANGE, "CUDA: token %d at position %d outside the vocabulary 0..%d",
                           targets && (targets[n] < 0 || targets[n] >= V) ? targets[n] : tokens[n], n, V - 1);
    char why[SNC_WHY_LEN] = "";
    double l = 0;
    int mrc = cuda_module->forward(g->ctx, &sd, tokens, targets, B, T, &l, why);
    if (mrc) return module_fail(e, mrc, why);
    if (targets && loss) *loss = (float)l;
    return HW_OK;
}

int sn_cuda_logits(sn_cuda *g, float *out, size_t count, hw_err *e)
{
    char why[SNC_WHY_LEN] = "";
    int mrc = cuda_module->logits(g->ctx, out, count, why);
    return mrc ? module_fail(e, mrc, why) : HW_OK;
}

static int gpu_window_forward(void *ctx, const sn_dims *d, const int32_t *tok, const int32_t *tgt, int B, int T,
                              float *loss, hw_err *e)
{
    return sn_cuda_forward(ctx, d, tok, tgt, B, T, loss, e);
}

int sn_cuda_eval_loss(sn_cuda *g, const hw_arch *a, const uint8_t *text, size_t n, int T, int B, int n_windows,
                      double *loss, hw_err *e)
{
    return sn_eval_windows(&g->cfg, a, text, n, T, B, n_windows, gpu_window_forward, g, loss, e);
}

int sn_cuda_time_forward(sn_cuda *g, const sn_dims *d, int B, int T, int runs, double *ms, hw_err *e)
{
    if (runs < 1 || runs > 1000) return hw_fail(e, HW_ERANGE, "CUDA: %d timed runs (1..1000)", runs);
    snc_dims sd;
    int rc = check_dims(g, d, B, T, &sd, e);
    if (rc) return rc;
    int32_t *tok = malloc(sizeof(int32_t) * (size_t)B * T);
    if (!tok) return hw_fail(e, HW_ENOMEM, "CUDA: out of host memory");
    for (int i = 0; i < B * T; i++) tok[i] = (int32_t)(((unsigned)i * 7919u) % (unsigned)g->cfg.vocab);
    rc = sn_cuda_forward(g, d, tok, NULL, B, T, NULL, e);   /* uploads the tokens; the warm-up */
    free(tok);
    if (rc) return rc;
    char why[SNC_WHY_LEN] = "";
    int mrc = cuda_module->time_forward(g->ctx, &sd, B, T, runs, ms, why);
    return mrc ? module_fail(e, mrc, why) : HW_OK;
}

int sn_cuda_time_sgemm(sn_cuda *g, const sn_dims *d, int B, int T, int runs, double *ms, double *flops, hw_err *e)
{
    if (runs < 1 || runs > 1000) return hw_fail(e, HW_ERANGE, "CUDA: %d timed runs (1..1000)", runs);
    snc_dims sd;
    int rc = check_dims(g, d, B, T, &sd, e);
    if (rc) return rc;
    char why[SNC_WHY_LEN] = "";
    int mrc = cuda_module->time_sgemm(g->ctx, &sd, B, T, runs, ms, flops, why);
    return mrc ? module_fail(e, mrc, why) : HW_OK;
}

void sn_cuda_get_info(sn_cuda *g, sn_cuda_info *info)
{
    memset(info, 0, sizeof *info);
    cuda_module->info(g->ctx, info->device, sizeof info->device, &info->ctx_bytes, &info->device_used,
                      &info->device_peak);
}

int sn_cuda_profile_forward(const sn_model *m, const sn_dims *d, int B, int T, int runs, sn_cuda_profile *out,
                            hw_err *e)
{
    memset(out, 0, sizeof *out);
    sn_cuda *g;
    int rc = sn_cuda_create(&g, m, B, T, e);
    if (rc) return rc;
    rc = sn_cuda_time_forward(g, d, B, T, runs, &out->ms, e);
    if (!rc) sn_cuda_get_info(g, &out->info);
    sn_cuda_free(g);
    return rc;
}
