/* fuzz/model_seed.c — writes small valid surrogate model files (one model:
 * a depth-1 tree; and one with every optional part: base, noise trees,
 * blend) as seeds for fuzz target 4, without their trailing CRC (the harness
 * appends the right one, so mutations reach the parser).  Built by run.sh.
 *   model_seed OUT_PREFIX */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "surrogates/model.h"

static void tree(sur_gbm *g, uint8_t *feat, float *thr, float *leaf)
{
    g->n_feat = SUR_X_LEN;
    g->depth = 1;
    g->n_trees = 1;
    g->base = 3.0;
    feat[0] = 1;
    thr[0] = 0.5f;
    leaf[0] = -0.1f;
    leaf[1] = 0.1f;
    g->feat = feat;
    g->thr = thr;
    g->leaf = leaf;
}

static int save_without_crc(sur_set *s, const char *path)
{
    hw_err e;
    if (sur_set_save(s, path, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
    FILE *f = fopen(path, "rb");
    if (!f) return 1;
    static unsigned char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    f = fopen(path, "wb");
    if (!f || n < 4) return 1;
    fputc(4, f); /* the harness's target byte */
    fwrite(buf, 1, n - 4, f);
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: model_seed OUT_PREFIX\n"); return 2; }
    uint8_t feat[2][1];
    float thr[2][1], leaf[2][2];
    sur_model m[2];
    memset(m, 0, sizeof m);
    sur_set s;
    memset(&s, 0, sizeof s);
    s.scale = 0;
    s.models = m;
    /* 1: perplexity, trees only */
    m[0].metric = SUR_PERPLEXITY;
    m[0].model_sd = 0.1;
    m[0].calib = 1;
    m[0].noise_calib = 1;
    m[0].bound_lo = 10;
    m[0].bound_hi = 30;
    tree(&m[0].mean_gbm, feat[0], thr[0], leaf[0]);
    for (int q = 0; q < SUR_NQ; q++) m[0].noise_q[q] = (float)(q - SUR_NQ / 2) / 32.0f;
    s.n_models = 1;
    char path[4096];
    snprintf(path, sizeof path, "%s_plain", argv[1]);
    if (save_without_crc(&s, path)) return 1;
    /* 2: plus a latency model with a base, noise trees and a blend */
    m[1] = m[0];
    m[1].metric = SUR_LATENCY;
    m[1].device = 1;
    m[1].flags = SUR_FLAG_BASE | SUR_FLAG_NOISE | SUR_FLAG_BLEND;
    m[1].lin_n = 2;
    for (int j = 0; j < 6; j++) m[1].lin[j] = 0.01 * (j + 1);
    m[1].floor = 1e-3;
    tree(&m[1].noise_gbm, feat[1], thr[1], leaf[1]);
    m[1].blend_w = 0.3;
    for (int j = 0; j < SUR_BLEND_P; j++) m[1].blend_b[j] = 0.001 * j;
    s.n_models = 2;
    snprintf(path, sizeof path, "%s_full", argv[1]);
    return save_without_crc(&s, path);
}
