/* runner/logschema.c — log writer and resume probe, see logschema.h. */
#include "runner/logschema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "runner/gzlines.h"

#ifndef HWNAS_GIT_COMMIT
#define HWNAS_GIT_COMMIT "unknown"
#endif

#define LOG_DESC_LEN 4096

const char *const HW_LOG_LEVEL_NAMES[] = {"all", "front", "summary", NULL};

static void utc_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "KEY": with the comma before it (first = 0) or the opening brace. */
static void key(hw_jbuf *b, const char *k, int first)
{
    hw_jbuf_puts(b, first ? "{\"" : ",\"");
    hw_jbuf_puts(b, k);
    hw_jbuf_puts(b, "\":");
}

void hw_logw_meta(hw_jbuf *b, const hw_problem *p, const hw_log_meta *m)
{
    char host[256] = "unknown", when[32];
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = 0;
    utc_now(when, sizeof when);
    char *cfg = cJSON_PrintUnformatted(m->config);
    key(b, HW_LOG_NAME, 1);
    hw_jbuf_str(b, m->name);
    key(b, HW_LOG_CONFIG, 0);
    hw_jbuf_puts(b, cfg ? cfg : "null");
    free(cfg);
    key(b, HW_LOG_SEED, 0);
    hw_jbuf_u64(b, m->seed);
    key(b, HW_LOG_PROBLEM, 0);
    hw_jbuf_str(b, p->name);
    key(b, HW_LOG_N_VAR, 0);
    hw_jbuf_u64(b, (uint64_t)p->n_var);
    key(b, HW_LOG_OBJECTIVES, 0);
    hw_jbuf_strs(b, p->obj_names, (size_t)p->n_obj);
    key(b, HW_LOG_OPTIMIZER, 0);
    hw_jbuf_str(b, m->optimizer);
    key(b, HW_LOG_BUDGET, 0);
    hw_jbuf_u64(b, (uint64_t)m->budget);
    key(b, HW_LOG_BATCH_SIZE, 0);
    hw_jbuf_u64(b, m->batch);
    key(b, HW_LOG_REF, 0);
    hw_jbuf_doubles(b, m->ref, (size_t)p->n_obj);
    if (p->obj_lo && p->obj_hi) {
        key(b, HW_LOG_OBJ_LO, 0);
        hw_jbuf_doubles(b, p->obj_lo, (size_t)p->n_obj);
        key(b, HW_LOG_OBJ_HI, 0);
        hw_jbuf_doubles(b, p->obj_hi, (size_t)p->n_obj);
    }
    if (m->n_files) {
        key(b, HW_LOG_FILES, 0);
        hw_jbuf_putc(b, '[');
        for (size_t i = 0; i < m->n_files; i++) {
            hw_jbuf_puts(b, i ? ",{\"path\":" : "{\"path\":");
            hw_jbuf_str(b, m->files[i].path);
            hw_jbuf_puts(b, ",\"bytes\":");
            hw_jbuf_u64(b, m->files[i].bytes);
            char hex[24];
            snprintf(hex, sizeof hex, "%016llx", (unsigned long long)m->files[i].fnv1a64);
            hw_jbuf_puts(b, ",\"fnv1a64\":");
            hw_jbuf_str(b, hex);
            hw_jbuf_putc(b, '}');
        }
        hw_jbuf_putc(b, ']');
    }
    key(b, "version", 0);
    hw_jbuf_str(b, HWNAS_VERSION);
    key(b, "git_commit", 0);
    hw_jbuf_str(b, HWNAS_GIT_COMMIT);
    key(b, "threads", 0);
    hw_jbuf_u64(b, (uint64_t)m->threads);
    key(b, "host", 0);
    hw_jbuf_str(b, host);
    key(b, "started_at", 0);
    hw_jbuf_str(b, when);
    hw_jbuf_puts(b, "}\n");
}

static int describe_into(const hw_problem *p, const double *x, char *buf, size_t n, hw_err *e)
{
    int len = p->describe(p, x, buf, n);
    if (len < 0 || (size_t)len >= n) return hw_fail(e, HW_ESTATE, "%s: cannot describe a genome", p->name);
    return HW_OK;
}

int hw_logw_evals(hw_jbuf *b, const hw_problem *p, const hw_batch_event *ev, hw_err *e)
{
    const size_t nv = (size_t)p->n_var, d = (size_t)p->n_obj;
    char desc[LOG_DESC_LEN];
    for (size_t i = 0; i < ev->n; i++) {
        key(b, HW_LOG_EVAL, 1);
        hw_jbuf_u64(b, ev->ids[i].index);
        key(b, HW_LOG_WALL_S, 0);
        hw_jbuf_seconds(b, ev->t_end[i]);
        if (p->describe) {
            int rc = describe_into(p, ev->x + i * nv, desc, sizeof desc, e);
            if (rc) return rc;
            key(b, HW_LOG_ARCH, 0);
            hw_jbuf_str(b, desc);
        } else {
            key(b, HW_LOG_X, 0);
            hw_jbuf_doubles(b, ev->x + i * nv, nv);
        }
        key(b, HW_LOG_F, 0);
        hw_jbuf_doubles(b, ev->f + i * d, d);
        key(b, HW_LOG_F_STD, 0);
        hw_jbuf_doubles(b, ev->f_std + i * d, d);
        hw_jbuf_puts(b, "}\n");
    }
    return HW_OK;
}

int hw_logw_summary(hw_jbuf *b, const hw_problem *p, const hw_log_summary *s, hw_err *e)
{
    const hw_pareto_archive *fr = s->front;
    const size_t d = (size_t)p->n_obj, nv = (size_t)p->n_var, nf = fr->size;
    char desc[LOG_DESC_LEN];
    key(b, HW_LOG_SUMMARY, 1);
    hw_jbuf_puts(b, "true");
    key(b, HW_LOG_EVALUATIONS, 0);
    hw_jbuf_u64(b, (uint64_t)s->evaluations);
    key(b, HW_LOG_FRONT, 0);
    hw_jbuf_putc(b, '[');
    for (size_t i = 0; i < nf; i++) {
        if (i) hw_jbuf_putc(b, ',');
        hw_jbuf_doubles(b, fr->f + i * d, d);
    }
    hw_jbuf_putc(b, ']');
    key(b, HW_LOG_FRONT_EVAL, 0);
    hw_jbuf_putc(b, '[');
    for (size_t i = 0; i < nf; i++) {
        if (i) hw_jbuf_putc(b, ',');
        hw_jbuf_u64(b, fr->id[i]);
    }
    hw_jbuf_putc(b, ']');
    key(b, p->describe ? HW_LOG_FRONT_ARCH : HW_LOG_FRONT_X, 0);
    hw_jbuf_putc(b, '[');
    for (size_t i = 0; i < nf; i++) {
        if (i) hw_jbuf_putc(b, ',');
        if (p->describe) {
            int rc = describe_into(p, fr->x + i * nv, desc, sizeof desc, e);
            if (rc) return rc;
            hw_jbuf_str(b, desc);
        } else
            hw_jbuf_doubles(b, fr->x + i * nv, nv);
    }
    hw_jbuf_putc(b, ']');
    key(b, HW_LOG_HYPERVOLUME, 0);
    hw_jbuf_double(b, s->hypervolume);
    if (s->has_hv_true) {
        key(b, HW_LOG_HYPERVOLUME_TRUE, 0);
        hw_jbuf_double(b, s->hv_true);
    }
    if (s->has_igd) {
        key(b, HW_LOG_IGD, 0);
        hw_jbuf_double(b, s->igd);
        key(b, HW_LOG_IGD_PLUS, 0);
        hw_jbuf_double(b, s->igd_plus);
    }
    if (s->has_hv_mean) {
        key(b, HW_LOG_HYPERVOLUME_MEAN, 0);
        hw_jbuf_double(b, s->hv_mean);
    }
    if (s->level != HW_LOG_LEVEL_ALL) {
        key(b, HW_LOG_LEVEL, 0);
        hw_jbuf_str(b, HW_LOG_LEVEL_NAMES[s->level]);
        key(b, HW_LOG_LINES, 0);
        hw_jbuf_u64(b, s->log_lines);
    }
    char when[32];
    utc_now(when, sizeof when);
    key(b, "finished_at", 0);
    hw_jbuf_str(b, when);
    key(b, HW_LOG_WALL_S, 0);
    hw_jbuf_seconds(b, s->wall_s);
    key(b, HW_LOG_BYTES, 0);
    hw_jbuf_u64(b, s->log_bytes);
    key(b, HW_LOG_CRC32C, 0);
    hw_jbuf_u64(b, s->log_crc32c);
    hw_jbuf_puts(b, "}\n");
    return HW_OK;
}

/* CRC-32C, bit by bit (reflected polynomial 0x82F63B78): where the CPU has
 * no CRC instruction. */
static uint32_t crc32c_soft(uint32_t crc, const unsigned char *p, size_t n)
{
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return crc;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(uint32_t crc, const unsigned char *p, size_t n)
{
    uint64_t c = crc;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
    }
    uint32_t c32 = (uint32_t)c;
    for (; n; n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}
#endif

uint32_t hw_crc32c(uint32_t crc, const void *p, size_t n)
{
    crc = ~crc;
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("sse4.2")) return ~crc32c_sse42(crc, p, n);
#endif
    return ~crc32c_soft(crc, p, n);
}

/* The summary's own count of what precedes it matches what was read: its
 * evaluation lines are "log_lines" when present (levels front, summary),
 * else "evaluations". */
static int summary_matches(const cJSON *sum, uint64_t bytes, uint32_t crc, uint64_t eval_lines)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_BYTES);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_CRC32C);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_LINES);
    if (!n) n = cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_EVALUATIONS);
    return cJSON_IsNumber(b) && cJSON_IsNumber(c) && cJSON_IsNumber(n) && b->valuedouble == (double)bytes &&
           c->valuedouble == (double)crc && n->valuedouble == (double)eval_lines;
}

int hw_log_probe_read(const char *path, hw_log_probe *pr)
{
    memset(pr, 0, sizeof *pr);
    hw_gzlines f;
    if (hw_gzlines_open(&f, path) != 0) return 0;
    char *line = NULL, *last = NULL;
    size_t last_cap = 0, last_len = 0;
    ssize_t len;
    uint64_t n_lines = 0, bytes = 0;
    uint32_t crc = 0;
    while ((len = hw_gzlines_next(&f, &line)) > 0) {
        n_lines++;
        if (n_lines == 1) pr->meta = cJSON_Parse(line);
        /* the previous last line is not the last one: it joins the checksum */
        if (n_lines > 1) {
            crc = hw_crc32c(crc, last, last_len);
            bytes += last_len;
        }
        if ((size_t)len + 1 > last_cap) {
            char *nl = realloc(last, (size_t)len + 1);
            if (!nl) { n_lines = 0; break; }
            last = nl;
            last_cap = (size_t)len + 1;
        }
        memcpy(last, line, (size_t)len + 1);
        last_len = (size_t)len;
    }
    int bad = f.error;
    hw_gzlines_close(&f);
    cJSON *sum = !bad && n_lines >= 2 && last_len == strlen(last) ? cJSON_Parse(last) : NULL;
    free(last);
    if (sum && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, HW_LOG_SUMMARY))) {
        pr->summary = sum;
        pr->verified = summary_matches(sum, bytes, crc, n_lines - 2);
    } else
        cJSON_Delete(sum);
    return 1;
}

void hw_log_probe_free(hw_log_probe *pr)
{
    cJSON_Delete(pr->meta);
    cJSON_Delete(pr->summary);
    memset(pr, 0, sizeof *pr);
}
