// Activation quantization, following ggml's definitions (ggml-quants.c and the x86 path of
// ggml-cpu) so that dot products see the same integers llama.cpp's do.
#include "QuantKernels.h"

#include <math.h>
#include <string.h>

void qk_quantize_q8_0(const float *x, void *y, int64_t k) {
    const int64_t nb = k / 32;
    float *scales = (float *)y;
    int32_t *sums = (int32_t *)y + nb;
    int8_t *codes = (int8_t *)y + 8 * nb;
    for (int64_t b = 0; b < nb; b++, x += 32) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[j]));
        // ggml stores the scale as fp16; it is kept here as the fp32 value of that fp16, so the dot
        // products multiply by the same number without converting it for every weight row.
        scales[b] = (float)(_Float16)(amax / 127.f);
        // The multiplier is 127/amax, not the reciprocal of the rounded fp16 scale (as ggml's AVX path).
        const float id = amax != 0.f ? 127.f / amax : 0.f;
        int32_t sum = 0;
        for (int j = 0; j < 32; j++) {
            codes[32 * b + j] = (int8_t)rintf(x[j] * id); // round half to even
            sum += codes[32 * b + j];
        }
        sums[b] = sum;
    }
}

// Round half to even for |v| < 2^22 by adding 1.5·2^23 and reading the mantissa (ggml's nearest_int).
static inline int nearest_int(float v) {
    float shifted = v + 12582912.f;
    int32_t bits;
    memcpy(&bits, &shifted, 4);
    return (bits & 0x007fffff) - 0x00400000;
}

void qk_quantize_q8_K(const float *x, void *y, int64_t k) {
    uint8_t *out = (uint8_t *)y;
    for (int64_t b = 0; b < k / 256; b++, x += 256, out += QK_Q8_K_BYTES) {
        float amax = 0, max = 0;
        for (int j = 0; j < 256; j++) {
            const float a = fabsf(x[j]);
            if (a > amax) { amax = a; max = x[j]; }
        }
        int8_t *q = (int8_t *)(out + 4);
        int16_t sums[16] = {0};
        float d = 0;
        if (amax != 0) {
            const float iscale = -127.f / max;
            for (int j = 0; j < 256; j++) {
                const int v = nearest_int(iscale * x[j]);
                q[j] = (int8_t)(v < 127 ? v : 127);
                sums[j / 16] += q[j];
            }
            d = 1 / iscale;
        } else {
            memset(q, 0, 256);
        }
        memcpy(out, &d, 4);
        memcpy(out + 260, sums, sizeof sums);
    }
}
