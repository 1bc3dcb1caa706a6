#include "supernet/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/rng.h"

/* The fine-tuning batches' stream id (core/rng.h's ids are 1..3 and 2^32 + n). */
enum { SN_STREAM_FINETUNE = 0x5346 };

/* ---- options, sub-networks, schedule ------------------------------------ */

void sn_train_opts_default(sn_train_opts *o, int scale, int steps)
{
    const hw_space *sp = hw_space_get(scale);
    memset(o, 0, sizeof *o);
    o->scale = scale;
    o->vocab = 256;
    o->rotary_frac = 0.5f;
    o->steps = steps;
    o->batch = 16;
    o->seq_len = sp ? sp->block_size : 1;
    o->lr = 1e-3f;
    o->warmup = steps / 20 > 1 ? steps / 20 : 1;
    o->weight_decay = 0.1f;
    o->clip = 1.0f;
    o->k_random = 2;
    o->seed = 1;
}

static int opts_validate(const sn_train_opts *o, hw_err *e)
{
    const hw_space *sp = hw_space_get(o->scale);
    if (!sp) return hw_fail(e, HW_EINVAL, "train: unknown space %d", o->scale);
    if (o->steps < 1) return hw_fail(e, HW_ERANGE, "train: steps %d must be >= 1", o->steps);
    if (o->batch < 1 || o->batch > 4096) return hw_fail(e, HW_ERANGE, "train: batch %d not in 1..4096", o->batch);
    if (o->seq_len < 2 || o->seq_len > sp->block_size)
        return hw_fail(e, HW_ERANGE, "train: sequence length %d not in 2..%d (space %s)", o->seq_len, sp->block_size,
                       sp->name);
    if (!(o->lr > 0 && o->lr < 1)) return hw_fail(e, HW_ERANGE, "train: learning rate %g not in (0, 1)", (double)o->lr);
    if (o->warmup < 0) return hw_fail(e, HW_ERANGE, "train: warm-up %d must be >= 0", o->warmup);
    if (o->k_random < 0 || o->k_random > 64) return hw_fail(e, HW_ERANGE, "train: k %d not in 0..64", o->k_random);
    if (!(o->clip > 0)) return hw_fail(e, HW_ERANGE, "train: clip %g must be > 0", (double)o->clip);
    if (!(o->weight_decay >= 0)) return hw_fail(e, HW_ERANGE, "train: weight decay %g must be >= 0", (double)o->weight_decay);
    return HW_OK;
}

double sn_lr_at(const sn_train_opts *o, int64_t s)
{
    if (s < o->warmup) return o->lr * (double)(s + 1) / o->warmup;
    double span = (double)(o->steps - o->warmup), done = span > 0 ? (double)(s - o->warmup) / span : 1.0;
    if (done > 1) done = 1;
    double min_lr = 0.1 * o->lr;
    return min_lr + 0.5 * (o->lr - min_lr) * (1.0 + cos(M_PI * done));
}

static void extreme_arch(const hw_space *sp, int largest, hw_arch *a)
{
    memset(a, 0, sizeof *a);
    a->scale = sp->scale;
    a->embed_dim = sp->embed[largest ? sp->n_embed - 1 : 0];
    a->n_layer = sp->layers[largest ? sp->n_layers - 1 : 0];
    for (int i = 0; i < a->n_layer; i++) {
        a->mlp_ratio[i] = sp->mlp[largest ? sp->n_mlp - 1 : 0];
        a->n_head[i] = sp->heads[largest ? sp->n_heads - 1 : 0];
    }
    a->bias = largest;
}

void sn_space_largest(const hw_space *sp, hw_arch *a) { extreme_arch(sp, 1, a); }
void sn_space_smallest(const hw_space *sp, hw_arch *a) { extreme_arch(sp, 0, a); }

/* ---- trainer ------------------------------------------------------------ */

static int trainer_alloc(sn_trainer *t, int with_optimizer, hw_err *e)
{
    const sn_train_opts *o = &t->opts;
    sn_config cfg;
    sn_config_from_space(hw_space_get(o->scale), o->vocab, o->rotary_frac, &cfg);
    int rc = sn_model_init(&t->model, &cfg, o->seed, e);
    if (rc) return rc;
    if (!with_optimizer) return HW_OK;
    rc = sn_model_alloc_grads(&t->model, e);
    if (!rc) rc = sn_model_alloc_arena(&t->model, o->batch, o->seq_len, 1, e);
    if (rc) return rc;
    t->adam_m = calloc(t->model.n_params, sizeof(float));
    t->adam_v = calloc(t->model.n_params, sizeof(float));
    if (!t->adam_m || !t->adam_v) return hw_fail(e, HW_ENOMEM, "train: cannot allocate the optimizer state");
    return HW_OK;
}

int sn_trainer_init(sn_trainer *t, const sn_train_opts *o, const char *corpus_spec, const sn_corpus *c, hw_err *e)
{
    memset(t, 0, sizeof *t);
    int rc = opts_validate(o, e);
    if (rc) return rc;
    if (strlen(corpus_spec) >= SN_CORPUS_SPEC_LEN)
        return hw_fail(e, HW_EINVAL, "train: corpus path longer than %d bytes", SN_CORPUS_SPEC_LEN - 1);
    if (c->n_train < (size_t)o->seq_len + 2)
        return hw_fail(e, HW_EINVAL, "train: corpus '%s' has %zu training bytes, fewer than a sequence", corpus_spec,
                       c->n_train);
    t->opts = *o;
    snprintf(t->corpus_spec, sizeof t->corpus_spec, "%s", corpus_spec);
    t->corpus_crc = c->crc;
    rc = trainer_alloc(t, 1, e);
    if (rc) sn_trainer_free(t);
    return rc;
}

void sn_trainer_free(sn_trainer *t)
{
    sn_model_free(&t->model);
    free(t->adam_m);
    free(t->adam_v);
    memset(t, 0, sizeof *t);
}

/* Sum of squares of g in fixed chunks (the same sums at any thread count). */
static double grad_norm(const float *g, size_t n)
{
    enum { CH = 1 << 16 };
    size_t nch = (n + CH - 1) / CH;
    double *part = malloc(sizeof(double) * (nch ? nch : 1));
    if (!part) return NAN;
#pragma omp parallel for schedule(static) if (nch >= 4)
    for (size_t c = 0; c < nch; c++) {
        double s = 0;
        size_t end = (c + 1) * CH < n ? (c + 1) * CH : n;
        for (size_t i = c * CH; i < end; i++) s += (double)g[i] * g[i];
        part[c] = s;
    }
    double s = 0;
    for (size_t c = 0; c < nch; c++) s += part[c];
    free(part);
    return sqrt(s);
}

static void adamw_span(float *p, const float *g, float *m, float *v, size_t n, float lr, float wd, float gscale,
                       float bc1, float bc2)
{
    const float b1 = 0.9f, b2 = 0.95f, eps = 1e-8f;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] * gscale;
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        float mh = m[i] / bc1, vh = v[i] / bc2;
        p[i] -= lr * (mh / (sqrtf(vh) + eps) + wd * p[i]);
    }
}

/* A contiguous run of parameters updated with one weight decay. */
typedef struct {
    size_t off, n;
    float wd;
} adam_span;

/* The spans AdamW updates: every tensor whole, or with only = a sub-network,
 * each row of its slice (the first rows x cols of each tensor: weights
 * outside it are not even decayed).  Returns the count written into s (NULL:
 * count only). */
static size_t adam_spans(const sn_trainer *t, const sn_dims *only, adam_span *s)
{
    const sn_model *m = &t->model;
    size_t k = 0;
    for (int l = -1; l < m->cfg.max_layers; l++) {
        int nt = l < 0 ? SN_N_GLOBAL_TENSORS : SN_N_LAYER_TENSORS, r, c, sr, sc;
        for (int ti = 0; ti < nt; ti++) {
            size_t off = l < 0 ? m->off_global[ti] : m->off_layer[l][ti];
            float wd = sn_tensor_is_matrix(l, ti) ? t->opts.weight_decay : 0.0f;
            sn_tensor_shape(&m->cfg, l, ti, &r, &c);
            if (!only) {
                if (s) s[k] = (adam_span){off, (size_t)r * c, wd};
                k++;
                continue;
            }
            sn_tensor_slice(&m->cfg, only, l, ti, &sr, &sc);
            for (int i = 0; i < sr && sc > 0; i++, k++)
                if (s) s[k] = (adam_span){off + (size_t)i * c, (size_t)sc, wd};
        }
    }
    return k;
}

/* AdamW over the spans: one parallel region for the whole update (each
 * element on its own: the bytes do not depend on the thread count), on one
 * thread when small (a region per tensor cost more than the update on a
 * loaded machine). */
static int adamw_update(sn_trainer *t, double lr, float gscale, const sn_dims *only, hw_err *e)
{
    sn_model *m = &t->model;
    float bc1 = 1.0f - powf(0.9f, (float)(t->step + 1)), bc2 = 1.0f - powf(0.95f, (float)(t->step + 1));
    size_t ns = adam_spans(t, only, NULL), total = 0;
    adam_span *s = malloc(sizeof *s * (ns ? ns : 1));
    if (!s) return hw_fail(e, HW_ENOMEM, "train: out of memory");
    adam_spans(t, only, s);
    for (size_t i = 0; i < ns; i++) total += s[i].n;
#pragma omp parallel for schedule(dynamic, 1) if (total >= (size_t)1 << 18)
    for (size_t i = 0; i < ns; i++)
        adamw_span(m->params + s[i].off, m->grads + s[i].off, t->adam_m + s[i].off, t->adam_v + s[i].off, s[i].n,
                   (float)lr, s[i].wd, gscale, bc1, bc2);
    free(s);
    return HW_OK;
}

/* B random windows of T+1 bytes of the training text into tok/tgt (B*T each). */
static void sample_batch(const sn_corpus *c, int B, int T, hw_rng *r, int32_t *tok, int32_t *tgt)
{
    for (int b = 0; b < B; b++) {
        size_t off = hw_rng_below(r, (uint32_t)(c->n_train - (size_t)T - 1));
        for (int i = 0; i < T; i++) {
            tok[b * T + i] = c->train[off + i];
            tgt[b * T + i] = c->train[off + i + 1];
        }
    }
}

/* Clip the accumulated gradients to opts.clip, AdamW step (on the slice
 * `only` when not NULL), advance the step counter. */
static int clip_and_update(sn_trainer *t, const sn_dims *only, hw_err *e)
{
    double norm = grad_norm(t->model.grads, t->model.n_params);
    if (!isfinite(norm)) return hw_fail(e, HW_ERANGE, "train: step %lld: gradient norm is not finite", (long long)t->step);
    float gscale = norm > t->opts.clip ? (float)(t->opts.clip / norm) : 1.0f;
    int rc = adamw_update(t, sn_lr_at(&t->opts, t->step), gscale, only, e);
    if (rc) return rc;
    t->last_grad_norm = norm;
    t->step++;
    return HW_OK;
}

int sn_trainer_step(sn_trainer *t, const sn_corpus *c, hw_err *e)
{
    const sn_train_opts *o = &t->opts;
    const hw_space *sp = hw_space_get(o->scale);
    int B = o->batch, T = o->seq_len, N = B * T, n_sub = 2 + o->k_random;
    if (!t->adam_m) return hw_fail(e, HW_ESTATE, "train: the trainer has no optimizer state");
    if (c->crc != t->corpus_crc)
        return hw_fail(e, HW_EINVAL, "train: the corpus (CRC32 %08x) is not the one the run started with (%08x)",
                       c->crc, t->corpus_crc);
    int32_t *tok = malloc(sizeof(int32_t) * 2 * (size_t)N);
    hw_arch *archs = malloc(sizeof *archs * (size_t)n_sub);
    if (!tok || !archs) { free(tok); free(archs); return hw_fail(e, HW_ENOMEM, "train: out of memory"); }
    int32_t *tgt = tok + N;
    hw_rng r;
    hw_rng_seed(&r, hw_splitmix64(o->seed) + (uint64_t)t->step, HW_STREAM_TRAIN);
    sample_batch(c, B, T, &r, tok, tgt);
    sn_space_largest(sp, &archs[0]);
    sn_space_smallest(sp, &archs[1]);
    for (int k = 0; k < o->k_random; k++) hw_arch_sample(sp, &r, &archs[2 + k]);
    sn_zero_grads(&t->model);
    double loss_sum = 0;
    int rc = HW_OK;
    for (int k = 0; k < n_sub && !rc; k++) {
        sn_dims d;
        float loss = 0;
        rc = sn_dims_from_arch(&t->model.cfg, &archs[k], &d, e);
        if (!rc) rc = sn_forward(&t->model, &d, tok, tgt, B, T, &loss, e);
        if (!rc) rc = sn_backward(&t->model, 1.0f / (float)n_sub, e);
        loss_sum += loss;
    }
    free(tok);
    free(archs);
    if (rc) return rc;
    rc = clip_and_update(t, NULL, e);
    if (!rc) t->last_loss = loss_sum / n_sub;
    return rc;
}

/* ---- fine-tuning one sub-network ---------------------------------------- */

int sn_finetune_begin(sn_trainer *t, const sn_finetune_opts *f, const hw_arch *a, hw_err *e)
{
    sn_train_opts o = t->opts;
    o.steps = f->steps;
    o.batch = f->batch;
    o.seq_len = f->seq_len;
    o.lr = f->lr;
    o.warmup = f->steps / 20 > 1 ? f->steps / 20 : 1;
    o.k_random = 0;
    o.seed = f->seed;
    int rc = opts_validate(&o, e);
    if (rc) return rc;
    rc = sn_dims_from_arch(&t->model.cfg, a, &t->finetune_dims, e);
    if (rc) return rc;
    t->opts = o;
    t->step = 0;
    t->finetune = 1;
    rc = sn_model_alloc_grads(&t->model, e);
    if (!rc) rc = sn_model_alloc_arena(&t->model, o.batch, o.seq_len, 1, e);
    if (rc) return rc;
    free(t->adam_m);
    free(t->adam_v);
    t->adam_m = calloc(t->model.n_params, sizeof(float));
    t->adam_v = calloc(t->model.n_params, sizeof(float));
    if (!t->adam_m || !t->adam_v) return hw_fail(e, HW_ENOMEM, "finetune: cannot allocate the optimizer state");
    return HW_OK;
}

int sn_finetune_step(sn_trainer *t, const sn_corpus *c, hw_err *e)
{
    const sn_train_opts *o = &t->opts;
    int B = o->batch, T = o->seq_len, N = B * T;
    if (!t->finetune || !t->adam_m) return hw_fail(e, HW_ESTATE, "finetune: sn_finetune_begin first");
    if (c->crc != t->corpus_crc)
        return hw_fail(e, HW_EINVAL, "finetune: the corpus (CRC32 %08x) is not the supernet's (%08x)", c->crc,
                       t->corpus_crc);
    int32_t *tok = malloc(sizeof(int32_t) * 2 * (size_t)N);
    if (!tok) return hw_fail(e, HW_ENOMEM, "finetune: out of memory");
    hw_rng r;
    hw_rng_seed(&r, hw_splitmix64(o->seed) + (uint64_t)t->step, SN_STREAM_FINETUNE);
    sample_batch(c, B, T, &r, tok, tok + N);
    sn_zero_grads(&t->model);
    float loss = 0;
    int rc = sn_forward(&t->model, &t->finetune_dims, tok, tok + N, B, T, &loss, e);
    if (!rc) rc = sn_backward(&t->model, 1.0f, e);
    free(tok);
    if (!rc) rc = clip_and_update(t, &t->finetune_dims, e);
    if (!rc) t->last_loss = loss;
    return rc;
}

/* ---- evaluation --------------------------------------------------------- */

int sn_eval_windows(const sn_config *cfg, const hw_arch *a, const uint8_t *text, size_t n, int T, int B,
                    int n_windows, sn_window_forward forward, void *ctx, double *loss, hw_err *e)
{
    if (n_windows < 1 || (size_t)n_windows * T + 1 > n)
        return hw_fail(e, HW_ERANGE, "eval: %d windows of %d tokens need %zu bytes of text, have %zu", n_windows, T,
                       (size_t)n_windows * T + 1, n);
    sn_dims d;
    int rc = sn_dims_from_arch(cfg, a, &d, e);
    if (rc) return rc;
    int32_t *tok = malloc(sizeof(int32_t) * 2 * (size_t)B * T);
    if (!tok) return hw_fail(e, HW_ENOMEM, "eval: out of memory");
    int32_t *tgt = tok + (size_t)B * T;
    double sum = 0;
    for (int w0 = 0; w0 < n_windows && !rc; w0 += B) {
        int nb = n_windows - w0 < B ? n_windows - w0 : B;
        for (int b = 0; b < nb; b++)
            for (int i = 0; i < T; i++) {
                size_t at = (size_t)(w0 + b) * T + i;
                tok[b * T + i] = text[at];
                tgt[b * T + i] = text[at + 1];
            }
        float l = 0;
        rc = forward(ctx, &d, tok, tgt, nb, T, &l, e);
        sum += (double)l * nb;
    }
    free(tok);
    if (!rc) *loss = sum / n_windows;
    return rc;
}

static int cpu_window_forward(void *ctx, const sn_dims *d, const int32_t *tok, const int32_t *tgt, int B, int T,
                              float *loss, hw_err *e)
{
    return sn_forward(ctx, d, tok, tgt, B, T, loss, e);
}

int sn_eval_loss(sn_model *m, const hw_arch *a, const uint8_t *text, size_t n, int T, int B, int n_windows,
                 double *loss, hw_err *e)
{
    return sn_eval_windows(&m->cfg, a, text, n, T, B, n_windows, cpu_window_forward, m, loss, e);
}

/* ---- checkpoints -------------------------------------------------------- */

static const char MAGIC[8] = {'H', 'W', 'S', 'N', 'C', 'K', 'P', 'T'};

typedef struct {
    uint8_t b[512];
    size_t n;
} hdr_buf;

static void put32(hdr_buf *h, uint32_t v)
{
    for (int i = 0; i < 4; i++) h->b[h->n++] = (uint8_t)(v >> (8 * i));
}
static void put64(hdr_buf *h, uint64_t v)
{
    for (int i = 0; i < 8; i++) h->b[h->n++] = (uint8_t)(v >> (8 * i));
}
static void putf(hdr_buf *h, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    put32(h, u);
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }
static float getf(const uint8_t *p)
{
    uint32_t u = get32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static int host_is_little_endian(void)
{
    uint32_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* Header fields after magic, version and header size. */
static void header_fields(const sn_trainer *t, int has_opt, hdr_buf *h)
{
    const sn_train_opts *o = &t->opts;
    put32(h, (uint32_t)o->scale);
    put32(h, (uint32_t)o->vocab);
    putf(h, o->rotary_frac);
    put32(h, (uint32_t)o->steps);
    put32(h, (uint32_t)o->batch);
    put32(h, (uint32_t)o->seq_len);
    putf(h, o->lr);
    put32(h, (uint32_t)o->warmup);
    putf(h, o->weight_decay);
    putf(h, o->clip);
    put32(h, (uint32_t)o->k_random);
    put64(h, o->seed);
    put64(h, (uint64_t)t->step);
    memcpy(h->b + h->n, t->corpus_spec, SN_CORPUS_SPEC_LEN);
    h->n += SN_CORPUS_SPEC_LEN;
    put32(h, t->corpus_crc);
    put64(h, (uint64_t)t->model.n_params);
    put32(h, (uint32_t)has_opt);
}

static int write_block(FILE *f, const void *p, size_t n, uLong *crc)
{
    *crc = crc32(*crc, p, (uInt)n);
    return fwrite(p, 1, n, f) == n;
}

static int write_floats(FILE *f, const float *p, size_t n, uLong *crc)
{
    const size_t CH = 1 << 20;
    for (size_t i = 0; i < n; i += CH)
        if (!write_block(f, p + i, sizeof(float) * (n - i < CH ? n - i : CH), crc)) return 0;
    return 1;
}

int sn_checkpoint_save(const sn_trainer *t, const char *path, hw_err *e)
{
    if (!host_is_little_endian()) return hw_fail(e, HW_EINVAL, "checkpoint: big-endian hosts are not supported");
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return hw_fail(e, HW_EINVAL, "checkpoint: path too long");
    FILE *f = fopen(tmp, "wb");
    if (!f) return hw_fail(e, HW_EIO, "checkpoint: cannot write '%s'", tmp);
    int has_opt = t->adam_m != NULL;
    hdr_buf h = {{0}, 0};
    header_fields(t, has_opt, &h);
    hdr_buf pre = {{0}, 0};
    memcpy(pre.b, MAGIC, 8);
    pre.n = 8;
    put32(&pre, SN_CKPT_VERSION);
    put32(&pre, (uint32_t)h.n);
    uLong crc = crc32(0L, Z_NULL, 0);
    int ok = write_block(f, pre.b, pre.n, &crc) && write_block(f, h.b, h.n, &crc) &&
             write_floats(f, t->model.params, t->model.n_params, &crc);
    if (ok && has_opt)
        ok = write_floats(f, t->adam_m, t->model.n_params, &crc) && write_floats(f, t->adam_v, t->model.n_params, &crc);
    uint8_t tail[4];
    for (int i = 0; i < 4; i++) tail[i] = (uint8_t)((uint32_t)crc >> (8 * i));
    ok = ok && fwrite(tail, 1, 4, f) == 4;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return hw_fail(e, HW_EIO, "checkpoint: cannot write '%s'", path);
    }
    return HW_OK;
}

static int read_file(const char *path, uint8_t **out, size_t *n, hw_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return hw_fail(e, HW_EIO, "checkpoint: cannot open '%s'", path);
    size_t cap = 1 << 20, len = 0;
    uint8_t *p = malloc(cap);
    for (;;) {
        if (!p) { fclose(f); return hw_fail(e, HW_ENOMEM, "checkpoint: out of memory reading '%s'", path); }
        size_t got = fread(p + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
        if (len == cap) {
            uint8_t *q = realloc(p, cap * 2);
            if (!q) free(p);
            p = q;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(p); return hw_fail(e, HW_EIO, "checkpoint: read error in '%s'", path); }
    *out = p;
    *n = len;
    return HW_OK;
}

int sn_checkpoint_load(sn_trainer *t, const char *path, int with_optimizer, hw_err *e)
{
    memset(t, 0, sizeof *t);
    uint8_t *p = NULL;
    size_t n = 0;
    int rc = read_file(path, &p, &n, e);
    if (rc) return rc;
    rc = HW_EPARSE;
    if (n < 20 || memcmp(p, MAGIC, 8) != 0) { hw_fail(e, rc, "checkpoint '%s': not a supernet checkpoint", path); goto out; }
    if (get32(p + 8) != SN_CKPT_VERSION) {
        hw_fail(e, rc, "checkpoint '%s': version %u, this build reads version %d", path, get32(p + 8), SN_CKPT_VERSION);
        goto out;
    }
    uint32_t hn = get32(p + 12);
    const uint8_t *h = p + 16;
    if (hn != 4 * 11 + 8 * 2 + SN_CORPUS_SPEC_LEN + 4 + 8 + 4 || n < 16 + (size_t)hn + 4) {
        hw_fail(e, rc, "checkpoint '%s': truncated or malformed header", path);
        goto out;
    }
    uint32_t want = get32(p + n - 4), got = (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)(n - 4));
    if (want != got) {
        hw_fail(e, rc, "checkpoint '%s': checksum mismatch (file %08x, computed %08x): corrupt or truncated", path, want, got);
        goto out;
    }
    sn_train_opts *o = &t->opts;
    o->scale = (int)get32(h); o->vocab = (int)get32(h + 4); o->rotary_frac = getf(h + 8);
    o->steps = (int)get32(h + 12); o->batch = (int)get32(h + 16); o->seq_len = (int)get32(h + 20);
    o->lr = getf(h + 24); o->warmup = (int)get32(h + 28); o->weight_decay = getf(h + 32); o->clip = getf(h + 36);
    o->k_random = (int)get32(h + 40); o->seed = get64(h + 44);
    t->step = (int64_t)get64(h + 52);
    memcpy(t->corpus_spec, h + 60, SN_CORPUS_SPEC_LEN);
    t->corpus_spec[SN_CORPUS_SPEC_LEN - 1] = 0;
    t->corpus_crc = get32(h + 60 + SN_CORPUS_SPEC_LEN);
    uint64_t np = get64(h + 64 + SN_CORPUS_SPEC_LEN);
    uint32_t has_opt = get32(h + 72 + SN_CORPUS_SPEC_LEN);
    if ((rc = opts_validate(o, e)) != HW_OK) { hw_err_prefix(e, "checkpoint '%s'", path); goto out; }
    rc = HW_EPARSE;
    if (has_opt > 1 || (with_optimizer && !has_opt)) {
        hw_fail(e, rc, "checkpoint '%s': %s", path, has_opt > 1 ? "bad optimizer flag" : "holds no optimizer state (weights only): cannot resume");
        goto out;
    }
    if ((rc = trainer_alloc(t, with_optimizer, e)) != HW_OK) goto out;
    rc = HW_EPARSE;
    size_t nf = t->model.n_params, need = 16 + hn + sizeof(float) * nf * (has_opt ? 3 : 1) + 4;
    if (np != nf || n != need) {
        hw_fail(e, rc, "checkpoint '%s': %llu parameters and %zu bytes, expected %zu parameters and %zu bytes", path,
                (unsigned long long)np, n, nf, need);
        goto out;
    }
    const uint8_t *body = h + hn;
    memcpy(t->model.params, body, sizeof(float) * nf);
    if (with_optimizer) {
        memcpy(t->adam_m, body + sizeof(float) * nf, sizeof(float) * nf);
        memcpy(t->adam_v, body + 2 * sizeof(float) * nf, sizeof(float) * nf);
    }
    rc = HW_OK;
out:
    free(p);
    if (rc) sn_trainer_free(t);
    return rc;
}
