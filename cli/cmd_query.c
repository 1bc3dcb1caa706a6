/* hwnas query — metrics of architectures given as arch strings, one JSON
 * object per input line (blank lines skipped), in input order:
 *   {"arch": "gpt-s-...", "params": 148591104, "flops": ..., "macs": ...}
 * Integer metrics are printed exactly; metrics with a predictive distribution
 * add "<name>_std" and "<name>_noise_std". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmark/backends.h"
#include "space/analytic.h"
#include "space/space.h"
#include "cli/commands.h"
#include "core/json.h"
#include "core/lines.h"
#include "core/util.h"
#include "surrogates/surrogate.h"
#include "surrogates/hwgpt_mlp.h"
#include "supernet/supernet_backend.h"

#define MAX_METRICS 64

/* The backends a query draws from, in priority order: HW-GPT-Bench's
 * predictor first when selected (its "perplexity" wins), then the surrogate
 * and analytic backends; with --backend supernet, the supernet backend
 * (measured on a checkpoint) and the analytic one. */
static int query_backends(int hwgpt_mlp, int supernet, const hw_backend **use)
{
    int n = 0;
    if (supernet) {
        use[n++] = &hw_supernet_backend;
        use[n++] = &hw_analytic_backend;
        return n;
    }
    if (hwgpt_mlp) use[n++] = &hw_hwgpt_mlp_backend;
    use[n++] = &hw_surrogate_backend;
    use[n++] = &hw_analytic_backend;
    return n;
}

static void query_usage(FILE *f)
{
    char list[512];
    const hw_backend *use[HW_MAX_BACKENDS];
    int n_use = query_backends(0, 0, use);
    hw_metric_list(use, n_use, list, sizeof list);
    fprintf(f,
            "usage: hwnas query --arch-file F [--scale s|m|l] [--metrics M1,M2,...] [--device D]\n"
            "                   [--models DIR] [--predictor hwgpt-mlp [--checkpoint PATH]]\n"
            "       hwnas query --backend supernet --arch-file F [--checkpoint CKPT] [--metrics ...]\n"
            "\n"
            "Print the metrics of each architecture in F (one arch string per line,\n"
            "'-' = standard input) as one JSON object per line, in input order.\n"
            "\n"
            "  --arch-file F   input file (plain or gzip)\n"
            "  --scale S       require every arch to be of scale S (default: any)\n"
            "  --metrics LIST  comma-separated metrics (default: params,flops,macs;\n"
            "                  perplexity,params,latency with --backend supernet)\n"
            "                  available: %s\n"
            "  --device D      device of per-device metrics (latency, energy); a metric\n"
            "                  may name its own: latency@a100,latency@h100 (keys as written)\n"
            "  --models DIR    surrogate model directory (default: HWNAS_MODELS, else the\n"
            "                  installed share/hwnas/models, else the source tree's)\n"
            "Surrogate metrics (perplexity, latency in ms, energy in Wh) add <name>_std\n"
            "(total predictive std) and <name>_noise_std (measurement noise).\n"
            "  --predictor hwgpt-mlp  'perplexity' from HW-GPT-Bench's MLP predictor\n"
            "  --checkpoint P  its checkpoint (default: DATA/predictors/perplexity_<scale>.pt;\n"
            "                  without --scale the scale comes from the checkpoint)\n"
            "  --backend supernet  perplexity, params and latency measured on a trained\n"
            "                  supernet checkpoint (docs/supernet.md): perplexity over %d\n"
            "                  validation windows, latency timed on this CPU (ms, median of %d);\n"
            "                  scales xs, xxs, s, m, l; analytic metrics besides\n"
            "  --checkpoint P  with --backend supernet: the checkpoint (default: %s,\n"
            "                  else the installed share/hwnas/supernet/xs.ckpt, else the\n"
            "                  source tree's supernet/models/xs.ckpt)\n",
            list, SN_BACKEND_EVAL_WINDOWS, SN_BACKEND_LATENCY_RUNS, SN_CKPT_ENV);
}

/* One entry of --metrics: "METRIC" or "METRIC@DEVICE" (a per-device metric
 * on its own device, as in problem configs: benchmark/hwgpt.h). */
typedef struct {
    char text[64];     /* as written */
    char device[64];   /* after '@'; empty: --device */
    char key[96];      /* its output name: the metric's, or "metric@device" (canonical device) */
} query_metric;

static int parse_metrics(const char *spec, const hw_backend *const *use, int n_use, const hw_metric **out,
                         query_metric *qm, int *n, hw_err *e)
{
    char devices[MAX_METRICS][HW_METRIC_DEVICE_LEN], texts[MAX_METRICS][HW_METRIC_DEVICE_LEN];
    int rc = hw_metric_list_parse(spec, "--metrics", use, n_use, NULL, 0, out, devices, texts, MAX_METRICS, n, e);
    if (rc) return rc;
    for (int i = 0; i < *n; i++) {
        snprintf(qm[i].text, sizeof qm[i].text, "%s", texts[i]);
        snprintf(qm[i].device, sizeof qm[i].device, "%s", devices[i]);
        snprintf(qm[i].key, sizeof qm[i].key, "%s", out[i]->name);
    }
    return HW_OK;
}

/* The options as the backends' config object {"device", "models",
 * "checkpoint"}: the same keys a problem config gives them. */
static cJSON *query_config(const char *device, const char *models_dir, const char *checkpoint)
{
    cJSON *cfg = cJSON_CreateObject();
    if (!cfg) return NULL;
    if ((device && !cJSON_AddStringToObject(cfg, "device", device)) ||
        (models_dir && !cJSON_AddStringToObject(cfg, "models", models_dir)) ||
        (checkpoint && !cJSON_AddStringToObject(cfg, "checkpoint", checkpoint))) {
        cJSON_Delete(cfg);
        return NULL;
    }
    return cfg;
}

/* Errors of the backends name config keys ("query.device: ..."): say the
 * option instead ("--device: ..."). */
static void key_to_option(hw_err *e)
{
    static const char prefix[] = "query.";
    size_t n = sizeof prefix - 1;
    if (strncmp(e->msg, prefix, n) != 0) return;
    char msg[HW_ERR_LEN];
    snprintf(msg, sizeof msg, "--%s", e->msg + n);
    snprintf(e->msg, sizeof e->msg, "%s", msg);
}

/* Opens the backends the metrics need (the predictor whenever selected) with
 * the same code as the hwgpt problem (benchmark/backends.h): env[i] is the
 * environment of metrics[i], a device view for those naming their device
 * (qm[i].key becomes "metric@device" with the device's canonical name, which
 * differs from the written one only in case: parse_metrics has refused one
 * metric on one device twice). */
static int query_env_open(const hw_metric *const *metrics, query_metric *qm, int n, const hw_backend *const *use,
                          int n_use, const char *device, const char *models_dir, const char *checkpoint,
                          const hw_space *sp, hw_backend_envs *envs, const void **env, hw_err *e)
{
    memset(envs, 0, sizeof *envs);
    const hw_backend *open[HW_MAX_BACKENDS];
    const hw_metric *on_device_option[MAX_METRICS];
    int n_open = 0, n_plain = 0;
    for (int k = 0; k < n_use; k++) {
        int needed = use[k] == &hw_hwgpt_mlp_backend;
        for (int i = 0; i < n; i++) needed |= strcmp(metrics[i]->backend, use[k]->name) == 0;
        if (needed) open[n_open++] = use[k];
    }
    for (int i = 0; i < n; i++) {
        if (qm[i].device[0]) continue;
        if ((metrics[i]->flags & HW_METRIC_PER_DEVICE) && !device)
            return hw_fail(e, HW_EINVAL, "metric '%s' needs --device (or name one: %s@DEVICE)", metrics[i]->name,
                           metrics[i]->name);
        on_device_option[n_plain++] = metrics[i];
    }
    /* the device (built-in or an own device of the models) is checked when
     * the surrogate backend opens */
    cJSON *cfg = query_config(device, models_dir, checkpoint);
    if (!cfg) return hw_fail(e, HW_ENOMEM, "out of memory");
    int rc = hw_backend_envs_open(envs, open, n_open, on_device_option, n_plain, cfg, "query", sp, e);
    cJSON_Delete(cfg);
    if (rc) {
        key_to_option(e);
        return rc;
    }
    for (int i = 0; i < n; i++) {
        env[i] = hw_backend_envs_get(envs, metrics[i]);
        if (!qm[i].device[0]) continue;
        const char *canonical;
        if ((rc = hw_backend_envs_device(envs, metrics[i], qm[i].device, &env[i], &canonical, e))) {
            hw_backend_envs_close(envs);
            return hw_err_prefix(e, "--metrics: '%s'", qm[i].text);
        }
        snprintf(qm[i].key, sizeof qm[i].key, "%s@%s", metrics[i]->name, canonical);
    }
    return HW_OK;
}

static void print_number(const hw_metric *m, double v)
{
    char buf[64];
    if ((m->flags & HW_METRIC_INTEGER) && v == v && v > -9007199254740992.0 && v < 9007199254740992.0)
        printf("%lld", (long long)v);
    else {
        hwj_format_double(buf, sizeof buf, v);
        fputs(buf, stdout);
    }
}

/* The non-blank lines of the arch file (trimmed), their line numbers, and
 * the one scale they all name when they do (else NULL; a line that does not
 * parse leaves it to the main loop to report). */
typedef struct {
    char path[1024];
    char **text;
    long *number;
    size_t n, cap;
    const hw_space *one_scale;
} query_lines;

static void query_lines_free(query_lines *q)
{
    for (size_t i = 0; i < q->n; i++) free(q->text[i]);
    free(q->text);
    free(q->number);
}

static int read_arch_lines(const char *arch_file, query_lines *q, hw_err *e)
{
    hw_lines *in;
    int rc = hw_lines_open(arch_file, &in, e);
    if (rc) return rc;
    snprintf(q->path, sizeof q->path, "%s", hw_lines_path(in));
    char *line;
    size_t len;
    int scale = -1, mixed = 0;
    while ((rc = hw_lines_next(in, &line, &len, e)) == 1) {
        while (len > 0 && isspace((unsigned char)line[len - 1])) line[--len] = 0;
        while (*line && isspace((unsigned char)*line)) line++;
        if (!*line) continue;
        if (q->n == q->cap) {
            size_t cap = q->cap ? 2 * q->cap : 256;
            char **t = realloc(q->text, cap * sizeof *t);
            if (t) q->text = t;
            long *nb = realloc(q->number, cap * sizeof *nb);
            if (nb) q->number = nb;
            if (!t || !nb) { rc = hw_fail(e, HW_ENOMEM, "%s: out of memory", q->path); break; }
            q->cap = cap;
        }
        if (!(q->text[q->n] = strdup(line))) { rc = hw_fail(e, HW_ENOMEM, "%s: out of memory", q->path); break; }
        q->number[q->n++] = hw_lines_number(in);
        hw_arch a;
        hw_err ignore = {0};
        if (hw_arch_parse(line, NULL, &a, &ignore) == HW_OK) {
            if (scale < 0) scale = a.scale;
            else if (a.scale != scale) mixed = 1;
        }
    }
    hw_lines_close(in);
    if (rc < 0) return rc;
    q->one_scale = scale >= 0 && !mixed ? hw_space_get(scale) : NULL;
    return HW_OK;
}

int cmd_query(int argc, char **argv)
{
    const char *arch_file = NULL, *scale = NULL, *metrics_spec = "params,flops,macs", *device = NULL;
    char models_buf[HW_PATH_MAX];
    const char *models_dir = hw_models_dir(models_buf, sizeof models_buf);
    const char *predictor = NULL, *checkpoint = NULL, *backend = NULL;
    int metrics_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { query_usage(stdout); return 0; }
        const char **dst = strcmp(a, "--arch-file") == 0 ? &arch_file
                         : strcmp(a, "--scale") == 0     ? &scale
                         : strcmp(a, "--metrics") == 0   ? &metrics_spec
                         : strcmp(a, "--device") == 0    ? &device
                         : strcmp(a, "--models") == 0    ? &models_dir
                         : strcmp(a, "--predictor") == 0 ? &predictor
                         : strcmp(a, "--checkpoint") == 0 ? &checkpoint
                         : strcmp(a, "--backend") == 0   ? &backend
                                                         : NULL;
        if (!dst) {
            fprintf(stderr, "hwnas query: unknown option '%s' (see 'hwnas query --help')\n", a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "hwnas query: %s needs a value\n", a);
            return 2;
        }
        *dst = argv[++i];
        metrics_given |= dst == &metrics_spec;
    }
    if (!arch_file) {
        fprintf(stderr, "hwnas query: --arch-file is required (see 'hwnas query --help')\n");
        return 2;
    }
    if (!*models_dir) {
        fprintf(stderr, "hwnas query: --models: empty directory name\n");
        return 2;
    }
    hw_err e = {0};
    const hw_space *sp = NULL;
    int supernet = backend && strcmp(backend, "supernet") == 0;
    if (backend && !supernet && strcmp(backend, "surrogate") != 0) {
        fprintf(stderr, "hwnas query: --backend: unknown backend '%s' (expected surrogate or supernet)\n", backend);
        return 2;
    }
    if (supernet && !metrics_given) metrics_spec = "perplexity,params,latency";
    if (supernet && (predictor || device)) {
        fprintf(stderr, "hwnas query: --backend supernet measures perplexity and latency itself: no %s\n",
                predictor ? "--predictor" : "--device");
        return 2;
    }
    if (supernet && scale && !(sp = hw_space_by_name(scale))) {
        fprintf(stderr, "hwnas query: --scale: unknown scale '%s' (expected s, m, l, xs or xxs)\n", scale);
        return 2;
    }
    if (!supernet && scale && hw_space_lookup(scale, &sp, &e)) {
        fprintf(stderr, "hwnas query: --scale: %s\n", e.msg);
        return 2;
    }
    if (predictor && strcmp(predictor, "hwgpt-mlp") != 0) {
        fprintf(stderr, "hwnas query: --predictor: unknown predictor '%s' (expected hwgpt-mlp)\n", predictor);
        return 2;
    }
    if (checkpoint && !predictor && !supernet) {
        fprintf(stderr, "hwnas query: --checkpoint needs --predictor hwgpt-mlp\n");
        return 2;
    }
    if (predictor && !checkpoint && !sp) {
        fprintf(stderr, "hwnas query: --predictor hwgpt-mlp needs --scale or --checkpoint\n");
        return 2;
    }
    /* The arch file is read whole first: when every arch is of one scale
     * (and --scale is not given), only that scale's models are loaded. */
    query_lines q = {0};
    int rc = read_arch_lines(arch_file, &q, &e);
    if (rc) {
        fprintf(stderr, "hwnas query: %s\n", e.msg);
        query_lines_free(&q);
        return hw_exit_code(rc);
    }
    const hw_space *load_sp = sp ? sp : q.one_scale;
    const hw_metric *metrics[MAX_METRICS];
    query_metric qm[MAX_METRICS];
    const hw_backend *use[HW_MAX_BACKENDS];
    int n_metrics = 0, n_use = query_backends(predictor != NULL, supernet, use);
    hw_backend_envs envs;
    const void *env[MAX_METRICS];
    if (parse_metrics(metrics_spec, use, n_use, metrics, qm, &n_metrics, &e) ||
        query_env_open(metrics, qm, n_metrics, use, n_use, device, models_dir, checkpoint, load_sp, &envs, env, &e)) {
        fprintf(stderr, "hwnas query: %s\n", e.msg);
        query_lines_free(&q);
        return hw_exit_code(e.code);
    }
    if (predictor && !sp) {  /* the scale of the checkpoint */
        const hwgpt_mlp *model = hw_backend_envs_get(&envs, hw_backend_row(&hw_hwgpt_mlp_backend, "perplexity"));
        sp = hw_space_get(model->scale);
    }
    int status = 0;
    for (size_t i = 0; i < q.n; i++) {
        char *line = q.text[i];
        hw_arch a;
        if (hw_arch_parse(line, sp, &a, &e)) {
            fflush(stdout);
            fprintf(stderr, "%s:%ld: %s\n", q.path, q.number[i], e.msg);
            status = 2;
            break;
        }
        char s[HW_ARCH_STRLEN];
        hw_arch_format(&a, s, sizeof s);
        printf("{\"arch\": \"%s\"", s);
        for (int k = 0; k < n_metrics; k++) {
            const hw_metric *m = metrics[k];
            hw_metric_value v;
            if (m->eval(m, env[k], &a, &v, &e)) {
                printf("}\n");
                fflush(stdout);
                fprintf(stderr, "%s:%ld: %s: %s\n", q.path, q.number[i], qm[k].key, e.msg);
                status = 1;
                break;
            }
            printf(", \"%s\": ", qm[k].key);
            print_number(m, v.mean);
            if (m->flags & HW_METRIC_HAS_STD) {
                printf(", \"%s_std\": ", qm[k].key);
                print_number(m, v.std);
                printf(", \"%s_noise_std\": ", qm[k].key);
                print_number(m, v.noise_std);
            }
        }
        if (status) break;
        printf("}\n");
    }
    query_lines_free(&q);
    hw_backend_envs_close(&envs);
    if (fflush(stdout) != 0 && !status) {
        fprintf(stderr, "hwnas query: cannot write the output\n");
        status = 1;
    }
    return status;
}
