/* hwnas query — metrics of architectures given as arch strings, one JSON
 * object per input line (blank lines skipped), in input order:
 *   {"arch": "gpt-s-...", "params": 148591104, "flops": ..., "macs": ...}
 * Integer metrics are printed exactly; metrics with a predictive distribution
 * add "<name>_std" and "<name>_noise_std". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmark/metrics.h"
#include "space/space.h"
#include "cli/commands.h"
#include "core/json.h"
#include "core/lines.h"
#include "core/util.h"
#include "surrogates/surrogate.h"
#include "surrogates/hwgpt_mlp.h"

#define MAX_METRICS 64

static void query_usage(FILE *f)
{
    char list[512];
    hw_metric_list(-1, list, sizeof list);
    fprintf(f,
            "usage: hwnas query --arch-file F [--scale s|m|l] [--metrics M1,M2,...] [--device D]\n"
            "                   [--models DIR] [--predictor hwgpt-mlp [--checkpoint PATH]]\n"
            "\n"
            "Print the metrics of each architecture in F (one arch string per line,\n"
            "'-' = standard input) as one JSON object per line, in input order.\n"
            "\n"
            "  --arch-file F   input file (plain or gzip)\n"
            "  --scale S       require every arch to be of scale S (default: any)\n"
            "  --metrics LIST  comma-separated metrics (default: params,flops,macs)\n"
            "                  available: %s\n"
            "  --device D      device of per-device metrics (latency, energy)\n"
            "  --models DIR    surrogate model directory (default: HWNAS_MODELS, else the\n"
            "                  shipped surrogates/models)\n"
            "Surrogate metrics (perplexity, latency in ms, energy in Wh) add <name>_std\n"
            "(total predictive std) and <name>_noise_std (measurement noise).\n"
            "  --predictor hwgpt-mlp  'perplexity' from HW-GPT-Bench's MLP predictor\n"
            "  --checkpoint P  its checkpoint (default: DATA/predictors/perplexity_<scale>.pt;\n"
            "                  without --scale the scale comes from the checkpoint)\n",
            list);
}

/* Everything the metrics need besides the arch.  Analytic metrics need
 * nothing; per-device metrics get the device here, and the surrogate backend
 * loads its models into env->models here. */
static int query_env_setup(const hw_metric *const *metrics, int n, const char *device, const hw_space *sp,
                           const char *models_dir, hw_metric_env *env, hw_err *e)
{
    memset(env, 0, sizeof *env);
    env->device = device;
    int need_models = 0;
    for (int i = 0; i < n; i++) {
        if ((metrics[i]->flags & HW_METRIC_PER_DEVICE) && !device)
            return hw_fail(e, HW_EINVAL, "metric '%s' needs --device", metrics[i]->name);
        if (metrics[i]->backend == HW_BACKEND_SURROGATE && metrics[i] != &hwgpt_mlp_perplexity_metric) need_models = 1;
    }
    if (device) {
        int dev;
        if (sur_device_lookup(device, &dev, e)) return hw_err_prefix(e, "--device");
    }
    if (need_models) {
        sur_models *ms;
        int rc = sur_models_load(models_dir, sp ? sp->scale : -1, device, &ms, e);
        if (rc) return rc;
        env->models = ms;
        env->free_models = sur_models_free;
        /* every per-device surrogate metric must exist for this device */
        for (int i = 0; i < n; i++)
            for (int sc = 0; sc < HW_N_SCALES; sc++)
                if (metrics[i]->backend == HW_BACKEND_SURROGATE && metrics[i] != &hwgpt_mlp_perplexity_metric && ms->set[sc] &&
                    !surrogate_has(ms->set[sc], metrics[i]->arg, metrics[i]->arg == 0 ? 0 : ms->device)) {
                    rc = hw_fail(e, HW_EINVAL, "no surrogate model for %s on device %s", metrics[i]->name,
                                 SUR_DEVICE_NAMES[ms->device]);
                    sur_models_free(ms);
                    memset(env, 0, sizeof *env);
                    return rc;
                }
    }
    return HW_OK;
}

static int parse_metrics(const char *spec, int hwgpt_mlp, const hw_metric **out, int *n, hw_err *e)
{
    *n = 0;
    const char *p = spec;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        char name[64];
        if (len == 0 || len >= sizeof name) {
            char shown[72];
            hwj_abbrev(shown, sizeof shown, spec);
            return hw_fail(e, HW_EINVAL, "--metrics: empty or overlong metric name in '%s'", shown);
        }
        memcpy(name, p, len);
        name[len] = 0;
        if (*n == MAX_METRICS) return hw_fail(e, HW_EINVAL, "--metrics: more than %d metrics", MAX_METRICS);
        int rc = HW_OK;
        if (hwgpt_mlp && strcmp(name, "perplexity") == 0) out[*n] = &hwgpt_mlp_perplexity_metric;
        else rc = hw_metric_lookup(name, -1, &out[*n], e);
        if (rc) return rc;
        for (int k = 0; k < *n; k++)
            if (out[k] == out[*n]) return hw_fail(e, HW_EINVAL, "--metrics: '%s' is listed twice", name);
        (*n)++;
        if (!c) break;
        p = c + 1;
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

int cmd_query(int argc, char **argv)
{
    const char *arch_file = NULL, *scale = NULL, *metrics_spec = "params,flops,macs", *device = NULL;
    const char *models_dir = hw_default_models_dir();
    const char *predictor = NULL, *checkpoint = NULL;
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
    if (scale && hw_space_lookup(scale, &sp, &e)) {
        fprintf(stderr, "hwnas query: --scale: %s\n", e.msg);
        return 2;
    }
    if (predictor && strcmp(predictor, "hwgpt-mlp") != 0) {
        fprintf(stderr, "hwnas query: --predictor: unknown predictor '%s' (expected hwgpt-mlp)\n", predictor);
        return 2;
    }
    if (checkpoint && !predictor) {
        fprintf(stderr, "hwnas query: --checkpoint needs --predictor hwgpt-mlp\n");
        return 2;
    }
    if (predictor && !checkpoint && !sp) {
        fprintf(stderr, "hwnas query: --predictor hwgpt-mlp needs --scale or --checkpoint\n");
        return 2;
    }
    const hw_metric *metrics[MAX_METRICS];
    int n_metrics = 0;
    hw_metric_env env;
    if (parse_metrics(metrics_spec, predictor != NULL, metrics, &n_metrics, &e) ||
        query_env_setup(metrics, n_metrics, device, sp, models_dir, &env, &e)) {
        fprintf(stderr, "hwnas query: %s\n", e.msg);
        return hw_exit_code(e.code);
    }
    if (predictor) {
        hwgpt_mlp *model;
        int lrc = checkpoint ? hwgpt_mlp_load(checkpoint, sp ? sp->scale : -1, &model, &e)
                             : hwgpt_mlp_load_default(hw_default_data_dir(), sp->scale, &model, &e);
        if (lrc) {
            fprintf(stderr, "hwnas query: %s%s\n", checkpoint ? "--checkpoint: " : "", e.msg);
            if (env.free_models) env.free_models(env.models);
            return hw_exit_code(lrc);
        }
        env.hwgpt_mlp = model;
        if (!sp) sp = hw_space_get(model->scale);
    }
    hw_lines *in;
    int rc = hw_lines_open(arch_file, &in, &e);
    if (rc) {
        fprintf(stderr, "hwnas query: %s\n", e.msg);
        if (env.free_models) env.free_models(env.models);
        hwgpt_mlp_free(env.hwgpt_mlp);
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
        if (hw_arch_parse(line, sp, &a, &e)) {
            fflush(stdout);
            fprintf(stderr, "%s:%ld: %s\n", hw_lines_path(in), hw_lines_number(in), e.msg);
            status = 2;
            break;
        }
        char s[HW_ARCH_STRLEN];
        hw_arch_format(&a, s, sizeof s);
        printf("{\"arch\": \"%s\"", s);
        for (int k = 0; k < n_metrics; k++) {
            const hw_metric *m = metrics[k];
            hw_metric_value v;
            if (m->eval(m, &env, &a, &v, &e)) {
                printf("}\n");
                fflush(stdout);
                fprintf(stderr, "%s:%ld: %s: %s\n", hw_lines_path(in), hw_lines_number(in), m->name, e.msg);
                status = 1;
                break;
            }
            printf(", \"%s\": ", m->name);
            print_number(m, v.mean);
            if (m->flags & HW_METRIC_HAS_STD) {
                printf(", \"%s_std\": ", m->name);
                print_number(m, v.std);
                printf(", \"%s_noise_std\": ", m->name);
                print_number(m, v.noise_std);
            }
        }
        if (status) break;
        printf("}\n");
    }
    if (rc < 0) {
        fprintf(stderr, "hwnas query: %s\n", e.msg);
        status = hw_exit_code(rc);
    }
    hw_lines_close(in);
    if (env.free_models) env.free_models(env.models);
    hwgpt_mlp_free(env.hwgpt_mlp);
    if (fflush(stdout) != 0 && !status) {
        fprintf(stderr, "hwnas query: cannot write the output\n");
        status = 1;
    }
    return status;
}
