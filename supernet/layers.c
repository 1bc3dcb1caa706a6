#include "supernet/layers.h"
#include "supernet/blas.h"
#include "supernet/supernet.h"

#include <math.h>
#include <omp.h>
#include <string.h>

/* Elementwise loops run on one thread below this many elements: a parallel
 * region costs more than it saves, and much more on a loaded machine. */
#define SN_PAR_MIN_WORK 32768

/* ---- embedding ---------------------------------------------------------- */

void sn_embed_forward(float *out, const int32_t *tokens, const float *wte, int ldw, int N, int e)
{
#pragma omp parallel for schedule(static) if ((size_t)N * e >= SN_PAR_MIN_WORK)
    for (int n = 0; n < N; n++) memcpy(out + (size_t)n * e, wte + (size_t)tokens[n] * ldw, sizeof(float) * (size_t)e);
}

void sn_embed_backward(float *dwte, int ldw, const float *dout, const int32_t *tokens, int N, int e)
{
    /* Each entry's sum runs over the tokens in order (row by row: contiguous). */
    for (int n = 0; n < N; n++) {
        float *dw = dwte + (size_t)tokens[n] * ldw;
        const float *d = dout + (size_t)n * e;
        for (int j = 0; j < e; j++) dw[j] += d[j];
    }
}

/* ---- layernorm ---------------------------------------------------------- */

void sn_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *w, const float *b,
                          int N, int e)
{
#pragma omp parallel for schedule(static) if ((size_t)N * e >= SN_PAR_MIN_WORK)
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * e;
        float *o = out + (size_t)n * e;
        float m = 0.0f;
        for (int j = 0; j < e; j++) m += x[j];
        m /= (float)e;
        float v = 0.0f;
        for (int j = 0; j < e; j++) { float d = x[j] - m; v += d * d; }
        v /= (float)e;
        float s = 1.0f / sqrtf(v + SN_LN_EPS);
        for (int j = 0; j < e; j++) o[j] = (x[j] - m) * s * w[j] + b[j];
        mean[n] = m;
        rstd[n] = s;
    }
}

void sn_layernorm_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp, const float *w,
                           const float *mean, const float *rstd, int N, int e)
{
#pragma omp parallel for schedule(static) if ((size_t)N * e >= SN_PAR_MIN_WORK)
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * e, *dy = dout + (size_t)n * e;
        float *dx = dinp + (size_t)n * e;
        float m = mean[n], s = rstd[n];
        float dmean = 0.0f, dnx = 0.0f;
        for (int j = 0; j < e; j++) {
            float dn = w[j] * dy[j];
            dmean += dn;
            dnx += dn * (x[j] - m) * s;
        }
        dmean /= (float)e;
        dnx /= (float)e;
        for (int j = 0; j < e; j++) {
            float nx = (x[j] - m) * s;
            dx[j] += s * (w[j] * dy[j] - dmean - nx * dnx);
        }
    }
    /* dw, db: per column a sum over the rows in order, walked row by row
     * (contiguous) into column accumulators: the same sums as column by
     * column, without striding through memory. */
    enum { CHUNK = 256 };
    for (int j0 = 0; j0 < e; j0 += CHUNK) {
        int nj = e - j0 < CHUNK ? e - j0 : CHUNK;
        float sw[CHUNK] = {0}, sb[CHUNK] = {0};
        for (int n = 0; n < N; n++) {
            const float *dy = dout + (size_t)n * e + j0, *x = inp + (size_t)n * e + j0;
            float m = mean[n], s = rstd[n];
            for (int j = 0; j < nj; j++) {
                sw[j] += dy[j] * (x[j] - m) * s;
                sb[j] += dy[j];
            }
        }
        for (int j = 0; j < nj; j++) {
            dw[j0 + j] += sw[j];
            db[j0 + j] += sb[j];
        }
    }
}

/* ---- linear ------------------------------------------------------------- */

void sn_linear_forward(float *out, int ldo, const float *inp, int ldi, const float *W, int ldw, const float *bias,
                       int N, int n_out, int n_in, float beta)
{
    sn_sgemm(0, 1, N, n_out, n_in, 1.0f, inp, ldi, W, ldw, beta, out, ldo);
    if (!bias) return;
#pragma omp parallel for schedule(static) if ((size_t)N * n_out >= SN_PAR_MIN_WORK)
    for (int n = 0; n < N; n++) {
        float *o = out + (size_t)n * ldo;
        for (int j = 0; j < n_out; j++) o[j] += bias[j];
    }
}

void sn_linear_backward(float *dinp, int ldi, float dinp_beta, float *dW, int ldw, float *db, const float *dout,
                        int ldo, const float *inp, const float *W, int N, int n_out, int n_in)
{
    if (dinp)
        sn_sgemm(0, 0, N, n_in, n_out, 1.0f, dout, ldo, W, ldw, dinp_beta,
                    dinp, ldi);
    sn_sgemm(1, 0, n_out, n_in, N, 1.0f, dout, ldo, inp, ldi, 1.0f, dW, ldw);
    if (!db) return;
    /* column sums over the rows in order, walked row by row (see layernorm) */
    enum { CHUNK = 256 };
    for (int j0 = 0; j0 < n_out; j0 += CHUNK) {
        int nj = n_out - j0 < CHUNK ? n_out - j0 : CHUNK;
        float acc[CHUNK] = {0};
        for (int n = 0; n < N; n++) {
            const float *d = dout + (size_t)n * ldo + j0;
            for (int j = 0; j < nj; j++) acc[j] += d[j];
        }
        for (int j = 0; j < nj; j++) db[j0 + j] += acc[j];
    }
}

/* ---- rotary embedding --------------------------------------------------- */

void sn_rope_tables(float *cos_t, float *sin_t, int T, int rot)
{
    int half = rot / 2;
    for (int t = 0; t < T; t++)
        for (int i = 0; i < half; i++) {
            double theta = pow((double)SN_ROPE_BASE, -2.0 * i / rot);
            cos_t[(size_t)t * half + i] = (float)cos(t * theta);
            sin_t[(size_t)t * half + i] = (float)sin(t * theta);
        }
}

void sn_rope_apply(float *x, int ld, const float *cos_t, const float *sin_t, int N, int T, int n_head, int hs, int rot,
                   int sign)
{
    int half = rot / 2;
    if (half == 0) return;
#pragma omp parallel for schedule(static) if ((size_t)N * (size_t)n_head * rot >= SN_PAR_MIN_WORK)
    for (int n = 0; n < N; n++) {
        const float *c = cos_t + (size_t)(n % T) * half, *s = sin_t + (size_t)(n % T) * half;
        for (int h = 0; h < n_head; h++) {
            float *v = x + (size_t)n * ld + (size_t)h * hs;
            for (int i = 0; i < half; i++) {
                float x1 = v[i], x2 = v[i + half], si = sign > 0 ? s[i] : -s[i];
                v[i] = x1 * c[i] - x2 * si;
                v[i + half] = x2 * c[i] + x1 * si;
            }
        }
    }
}

/* ---- attention ---------------------------------------------------------- */

int sn_attention_slots(void)
{
    if (strcmp(sn_blas_parallel(), "openmp") != 0) return 1;
    int n = omp_get_max_threads();
    return n > 1 ? n : 1;
}

/* Rows i0..i1-1 of a causal block: softmax of row i over columns 0..i, zero
 * on columns i+1..i1-1.  On the thread of its (sequence, head) pair. */
static void causal_softmax_rows(float *S, int ldS, int i0, int i1)
{
    for (int i = i0; i < i1; i++) {
        float *row = S + (size_t)(i - i0) * ldS;
        float mx = row[0];
        for (int j = 1; j <= i; j++) mx = row[j] > mx ? row[j] : mx;
        float sum = 0.0f;
        for (int j = 0; j <= i; j++) { row[j] = expf(row[j] - mx); sum += row[j]; }
        float inv = 1.0f / sum;
        for (int j = 0; j <= i; j++) row[j] *= inv;
        for (int j = i + 1; j < i1; j++) row[j] = 0.0f;
    }
}

/* One thread's scratch: a block of (min(T, SN_ATT_BLOCK), T). */
static size_t block_floats(int T) { return (size_t)(T < SN_ATT_BLOCK ? T : SN_ATT_BLOCK) * (size_t)T; }

size_t sn_attention_scratch_floats(int slots, int T) { return (size_t)slots * block_floats(T); }

/* Threads for P (sequence, head) pairs with `slots` scratch blocks. */
static int pair_threads(int slots, int pairs)
{
    int n = slots < pairs ? slots : pairs;
    return n > 1 ? n : 1;
}

void sn_attention_forward(float *y, float *att, size_t att_stride, int slots, const float *q, const float *k,
                          const float *v, int lda, int B, int T, int n_head, int hs)
{
    float scale = 1.0f / sqrtf((float)hs);
    int pairs = B * n_head, nthr = pair_threads(slots, pairs);
    size_t blk = block_floats(T);
#pragma omp parallel for schedule(static) num_threads(nthr) if (nthr > 1)
    for (int p = 0; p < pairs; p++) {
        int b = p / n_head, h = p % n_head;
        size_t base = (size_t)b * T * lda + (size_t)h * hs;
        const float *Q = q + base, *K = k + base, *V = v + base;
        float *Y = y + base;
        float *P = att_stride ? att + (size_t)p * att_stride : att + (size_t)omp_get_thread_num() * blk;
        for (int i0 = 0; i0 < T; i0 += SN_ATT_BLOCK) {
            int i1 = i0 + SN_ATT_BLOCK < T ? i0 + SN_ATT_BLOCK : T;
            float *S = att_stride ? P + (size_t)i0 * T : P;
            /* S (i1-i0, i1) = scale Q[i0:i1] K[0:i1]^T */
            sn_sgemm(0, 1, i1 - i0, i1, hs, scale, Q + (size_t)i0 * lda, lda, K, lda, 0.0f, S, T);
            causal_softmax_rows(S, T, i0, i1);
            /* Y[i0:i1] = S V[0:i1] */
            sn_sgemm(0, 0, i1 - i0, hs, i1, 1.0f, S, T, V, lda, 0.0f, Y + (size_t)i0 * lda, lda);
        }
    }
}

void sn_attention_backward(float *dq, float *dk, float *dv, float *dscratch, int slots, const float *dy,
                           const float *att, const float *q, const float *k, const float *v, int lda, int B, int T,
                           int n_head, int hs)
{
    float scale = 1.0f / sqrtf((float)hs);
    int pairs = B * n_head, nthr = pair_threads(slots, pairs);
    size_t blk = block_floats(T);
#pragma omp parallel for schedule(static) num_threads(nthr) if (nthr > 1)
    for (int p = 0; p < pairs; p++) {
        int b = p / n_head, h = p % n_head;
        size_t base = (size_t)b * T * lda + (size_t)h * hs;
        const float *Q = q + base, *K = k + base, *V = v + base, *dY = dy + base;
        float *dQ = dq + base, *dK = dk + base, *dV = dv + base;
        const float *P = att + (size_t)p * (size_t)T * T;
        float *dS = dscratch + (size_t)omp_get_thread_num() * blk;
        for (int t = 0; t < T; t++) {
            memset(dK + (size_t)t * lda, 0, sizeof(float) * (size_t)hs);
            memset(dV + (size_t)t * lda, 0, sizeof(float) * (size_t)hs);
        }
        for (int i0 = 0; i0 < T; i0 += SN_ATT_BLOCK) {
            int i1 = i0 + SN_ATT_BLOCK < T ? i0 + SN_ATT_BLOCK : T, m = i1 - i0;
            const float *Pb = P + (size_t)i0 * T;
            /* dV[0:i1] += P^T dY[i0:i1];  dP = dY[i0:i1] V[0:i1]^T */
            sn_sgemm(1, 0, i1, hs, m, 1.0f, Pb, T, dY + (size_t)i0 * lda, lda, 1.0f, dV, lda);
            sn_sgemm(0, 1, m, i1, hs, 1.0f, dY + (size_t)i0 * lda, lda, V, lda, 0.0f, dS, T);
            /* softmax backward: dS = P (dP - sum_j P dP), times the scale */
            for (int i = i0; i < i1; i++) {
                const float *pr = Pb + (size_t)(i - i0) * T;
                float *d = dS + (size_t)(i - i0) * T;
                float dot = 0.0f;
                for (int j = 0; j <= i; j++) dot += pr[j] * d[j];
                for (int j = 0; j <= i; j++) d[j] = scale * pr[j] * (d[j] - dot);
                for (int j = i + 1; j < i1; j++) d[j] = 0.0f;
            }
            /* dQ[i0:i1] = dS K[0:i1];  dK[0:i1] += dS^T Q[i0:i1] */
            sn_sgemm(0, 0, m, hs, i1, 1.0f, dS, T, K, lda, 0.0f, dQ + (size_t)i0 * lda, lda);
            sn_sgemm(1, 0, i1, hs, m, 1.0f, dS, T, Q + (size_t)i0 * lda, lda, 1.0f, dK, lda);
        }
    }
}

/* ---- gated MLP nonlinearity --------------------------------------------- */

void sn_swiglu_forward(float *g, const float *h1, const float *h2, size_t n)
{
#pragma omp parallel for schedule(static) if (n >= SN_PAR_MIN_WORK)
    for (size_t i = 0; i < n; i++) {
        float a = h1[i];
        g[i] = a / (1.0f + expf(-a)) * h2[i];
    }
}

void sn_swiglu_backward(float *dh1, float *dh2, const float *dg, const float *h1, const float *h2, size_t n)
{
#pragma omp parallel for schedule(static) if (n >= SN_PAR_MIN_WORK)
    for (size_t i = 0; i < n; i++) {
        float a = h1[i], sg = 1.0f / (1.0f + expf(-a)), silu = a * sg;
        dh2[i] = dg[i] * silu;
        dh1[i] = dg[i] * h2[i] * sg * (1.0f + a * (1.0f - sg));
    }
}

/* ---- cross-entropy ------------------------------------------------------ */

double sn_crossentropy_forward(float *losses, const float *logits, const int32_t *targets, int N, int V)
{
#pragma omp parallel for schedule(static) if ((size_t)N * V >= SN_PAR_MIN_WORK)
    for (int n = 0; n < N; n++) {
        const float *z = logits + (size_t)n * V;
        float mx = z[0];
        for (int j = 1; j < V; j++) mx = z[j] > mx ? z[j] : mx;
        double sum = 0.0;
        for (int j = 0; j < V; j++) sum += expf(z[j] - mx);
        losses[n] = (float)(log(sum) + mx - z[targets[n]]);
    }
    double total = 0.0;
    for (int n = 0; n < N; n++) total += losses[n];
    return total / N;
}

void sn_crossentropy_backward(float *logits, const int32_t *targets, int N, int V, float scale)
{
#pragma omp parallel for schedule(static) if ((size_t)N * V >= SN_PAR_MIN_WORK)
    for (int n = 0; n < N; n++) {
        float *z = logits + (size_t)n * V;
        float mx = z[0];
        for (int j = 1; j < V; j++) mx = z[j] > mx ? z[j] : mx;
        float sum = 0.0f;
        for (int j = 0; j < V; j++) { z[j] = expf(z[j] - mx); sum += z[j]; }
        float inv = scale / sum;
        for (int j = 0; j < V; j++) z[j] *= inv;
        z[targets[n]] -= scale;
    }
}
