// Portable scalar twins of the dot-product kernels: the reference for the SIMD versions, which
// must give the same bits (see QuantKernels.h for the accumulation order). Block layouts are ggml's
// (see Sources/Compute/Quantization/Dequantize.swift).
#include "QuantKernelsInternal.h"

#include <math.h>

/// lanes[l] += scale · Σ_{i=4l}^{4l+3} a[i]·b[i] over a 32-element chunk.
static inline void chunk_lanes(int32_t lanes[8], const int8_t *a, const int8_t *b, int32_t scale) {
    for (int l = 0; l < 8; l++) {
        int32_t s = 0;
        for (int i = 4 * l; i < 4 * l + 4; i++) s += (int32_t)a[i] * b[i];
        lanes[l] += scale * s;
    }
}

static inline void accumulate(float acc[8], float d, const int32_t lanes[8]) {
    for (int l = 0; l < 8; l++) acc[l] = fmaf(d, (float)lanes[l], acc[l]);
}

/// Signed codes of a 32-weight block of Q8_0, Q5_0 or Q4_0.
static inline void codes_32(int8_t q[32], const uint8_t *blk, int which) {
    if (which == 8) {
        memcpy(q, blk + 2, 32);
    } else if (which == 5) {
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

static float dot_32_scalar(int64_t n, const void *w, const void *x, int which) {
    const int64_t nb = n / 32;
    const int bytes = block_bytes_32(which);
    const uint8_t *wb = (const uint8_t *)w;
    const float *xd = (const float *)x;
    const int8_t *xq = (const int8_t *)x + 8 * nb;
    float acc = 0;
    for (int64_t b = 0; b < nb; b++, wb += bytes) {
        int8_t q[32];
        codes_32(q, wb, which);
        int32_t s = 0;
        for (int i = 0; i < 32; i++) s += (int32_t)q[i] * xq[32 * b + i];
        acc = fmaf(half_at(wb) * xd[b], (float)s, acc);
    }
    return acc;
}

float qk_dot_q8_0_scalar(int64_t n, const void *w, const void *x) { return dot_32_scalar(n, w, x, 8); }
float qk_dot_q5_0_scalar(int64_t n, const void *w, const void *x) { return dot_32_scalar(n, w, x, 5); }
float qk_dot_q4_0_scalar(int64_t n, const void *w, const void *x) { return dot_32_scalar(n, w, x, 4); }

float qk_dot_q4_K_scalar(int64_t n, const void *w, const void *x) {
    const uint8_t *wb = (const uint8_t *)w, *xb = (const uint8_t *)x;
    float acc[8] = {0}, mins = 0;
    for (int64_t b = 0; b < n / 256; b++, wb += 144, xb += QK_Q8_K_BYTES) {
        const float yd = float_at(xb);
        const int8_t *q8 = (const int8_t *)(xb + 4);
        int16_t bsums[16];
        memcpy(bsums, xb + 260, sizeof bsums);
        int32_t lanes[8] = {0}, msum = 0;
        for (int c = 0; c < 4; c++) {
            int s0, m0, s1, m1;
            q4k_scale_min(wb + 4, 2 * c, &s0, &m0);
            q4k_scale_min(wb + 4, 2 * c + 1, &s1, &m1);
            int8_t lo[32], hi[32];
            for (int i = 0; i < 32; i++) {
                lo[i] = (int8_t)(wb[16 + 32 * c + i] & 0x0F);
                hi[i] = (int8_t)(wb[16 + 32 * c + i] >> 4);
            }
            chunk_lanes(lanes, lo, q8 + 64 * c, s0);
            chunk_lanes(lanes, hi, q8 + 64 * c + 32, s1);
            msum += m0 * (bsums[4 * c] + bsums[4 * c + 1]) + m1 * (bsums[4 * c + 2] + bsums[4 * c + 3]);
        }
        accumulate(acc, yd * half_at(wb), lanes);
        mins = fmaf(yd * half_at(wb + 2), (float)msum, mins);
    }
    return lanes_sum(acc) - mins;
}

/// Q6_K codes (unsigned, 0..63) of chunk j (0..3) of half h, 32 weights.
static inline void q6k_chunk(uint8_t q[32], const uint8_t *blk, int h, int j) {
    const uint8_t *ql = blk + 64 * h, *qh = blk + 128 + 32 * h;
    for (int l = 0; l < 32; l++) {
        const uint8_t low = (j & 1) ? ql[l + 32] : ql[l];
        const uint8_t nib = (j < 2) ? (low & 0x0F) : (low >> 4);
        q[l] = (uint8_t)(nib | (((qh[l] >> (2 * j)) & 3) << 4));
    }
}

float qk_dot_q6_K_scalar(int64_t n, const void *w, const void *x) {
    const uint8_t *wb = (const uint8_t *)w, *xb = (const uint8_t *)x;
    float acc[8] = {0}, mins = 0;
    for (int64_t b = 0; b < n / 256; b++, wb += 210, xb += QK_Q8_K_BYTES) {
        const float d = half_at(wb + 208) * float_at(xb);
        const int8_t *q8 = (const int8_t *)(xb + 4), *sc = (const int8_t *)(wb + 192);
        int16_t bsums[16];
        memcpy(bsums, xb + 260, sizeof bsums);
        int32_t lanes[8] = {0}, corr = 0;
        for (int h = 0; h < 2; h++) {
            for (int j = 0; j < 4; j++) {
                uint8_t q[32];
                q6k_chunk(q, wb, h, j);
                const int8_t *v = q8 + 128 * h + 32 * j;
                // Lanes 0-3 are the first 16 weights (scale 8h+2j), lanes 4-7 the next 16.
                for (int l = 0; l < 8; l++) {
                    int32_t s = 0;
                    for (int i = 4 * l; i < 4 * l + 4; i++) s += (int32_t)q[i] * v[i];
                    lanes[l] += sc[8 * h + 2 * j + (l >= 4)] * s;
                }
            }
        }
        for (int s = 0; s < 16; s++) corr += sc[s] * bsums[s];
        accumulate(acc, d, lanes);
        mins = fmaf(d, (float)(32 * corr), mins); // Σ(q−32)·x = Σq·x − 32·Σx
    }
    return lanes_sum(acc) - mins;
}
