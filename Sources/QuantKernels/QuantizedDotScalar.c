// Portable scalar twins of the dot-product kernels: the reference for the panel kernels, which
// must give the same bits (see QuantKernels.h for the accumulation order). Block layouts are ggml's
// (see Sources/Compute/Quantization/Dequantize.swift).
#include "QuantKernelsInternal.h"

#include <math.h>

/// Signed codes of a 32-weight block of Q8_0, Q5_0 or Q4_0.
static inline void codes_32(int8_t q[32], const uint8_t *blk, int bits) {
    if (bits == 8) {
        memcpy(q, blk + 2, 32);
    } else if (bits == 5) {
        uint32_t qh;
        memcpy(&qh, blk + 2, 4);
        const uint8_t *qs = blk + 6;
        for (int j = 0; j < 16; j++) {
            q[j] = (int8_t)(((qs[j] & 0x0F) | (((qh >> j) & 1) << 4)) - 16);
            q[j + 16] = (int8_t)(((qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16);
        }
    } else {
        const uint8_t *qs = blk + 2;
        for (int j = 0; j < 16; j++) {
            q[j] = (int8_t)((qs[j] & 0x0F) - 8);
            q[j + 16] = (int8_t)((qs[j] >> 4) - 8);
        }
    }
}

static float dot_32_scalar(int64_t n, const void *w, const void *x, int64_t bs, int type) {
    const int bytes = ggml_block_bytes_32(type);
    const uint8_t *wb = (const uint8_t *)w, *xb = (const uint8_t *)x;
    float acc = 0;
    for (int64_t b = 0; b < n / 32; b++, wb += bytes, xb += bs) {
        int8_t q[32];
        codes_32(q, wb, code_bits(type));
        const int8_t *xq = (const int8_t *)(xb + 8);
        int32_t s = 0;
        for (int i = 0; i < 32; i++) s += (int32_t)q[i] * xq[i];
        acc = fmaf(half_at(wb) * float_at(xb), (float)s, acc);
    }
    return acc;
}

float qk_dot_q8_0_scalar(int64_t n, const void *w, const void *x, int64_t bs) { return dot_32_scalar(n, w, x, bs, QK_TYPE_Q8_0); }
float qk_dot_q5_0_scalar(int64_t n, const void *w, const void *x, int64_t bs) { return dot_32_scalar(n, w, x, bs, QK_TYPE_Q5_0); }
float qk_dot_q4_0_scalar(int64_t n, const void *w, const void *x, int64_t bs) { return dot_32_scalar(n, w, x, bs, QK_TYPE_Q4_0); }

float qk_dot_q4_K_scalar(int64_t n, const void *w, const void *x, int64_t bs) {
    const uint8_t *wb = (const uint8_t *)w, *xb = (const uint8_t *)x;
    float acc = 0, mins = 0;
    for (int64_t b = 0; b < n / 256; b++, wb += 144, xb += bs) {
        const int8_t *q8 = (const int8_t *)(xb + 4);
        int16_t bsums[16];
        memcpy(bsums, xb + 260, sizeof bsums);
        uint8_t u[256];
        q4k_codes(u, wb);
        int32_t s = 0, m = 0;
        for (int j = 0; j < 8; j++) {
            int scale, min;
            q4k_scale_min(wb + 4, j, &scale, &min);
            int32_t t = 0;
            for (int i = 32 * j; i < 32 * j + 32; i++) t += (int32_t)u[i] * q8[i];
            s += scale * t;
            m += min * (bsums[2 * j] + bsums[2 * j + 1]);
        }
        const float yd = float_at(xb);
        acc = fmaf(yd * half_at(wb), (float)s, acc);
        mins = fmaf(yd * half_at(wb + 2), (float)m, mins);
    }
    return acc - mins;
}

float qk_dot_q6_K_scalar(int64_t n, const void *w, const void *x, int64_t bs) {
    const uint8_t *wb = (const uint8_t *)w, *xb = (const uint8_t *)x;
    float acc = 0;
    for (int64_t b = 0; b < n / 256; b++, wb += 210, xb += bs) {
        const int8_t *q8 = (const int8_t *)(xb + 4), *sc = (const int8_t *)(wb + 192);
        int16_t bsums[16];
        memcpy(bsums, xb + 260, sizeof bsums);
        uint8_t u[256];
        q6k_codes(u, wb);
        int32_t v = 0;
        for (int j = 0; j < 16; j++) {
            int32_t t = 0;
            for (int i = 16 * j; i < 16 * j + 16; i++) t += (int32_t)u[i] * q8[i];
            v += sc[j] * (t - 32 * bsums[j]); // Σ(u − 32)·x = Σu·x − 32·Σx
        }
        acc = fmaf(half_at(wb + 208) * float_at(xb), (float)v, acc);
    }
    return acc;
}
