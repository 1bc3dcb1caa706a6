/* surrogates/model_internal.h — what the model's fit, file and prediction
 * code share, private to surrogates/model_*.c (the contract is model.h): a
 * model's linear base value, its tree input and the blend ridge's value,
 * inline so the prediction path keeps them inlined. */
#ifndef HWNAS_SURROGATES_MODEL_INTERNAL_H
#define HWNAS_SURROGATES_MODEL_INTERNAL_H

#include <math.h>
#include <string.h>

#include "surrogates/model.h"

/* The base (linear) prediction of model m, natural units, at least m->floor. */
static inline double base_value(const sur_model *m, const sur_input *in)
{
    double b = 0;
    const double *w = m->lin + ((m->flags & SUR_FLAG_SHARED) ? 0 : in->embed_index * m->lin_n);
    const double *z = (m->flags & SUR_FLAG_COARSE) ? in->zc : in->z;
    for (int k = 0; k < m->lin_n; k++) b += w[k] * z[k];
    if (m->flags & SUR_FLAG_LOGBASE) b = exp(b);
    return b > m->floor ? b : m->floor;
}

/* The blend ridge's log prediction with coefficients b. */
static inline double blend_value(const double *b, const sur_input *in)
{
    double v = 0;
    for (int k = 0; k < SUR_BLEND_P; k++) v += b[k] * in->zb[k];
    return v;
}

/* The tree input of model m (base feature filled) and the log of its base. */
static inline double model_x(const sur_model *m, const sur_input *in, float *x)
{
    memcpy(x, in->x, SUR_X_LEN * sizeof *x);
    double lb = 0;
    if (m->flags & SUR_FLAG_BASE) { lb = log(base_value(m, in)); x[SUR_N_FEAT] = (float)lb; }
    if (!(m->flags & SUR_FLAG_AUX)) x[SUR_N_FEAT + 1] = 0;
    return lb;
}

#endif
