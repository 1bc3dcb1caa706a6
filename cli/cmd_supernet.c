/* hwnas supernet — train the weight-sharing supernet, evaluate sub-networks.
 *   hwnas supernet train --space xs --corpus FILE|auto --steps N --out CKPT
 *   hwnas supernet eval --ckpt CKPT --arch-file F --metrics perplexity,params,latency
 *   hwnas supernet eval --space s --random-init --arch-file F --metrics params,latency
 *   hwnas supernet finetune --ckpt CKPT --arch A --steps N [--out CKPT2] */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/lines.h"
#include "core/util.h"
#include "space/analytic.h"
#include "supernet/blas.h"
#include "supernet/corpus.h"
#include "supernet/cuda/sn_cuda.h"
#include "supernet/train.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: hwnas supernet train --corpus FILE|auto --steps N --out CKPT [options]\n"
            "       hwnas supernet train --resume CKPT --out CKPT [--stop-at S]\n"
            "       hwnas supernet eval (--ckpt CKPT | --space S --random-init) --arch-file F\n"
            "                           [--metrics perplexity,params,latency] [options]\n"
            "       hwnas supernet finetune --ckpt CKPT --arch A --steps N [--out CKPT2] [options]\n"
            "\n"
            "train: the sandwich rule (largest, smallest and k random sub-networks per\n"
            "step), AdamW 0.9/0.95, linear warm-up then cosine decay, clipping 1.0.\n"
            "  --space S        xs (default), xxs, s, m or l\n"
            "  --corpus C       'auto' (Debian's fortunes, %s) or a text file\n"
            "  --steps N        total steps\n"
            "  --out CKPT       checkpoint written at the end (and at --stop-at)\n"
            "  --seed N         (default 1)   --batch B (16)   --seq-len T (block size)\n"
            "  --lr X           peak learning rate (1e-3)   --warmup N (5%% of steps)\n"
            "  --k N            random sub-networks per step (2)\n"
            "  --eval-every N   validation losses every N steps (default steps/10)\n"
            "  --eval-windows W validation windows of T tokens (default 32)\n"
            "  --resume CKPT    continue a run bit-for-bit (its options are kept)\n"
            "  --stop-at S      save and stop once S steps are done\n"
            "  --weights-only   save without the optimizer state (cannot be resumed)\n"
            "One JSON object per evaluation on stdout; a progress line on a terminal.\n"
            "\n"
            "eval: one JSON object per architecture (arch, then the metrics).\n"
            "  --ckpt CKPT      trained supernet (perplexity on its validation split)\n"
            "  --space S --random-init  no checkpoint: params and latency only\n"
            "                   (vocabulary 50254 for s, m, l; 256 for xs, xxs)\n"
            "  --corpus C       the validation text (default: the checkpoint's corpus)\n"
            "  --eval-windows W perplexity over the first W windows of T tokens (64)\n"
            "  --seq-len T      tokens per window and for latency (default: block size)\n"
            "  --latency-runs R forward passes timed, median (default 3)\n"
            "  --cuda           perplexity and latency on the GPU (latency: device time\n"
            "                   of the forward by CUDA events; docs/supernet.md, CUDA)\n"
            "\n"
            "finetune: train sub-network A alone from its inherited weights (AdamW, warm-up\n"
            "5%%, cosine to lr/10, clipping as in train; only A's slice changes) and print\n"
            "one JSON object: its validation perplexity before and after.\n"
            "  --ckpt CKPT      trained supernet (weights only is enough)\n"
            "  --arch A         the sub-network, an arch string of the checkpoint's space\n"
            "  --steps N        fine-tuning steps\n"
            "  --out CKPT2      write the fine-tuned supernet (weights only)\n"
            "  --lr X           peak learning rate (default: the checkpoint's final one, lr/10)\n"
            "  --seed N (1)   --batch B (the checkpoint's)   --eval-windows W (64)\n",
            SN_CORPUS_AUTO_DIR);
}

static int parse_int(const char *opt, const char *s, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "hwnas supernet: %s: '%s' is not an integer in %ld..%ld\n", opt, s, lo, hi);
        return 0;
    }
    *out = (int)v;
    return 1;
}

static int parse_float(const char *opt, const char *s, float *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v > 0 && v < 1e6)) {
        fprintf(stderr, "hwnas supernet: %s: '%s' is not a positive number\n", opt, s);
        return 0;
    }
    *out = (float)v;
    return 1;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss / 1024.0 : -1.0;
}

static int eval_pair(sn_trainer *t, const sn_corpus *c, int windows, double *largest, double *smallest, hw_err *e)
{
    const hw_space *sp = hw_space_get(t->opts.scale);
    hw_arch a;
    sn_space_largest(sp, &a);
    int rc = sn_eval_loss(&t->model, &a, c->val, c->n_val, t->opts.seq_len, t->opts.batch, windows, largest, e);
    sn_space_smallest(sp, &a);
    if (!rc) rc = sn_eval_loss(&t->model, &a, c->val, c->n_val, t->opts.seq_len, t->opts.batch, windows, smallest, e);
    return rc;
}

static int cmd_train(int argc, char **argv)
{
    const char *space = "xs", *corpus_spec = NULL, *out = NULL, *resume = NULL;
    int steps = 0, seed = 1, batch = 0, seq = 0, warmup = -1, k = 2, eval_every = 0, windows = 32, stop_at = 0;
    int weights_only = 0;
    float lr = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0) { usage(stdout); return 0; }
        if (strcmp(o, "--weights-only") == 0) { weights_only = 1; continue; }
        if (i + 1 >= argc) { fprintf(stderr, "hwnas supernet train: %s needs a value\n", o); return 2; }
        const char *v = argv[++i];
        int ok = 1;
        if (strcmp(o, "--space") == 0) space = v;
        else if (strcmp(o, "--corpus") == 0) corpus_spec = v;
        else if (strcmp(o, "--out") == 0) out = v;
        else if (strcmp(o, "--resume") == 0) resume = v;
        else if (strcmp(o, "--steps") == 0) ok = parse_int(o, v, 1, INT_MAX / 2, &steps);
        else if (strcmp(o, "--seed") == 0) ok = parse_int(o, v, 0, INT_MAX, &seed);
        else if (strcmp(o, "--batch") == 0) ok = parse_int(o, v, 1, 4096, &batch);
        else if (strcmp(o, "--seq-len") == 0) ok = parse_int(o, v, 2, 1 << 16, &seq);
        else if (strcmp(o, "--warmup") == 0) ok = parse_int(o, v, 0, INT_MAX / 2, &warmup);
        else if (strcmp(o, "--k") == 0) ok = parse_int(o, v, 0, 64, &k);
        else if (strcmp(o, "--eval-every") == 0) ok = parse_int(o, v, 1, INT_MAX, &eval_every);
        else if (strcmp(o, "--eval-windows") == 0) ok = parse_int(o, v, 1, 1 << 20, &windows);
        else if (strcmp(o, "--stop-at") == 0) ok = parse_int(o, v, 1, INT_MAX / 2, &stop_at);
        else if (strcmp(o, "--lr") == 0) ok = parse_float(o, v, &lr);
        else { fprintf(stderr, "hwnas supernet train: unknown option '%s' (see 'hwnas supernet --help')\n", o); return 2; }
        if (!ok) return 2;
    }
    if (!out) { fprintf(stderr, "hwnas supernet train: --out is required\n"); return 2; }
    hw_err e = {0};
    sn_trainer t;
    sn_corpus c;
    int rc;
    if (resume) {
        if (corpus_spec || steps || batch || seq || lr > 0 || warmup >= 0) {
            fprintf(stderr, "hwnas supernet train: --resume keeps the run's corpus and options; give only --out and --stop-at\n");
            return 2;
        }
        if ((rc = sn_checkpoint_load(&t, resume, 1, &e))) {
            fprintf(stderr, "hwnas supernet train: --resume: %s\n", e.msg);
            return hw_exit_code(rc);
        }
        if ((rc = sn_corpus_load(t.corpus_spec, &c, &e))) {
            fprintf(stderr, "hwnas supernet train: %s\n", e.msg);
            sn_trainer_free(&t);
            return hw_exit_code(rc);
        }
    } else {
        const hw_space *sp = hw_space_by_name(space);
        if (!sp) { fprintf(stderr, "hwnas supernet train: --space: unknown space '%s' (expected xs, xxs, s, m or l)\n", space); return 2; }
        if (!corpus_spec || !steps) { fprintf(stderr, "hwnas supernet train: --corpus and --steps are required\n"); return 2; }
        sn_train_opts o;
        sn_train_opts_default(&o, sp->scale, steps);
        o.seed = (uint64_t)seed;
        o.k_random = k;
        if (batch) o.batch = batch;
        if (seq) o.seq_len = seq;
        if (lr > 0) o.lr = lr;
        if (warmup >= 0) o.warmup = warmup;
        if ((rc = sn_corpus_load(corpus_spec, &c, &e))) {
            fprintf(stderr, "hwnas supernet train: --corpus: %s\n", e.msg);
            return hw_exit_code(rc);
        }
        if ((rc = sn_trainer_init(&t, &o, corpus_spec, &c, &e))) {
            fprintf(stderr, "hwnas supernet train: %s\n", e.msg);
            sn_corpus_free(&c);
            return hw_exit_code(rc);
        }
    }
    const sn_train_opts *o = &t.opts;
    if (!eval_every) eval_every = o->steps / 10 > 0 ? o->steps / 10 : 1;
    if ((size_t)windows * o->seq_len + 1 > c.n_val) {
        fprintf(stderr, "hwnas supernet train: --eval-windows %d: the validation text holds %zu windows\n", windows,
                c.n_val ? (c.n_val - 1) / (size_t)o->seq_len : 0);
        sn_corpus_free(&c);
        sn_trainer_free(&t);
        return 2;
    }
    int64_t end = stop_at && stop_at < o->steps ? stop_at : o->steps;
    fprintf(stderr, "supernet train: space %s, %lld parameters, corpus %zu train + %zu validation bytes, %d x %d tokens, "
                    "k %d, step %lld -> %lld of %d\n",
            hw_space_get(o->scale)->name, (long long)t.model.n_params, c.n_train, c.n_val, o->batch, o->seq_len,
            o->k_random, (long long)t.step, (long long)end, o->steps);
    int tty = isatty(2);
    double t0 = hw_now(), tokens = 0;
    int64_t first = t.step;
    rc = HW_OK;
    while (t.step < end && !rc) {
        rc = sn_trainer_step(&t, &c, &e);
        tokens += (double)o->batch * o->seq_len;
        double el = hw_now() - t0, tps = tokens / el, eta = el / (double)(t.step - first) * (double)(end - t.step);
        if (!rc && tty)
            fprintf(stderr, "\rstep %lld/%lld  loss %.4f  %.0f tok/s  ETA %.0fs   ", (long long)t.step, (long long)end,
                    t.last_loss, tps, eta);
        if (!rc && (t.step % eval_every == 0 || t.step == end)) {
            double vl, vs;
            rc = eval_pair(&t, &c, windows, &vl, &vs, &e);
            if (!rc) {
                if (tty) fprintf(stderr, "\n");
                printf("{\"step\": %lld, \"lr\": %.6g, \"train_loss\": %.5f, \"grad_norm\": %.4f, \"val_loss_largest\": %.5f, "
                       "\"val_loss_smallest\": %.5f, \"tokens_per_s\": %.1f, \"elapsed_s\": %.1f}\n",
                       (long long)t.step, sn_lr_at(o, t.step - 1), t.last_loss, t.last_grad_norm, vl, vs, tps, el);
                fflush(stdout);
            }
        }
    }
    if (!rc) {
        if (weights_only) {
            free(t.adam_m);
            free(t.adam_v);
            t.adam_m = t.adam_v = NULL;
        }
        rc = sn_checkpoint_save(&t, out, &e);
    }
    if (rc) fprintf(stderr, "%shwnas supernet train: %s\n", tty ? "\n" : "", e.msg);
    else
        fprintf(stderr, "supernet train: %lld steps in %.1f s, %.0f tokens/s (x%d sub-networks), peak memory %.0f MB, "
                "OpenBLAS %s build with %d threads (%s), saved %s\n",
                (long long)(t.step - first), hw_now() - t0, tokens / (hw_now() - t0), 2 + o->k_random, peak_rss_mb(),
                sn_blas_parallel(), sn_blas_threads(), sn_blas_library(), out);
    sn_corpus_free(&c);
    sn_trainer_free(&t);
    return rc ? hw_exit_code(rc) : 0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median forward time (ms) of batch 1 x T tokens. */
static int time_forward(sn_model *m, const sn_dims *d, int T, int runs, double *ms, hw_err *e)
{
    int32_t *tok = malloc(sizeof(int32_t) * (size_t)T);
    double t[64];
    if (!tok) return hw_fail(e, HW_ENOMEM, "latency: out of memory");
    for (int i = 0; i < T; i++) tok[i] = (int32_t)((i * 7919u) % (unsigned)m->cfg.vocab);
    int rc = sn_forward(m, d, tok, NULL, 1, T, NULL, e); /* warm-up */
    for (int r = 0; r < runs && !rc; r++) {
        double t0 = hw_now();
        rc = sn_forward(m, d, tok, NULL, 1, T, NULL, e);
        t[r] = (hw_now() - t0) * 1e3;
    }
    free(tok);
    if (rc) return rc;
    qsort(t, (size_t)runs, sizeof *t, cmp_d);
    *ms = runs % 2 ? t[runs / 2] : 0.5 * (t[runs / 2 - 1] + t[runs / 2]);
    return HW_OK;
}

static int cmd_eval(int argc, char **argv)
{
    const char *ckpt = NULL, *space = NULL, *arch_file = NULL, *metrics = "perplexity,params,latency",
               *corpus_spec = NULL;
    int random_init = 0, windows = 64, seq = 0, runs = 3, cuda = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0) { usage(stdout); return 0; }
        if (strcmp(o, "--random-init") == 0) { random_init = 1; continue; }
        if (strcmp(o, "--cuda") == 0) { cuda = 1; continue; }
        if (i + 1 >= argc) { fprintf(stderr, "hwnas supernet eval: %s needs a value\n", o); return 2; }
        const char *v = argv[++i];
        int ok = 1;
        if (strcmp(o, "--ckpt") == 0) ckpt = v;
        else if (strcmp(o, "--space") == 0) space = v;
        else if (strcmp(o, "--arch-file") == 0) arch_file = v;
        else if (strcmp(o, "--metrics") == 0) metrics = v;
        else if (strcmp(o, "--corpus") == 0) corpus_spec = v;
        else if (strcmp(o, "--eval-windows") == 0) ok = parse_int(o, v, 1, 1 << 20, &windows);
        else if (strcmp(o, "--seq-len") == 0) ok = parse_int(o, v, 2, 1 << 16, &seq);
        else if (strcmp(o, "--latency-runs") == 0) ok = parse_int(o, v, 1, 64, &runs);
        else { fprintf(stderr, "hwnas supernet eval: unknown option '%s' (see 'hwnas supernet --help')\n", o); return 2; }
        if (!ok) return 2;
    }
    int want_ppl = 0, want_params = 0, want_lat = 0;
    {
        char buf[256];
        if (strlen(metrics) >= sizeof buf) { fprintf(stderr, "hwnas supernet eval: --metrics: list too long\n"); return 2; }
        strcpy(buf, metrics);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            if (strcmp(tok, "perplexity") == 0) want_ppl = 1;
            else if (strcmp(tok, "params") == 0) want_params = 1;
            else if (strcmp(tok, "latency") == 0) want_lat = 1;
            else {
                fprintf(stderr, "hwnas supernet eval: --metrics: unknown metric '%s' (expected perplexity, params, latency)\n", tok);
                return 2;
            }
        }
        if (!want_ppl && !want_params && !want_lat) { fprintf(stderr, "hwnas supernet eval: --metrics: empty list\n"); return 2; }
    }
    if (!arch_file) { fprintf(stderr, "hwnas supernet eval: --arch-file is required\n"); return 2; }
    if (!ckpt == !random_init) { fprintf(stderr, "hwnas supernet eval: give exactly one of --ckpt and --random-init\n"); return 2; }
    if (random_init && !space) { fprintf(stderr, "hwnas supernet eval: --random-init needs --space\n"); return 2; }
    if (random_init && want_ppl) {
        fprintf(stderr, "hwnas supernet eval: perplexity needs a trained supernet (--ckpt); --random-init gives params and latency\n");
        return 2;
    }
    hw_err e = {0};
    sn_trainer t;
    int rc;
    if (ckpt) {
        if ((rc = sn_checkpoint_load(&t, ckpt, 0, &e))) { fprintf(stderr, "hwnas supernet eval: --ckpt: %s\n", e.msg); return hw_exit_code(rc); }
        if (space && hw_space_by_name(space) != hw_space_get(t.opts.scale)) {
            fprintf(stderr, "hwnas supernet eval: --space %s, but the checkpoint is of space %s\n", space, hw_space_get(t.opts.scale)->name);
            sn_trainer_free(&t);
            return 2;
        }
    } else {
        const hw_space *sp = hw_space_by_name(space);
        if (!sp) { fprintf(stderr, "hwnas supernet eval: --space: unknown space '%s'\n", space); return 2; }
        memset(&t, 0, sizeof t);
        sn_train_opts_default(&t.opts, sp->scale, 1);
        if (sp->scale < HW_N_SCALES) { t.opts.vocab = HW_ANALYTIC_VOCAB; t.opts.rotary_frac = 0.25f; }
        sn_config cfg;
        sn_config_from_space(sp, t.opts.vocab, t.opts.rotary_frac, &cfg);
        /* params need only the shapes; latency needs weights (random ones) */
        if (!want_lat) t.model.cfg = cfg;
        else if ((rc = sn_model_init(&t.model, &cfg, 1, &e))) { fprintf(stderr, "hwnas supernet eval: %s\n", e.msg); return hw_exit_code(rc); }
    }
    const hw_space *sp = hw_space_get(t.opts.scale);
    int T = seq ? seq : sp->block_size, B = 8;
    sn_corpus c = {0};
    rc = HW_OK;
    if (T > sp->block_size) rc = hw_fail(&e, HW_ERANGE, "--seq-len %d exceeds the block size %d", T, sp->block_size);
    if (!rc && want_ppl) {
        rc = sn_corpus_load(corpus_spec ? corpus_spec : t.corpus_spec, &c, &e);
        if (!rc && c.crc != t.corpus_crc)
            rc = hw_fail(&e, HW_EINVAL, "corpus '%s' is not the text the checkpoint was trained on (CRC32 %08x, expected %08x)",
                         corpus_spec ? corpus_spec : t.corpus_spec, c.crc, t.corpus_crc);
        if (!rc && (size_t)windows * T + 1 > c.n_val)
            rc = hw_fail(&e, HW_ERANGE, "--eval-windows %d of %d tokens: the validation text holds %zu", windows, T, c.n_val ? (c.n_val - 1) / (size_t)T : 0);
    }
    sn_cuda *gpu = NULL;
    if (!rc && (want_ppl || want_lat)) {
        if (cuda) rc = sn_cuda_create(&gpu, &t.model, want_ppl ? B : 1, T, &e);
        else rc = sn_model_alloc_arena(&t.model, want_ppl ? B : 1, T, 0, &e);
    }
    hw_lines *in = NULL;
    if (!rc) rc = hw_lines_open(arch_file, &in, &e);
    if (rc) {
        fprintf(stderr, "hwnas supernet eval: %s\n", e.msg);
        sn_cuda_free(gpu);
        sn_corpus_free(&c);
        sn_trainer_free(&t);
        return hw_exit_code(rc);
    }
    char *line;
    size_t len;
    int status = 0;
    while ((rc = hw_lines_next(in, &line, &len, &e)) == 1) {
        while (len > 0 && isspace((unsigned char)line[len - 1])) line[--len] = 0;
        while (*line && isspace((unsigned char)*line)) line++;
        if (!*line) continue;
        hw_arch a;
        sn_dims d;
        if (hw_arch_parse(line, sp, &a, &e) || sn_dims_from_arch(&t.model.cfg, &a, &d, &e)) {
            fflush(stdout);
            fprintf(stderr, "%s:%ld: %s\n", hw_lines_path(in), hw_lines_number(in), e.msg);
            status = 2;
            break;
        }
        char s[HW_ARCH_STRLEN];
        hw_arch_format(&a, s, sizeof s);
        double loss = 0, ms = 0;
        int erc = HW_OK;
        if (want_ppl)
            erc = gpu ? sn_cuda_eval_loss(gpu, &a, c.val, c.n_val, T, B, windows, &loss, &e)
                      : sn_eval_loss(&t.model, &a, c.val, c.n_val, T, B, windows, &loss, &e);
        if (!erc && want_lat)
            erc = gpu ? sn_cuda_time_forward(gpu, &d, 1, T, runs, &ms, &e) : time_forward(&t.model, &d, T, runs, &ms, &e);
        if (erc) {
            fflush(stdout);
            fprintf(stderr, "%s:%ld: %s\n", hw_lines_path(in), hw_lines_number(in), e.msg);
            status = 1;
            break;
        }
        printf("{\"arch\": \"%s\"", s);
        if (want_ppl) printf(", \"perplexity\": %.6g", exp(loss));
        if (want_params) printf(", \"params\": %lld", (long long)sn_dims_params(&t.model.cfg, &d));
        if (want_lat) printf(", \"latency\": %.4g", ms);
        printf("}\n");
    }
    if (rc < 0) {
        fprintf(stderr, "hwnas supernet eval: %s\n", e.msg);
        status = hw_exit_code(rc);
    }
    hw_lines_close(in);
    sn_cuda_free(gpu);
    sn_corpus_free(&c);
    sn_trainer_free(&t);
    if (fflush(stdout) != 0 && !status) {
        fprintf(stderr, "hwnas supernet eval: cannot write the output\n");
        status = 1;
    }
    return status;
}

/* Validation loss of a over the first `windows` windows of T tokens. */
static int finetune_val(sn_trainer *t, const hw_arch *a, const sn_corpus *c, int windows, double *loss, hw_err *e)
{
    return sn_eval_loss(&t->model, a, c->val, c->n_val, t->opts.seq_len, t->opts.batch, windows, loss, e);
}

static int cmd_finetune(int argc, char **argv)
{
    const char *ckpt = NULL, *arch = NULL, *out = NULL;
    int steps = 0, seed = 1, batch = 0, windows = 64;
    float lr = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--help") == 0) { usage(stdout); return 0; }
        if (i + 1 >= argc) { fprintf(stderr, "hwnas supernet finetune: %s needs a value\n", o); return 2; }
        const char *v = argv[++i];
        int ok = 1;
        if (strcmp(o, "--ckpt") == 0) ckpt = v;
        else if (strcmp(o, "--arch") == 0) arch = v;
        else if (strcmp(o, "--out") == 0) out = v;
        else if (strcmp(o, "--steps") == 0) ok = parse_int(o, v, 1, INT_MAX / 2, &steps);
        else if (strcmp(o, "--seed") == 0) ok = parse_int(o, v, 0, INT_MAX, &seed);
        else if (strcmp(o, "--batch") == 0) ok = parse_int(o, v, 1, 4096, &batch);
        else if (strcmp(o, "--eval-windows") == 0) ok = parse_int(o, v, 1, 1 << 20, &windows);
        else if (strcmp(o, "--lr") == 0) ok = parse_float(o, v, &lr);
        else { fprintf(stderr, "hwnas supernet finetune: unknown option '%s' (see 'hwnas supernet --help')\n", o); return 2; }
        if (!ok) return 2;
    }
    if (!ckpt || !arch || !steps) {
        fprintf(stderr, "hwnas supernet finetune: --ckpt, --arch and --steps are required\n");
        return 2;
    }
    hw_err e = {0};
    sn_trainer t;
    int rc = sn_checkpoint_load(&t, ckpt, 0, &e);
    if (rc) { fprintf(stderr, "hwnas supernet finetune: --ckpt: %s\n", e.msg); return hw_exit_code(rc); }
    const hw_space *sp = hw_space_get(t.opts.scale);
    hw_arch a;
    sn_corpus c = {0};
    if ((rc = hw_arch_parse(arch, sp, &a, &e)) != HW_OK) {
        fprintf(stderr, "hwnas supernet finetune: --arch: %s\n", e.msg);
        sn_trainer_free(&t);
        return 2;
    }
    sn_finetune_opts f = {steps, batch ? batch : t.opts.batch, t.opts.seq_len, lr > 0 ? lr : 0.1f * t.opts.lr,
                          (uint64_t)seed};
    double before = 0, after = 0, t0 = hw_now();
    rc = sn_finetune_begin(&t, &f, &a, &e);
    if (!rc) rc = sn_corpus_load(t.corpus_spec, &c, &e);
    if (!rc && c.crc != t.corpus_crc)
        rc = hw_fail(&e, HW_EINVAL, "corpus '%s' is not the text the checkpoint was trained on (CRC32 %08x, expected %08x)",
                     t.corpus_spec, c.crc, t.corpus_crc);
    if (!rc && (size_t)windows * t.opts.seq_len + 1 > c.n_val)
        rc = hw_fail(&e, HW_ERANGE, "--eval-windows %d of %d tokens: the validation text holds %zu", windows,
                     t.opts.seq_len, c.n_val ? (c.n_val - 1) / (size_t)t.opts.seq_len : 0);
    if (!rc) rc = finetune_val(&t, &a, &c, windows, &before, &e);
    int tty = isatty(2);
    while (!rc && t.step < steps) {
        rc = sn_finetune_step(&t, &c, &e);
        if (!rc && tty)
            fprintf(stderr, "\rfinetune step %lld/%d  loss %.4f   ", (long long)t.step, steps, t.last_loss);
    }
    if (tty) fprintf(stderr, "\n");
    if (!rc) rc = finetune_val(&t, &a, &c, windows, &after, &e);
    if (!rc && out) {
        free(t.adam_m);
        free(t.adam_v);
        t.adam_m = t.adam_v = NULL;
        rc = sn_checkpoint_save(&t, out, &e);
    }
    if (rc) {
        fprintf(stderr, "hwnas supernet finetune: %s\n", e.msg);
    } else {
        char s[HW_ARCH_STRLEN];
        hw_arch_format(&a, s, sizeof s);
        printf("{\"arch\": \"%s\", \"params\": %lld, \"steps\": %d, \"lr\": %.6g, \"batch\": %d, \"eval_windows\": %d, "
               "\"perplexity_before\": %.6g, \"perplexity_after\": %.6g, \"train_loss_last\": %.5f, \"elapsed_s\": %.1f}\n",
               s, (long long)sn_dims_params(&t.model.cfg, &t.finetune_dims), steps, (double)f.lr, f.batch, windows, exp(before), exp(after), t.last_loss, hw_now() - t0);
    }
    sn_corpus_free(&c);
    sn_trainer_free(&t);
    if (!rc && fflush(stdout) != 0) { fprintf(stderr, "hwnas supernet finetune: cannot write the output\n"); return 1; }
    return rc ? hw_exit_code(rc) : 0;
}

int cmd_supernet(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "train") == 0) return cmd_train(argc - 1, argv + 1);
    if (strcmp(argv[1], "eval") == 0) return cmd_eval(argc - 1, argv + 1);
    if (strcmp(argv[1], "finetune") == 0) return cmd_finetune(argc - 1, argv + 1);
    fprintf(stderr, "hwnas supernet: unknown subcommand '%s' (expected train, eval or finetune)\n", argv[1]);
    return 2;
}
