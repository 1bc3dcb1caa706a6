/* fuzz/fuzz_json.c — libFuzzer harness for core/json.c's text rules (not part
 * of the default build).  Invariants: a text hwj_parse accepts has only
 * valid UTF-8 keys and strings, and cJSON's printing of it is accepted again
 * and prints the same; a rejected text gets one line of valid UTF-8; and
 * hwj_quote_string of any input is a JSON string hwj_parse accepts, which
 * reads back as the input when that is valid UTF-8.  Build and run:
 *   clang -std=c11 -O1 -g -D_DEFAULT_SOURCE -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -I. fuzz/fuzz_json.c core/json.c core/error.c \
 *       -lcjson -lz -lm -o build-fuzz/fuzz_json
 *   mkdir -p build-fuzz/json && cp experiments/[a-z]*.json build-fuzz/json/ &&
 *   build-fuzz/fuzz_json -max_total_time=180 -max_len=2048 build-fuzz/json */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

/* Aborts unless every key and string under n is valid UTF-8. */
static void walk(const cJSON *n)
{
    for (; n; n = n->next) {
        if (n->string && hwj_utf8_invalid_at(n->string, strlen(n->string)) != strlen(n->string)) abort();
        if (cJSON_IsString(n) && hwj_utf8_invalid_at(n->valuestring, strlen(n->valuestring)) != strlen(n->valuestring))
            abort();
        walk(n->child);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    cJSON *j = NULL;
    hw_err e = {0};
    if (hwj_parse(s, "f", &j, &e) == HW_OK) {
        walk(j);
        /* round trip: cJSON's printer on a checked tree must give text hwj_parse accepts */
        char *out = cJSON_PrintUnformatted(j);
        cJSON *k = NULL;
        if (out && hwj_parse(out, "g", &k, &e) != HW_OK) abort();
        char *again = k ? cJSON_PrintUnformatted(k) : NULL;
        if (k && (!again || strcmp(again, out) != 0)) abort();
        free(again);
        cJSON_Delete(k);
        free(out);
        cJSON_Delete(j);
    } else {
        size_t n = strlen(e.msg);
        if (strchr(e.msg, '\n') || hwj_utf8_invalid_at(e.msg, n) != n) abort();
    }
    char q[256];
    size_t need = hwj_quote_string(q, sizeof q, s);
    if (need < sizeof q) {
        cJSON *k = NULL;
        if (hwj_parse(q, "q", &k, &e) != HW_OK) abort();
        if (hwj_utf8_invalid_at(s, strlen(s)) == strlen(s) && strcmp(k->valuestring, s)) abort();
        cJSON_Delete(k);
    }
    free(s);
    return 0;
}
