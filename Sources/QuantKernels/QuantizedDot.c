// Dot products of quantized weight rows with quantized activations. Block layouts are ggml's
// (see Sources/Compute/Quantization/Dequantize.swift). Each 32-weight chunk is reduced to eight
// int32 lanes, lane l holding the exact sum of products of elements 4l..4l+3 (times the sub-block
// scale for K-quants); per block, the lanes are converted to float and accumulated with one fused
// multiply-add by the block's float scale. The scalar twins reproduce that lane structure, so
// both paths give the same bits.
#include "QuantKernels.h"

#include <math.h>
#include <string.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define QK_AVX2 1
#endif

static inline float half_at(const uint8_t *p) {
    _Float16 h;
    memcpy(&h, p, 2);
    return (float)h;
}

static inline float float_at(const uint8_t *p) {
    float f;
    memcpy(&f, p, 4);
    return f;
}

/// Sum of the eight lanes in a fixed order: (0+4, 1+5, 2+6, 3+7), then pairs, then the two halves.
static inline float lanes_sum(const float a[8]) {
    const float s0 = a[0] + a[4], s1 = a[1] + a[5], s2 = a[2] + a[6], s3 = a[3] + a[7];
    const float t0 = s0 + s2, t1 = s1 + s3;
    return t0 + t1;
}

/// Q4_K: the 6-bit scale and min of sub-block j, packed in 12 bytes.
static inline void q4k_scale_min(const uint8_t *s, int j, int *scale, int *min) {
    if (j < 4) {
        *scale = s[j] & 63;
        *min = s[j + 4] & 63;
    } else {
        *scale = (s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4);
        *min = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

// ---------------------------------------------------------------------------------------------
// Scalar twins.

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

static float dot_32_scalar(int64_t n, const void *w, const void *x, int which, int block_bytes) {
    const uint8_t *wb = (const uint8_t *)w, *xb = (const uint8_t *)x;
    float acc[8] = {0};
    for (int64_t b = 0; b < n / 32; b++, wb += block_bytes, xb += QK_Q8_0_BYTES) {
        int8_t q[32];
        codes_32(q, wb, which);
        int32_t lanes[8] = {0};
        chunk_lanes(lanes, q, (const int8_t *)(xb + 4), 1);
        accumulate(acc, half_at(wb) * float_at(xb), lanes);
    }
    return lanes_sum(acc);
}

float qk_dot_q8_0_scalar(int64_t n, const void *w, const void *x) { return dot_32_scalar(n, w, x, 8, 34); }
float qk_dot_q5_0_scalar(int64_t n, const void *w, const void *x) { return dot_32_scalar(n, w, x, 5, 22); }
float qk_dot_q4_0_scalar(int64_t n, const void *w, const void *x) { return dot_32_scalar(n, w, x, 4, 18); }

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
        mins += (yd * half_at(wb + 2)) * (float)msum;
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
        mins += d * (float)(32 * corr); // Σ(q−32)·x = Σq·x − 32·Σx
    }
    return lanes_sum(acc) - mins;
}

// ---------------------------------------------------------------------------------------------
// AVX2.

#ifdef QK_AVX2
static inline float hsum(__m256 v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

/// Eight int32 lanes of Σ over 4 products, for signed a and b (|a| ≤ 128, b in [−127, 127]).
static inline __m256i lanes_signed(__m256i a, __m256i b) {
    const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
    return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}

/// Bit j of the 32-bit mask becomes 0x10 in byte j.
static inline __m256i high_bits_32(uint32_t mask) {
    const __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32((int)mask),
        _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0));
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(bytes, bit), bit), _mm256_set1_epi8(0x10));
}

/// Nibbles of 16 bytes as 32 bytes: low nibbles first, then high nibbles.
static inline __m256i nibbles_16(const uint8_t *p) {
    const __m128i v = _mm_loadu_si128((const __m128i *)p);
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(v, 4), v);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// Row-group kernels: one weight row against R ≤ 4 activation rows. The weights of each block are
// unpacked once and applied to every row; each row keeps its own accumulators and sees exactly the
// operations of a one-row call, so results do not depend on R. The callers below fix R to a
// literal, so the per-row loops unroll and the accumulators stay in registers.

/// Signed codes of one 32-weight block: Q8_0 (which = 8), Q5_0 (5) or Q4_0 (4).
static inline __m256i codes_32_avx2(const uint8_t *blk, int which) {
    if (which == 8) return _mm256_loadu_si256((const __m256i *)(blk + 2));
    if (which == 5) {
        uint32_t qh;
        memcpy(&qh, blk + 2, 4);
        return _mm256_sub_epi8(_mm256_or_si256(nibbles_16(blk + 6), high_bits_32(qh)), _mm256_set1_epi8(16));
    }
    return _mm256_sub_epi8(nibbles_16(blk + 2), _mm256_set1_epi8(8));
}

static inline __attribute__((always_inline)) void dot_32_group(int64_t n, const uint8_t *wb, int which, int block_bytes,
                                                               const uint8_t *xb, int64_t xs, int R, float *out, int64_t os) {
    __m256 acc[8];
    for (int t = 0; t < R; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 32; b++, wb += block_bytes, xb += QK_Q8_0_BYTES) {
        const __m256i q = codes_32_avx2(wb, which);
        const __m256i aq = _mm256_sign_epi8(q, q);
        const float dw = half_at(wb);
        for (int t = 0; t < R; t++) {
            const uint8_t *xt = xb + t * xs;
            const __m256i v = _mm256_loadu_si256((const __m256i *)(xt + 4));
            const __m256i lanes = _mm256_madd_epi16(_mm256_maddubs_epi16(aq, _mm256_sign_epi8(v, q)), _mm256_set1_epi16(1));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(dw * float_at(xt)), _mm256_cvtepi32_ps(lanes), acc[t]);
        }
    }
    for (int t = 0; t < R; t++) out[t * os] = hsum(acc[t]);
}

/// Σ of the eight int32 lanes (exact).
static inline int32_t hsum_i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    return _mm_cvtsi128_si32(_mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1)));
}

static inline __attribute__((always_inline)) void dot_q4_K_group(int64_t n, const uint8_t *wb, const uint8_t *xb, int64_t xs,
                                                                 int R, float *out, int64_t os) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    __m256 acc[4];
    float mins[4];
    for (int t = 0; t < R; t++) acc[t] = _mm256_setzero_ps(), mins[t] = 0;
    for (int64_t b = 0; b < n / 256; b++, wb += 144, xb += QK_Q8_K_BYTES) {
        // Sub-block scales as int16 pairs per chunk; mins repeated twice to meet the 16 sums of 16.
        int16_t sc[8], mn[16];
        for (int j = 0; j < 8; j++) {
            int s, m;
            q4k_scale_min(wb + 4, j, &s, &m);
            sc[j] = (int16_t)s;
            mn[2 * j] = mn[2 * j + 1] = (int16_t)m;
        }
        const __m256i mins16 = _mm256_loadu_si256((const __m256i *)mn);
        __m256i lanes[4];
        for (int t = 0; t < R; t++) lanes[t] = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(wb + 16 + 32 * c));
            const __m256i lo = _mm256_and_si256(q, low4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
            const __m256i s0 = _mm256_set1_epi16(sc[2 * c]), s1 = _mm256_set1_epi16(sc[2 * c + 1]);
            for (int t = 0; t < R; t++) {
                const int8_t *q8 = (const int8_t *)(xb + t * xs + 4);
                const __m256i p0 = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)(q8 + 64 * c)));
                const __m256i p1 = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(q8 + 64 * c + 32)));
                lanes[t] = _mm256_add_epi32(lanes[t], _mm256_add_epi32(_mm256_madd_epi16(p0, s0), _mm256_madd_epi16(p1, s1)));
            }
        }
        const float dw = half_at(wb), dmin = half_at(wb + 2);
        for (int t = 0; t < R; t++) {
            const uint8_t *xt = xb + t * xs;
            const float yd = float_at(xt);
            const __m256i bsums = _mm256_loadu_si256((const __m256i *)(xt + 260));
            const int32_t msum = hsum_i32(_mm256_madd_epi16(bsums, mins16));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(yd * dw), _mm256_cvtepi32_ps(lanes[t]), acc[t]);
            mins[t] += (yd * dmin) * (float)msum;
        }
    }
    for (int t = 0; t < R; t++) out[t * os] = hsum(acc[t]) - mins[t];
}

static inline __attribute__((always_inline)) void dot_q6_K_group(int64_t n, const uint8_t *wb, const uint8_t *xb, int64_t xs,
                                                                 int R, float *out, int64_t os) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(0x03);
    __m256 acc[4];
    float mins[4];
    for (int t = 0; t < R; t++) acc[t] = _mm256_setzero_ps(), mins[t] = 0;
    for (int64_t b = 0; b < n / 256; b++, wb += 210, xb += QK_Q8_K_BYTES) {
        const int8_t *sc = (const int8_t *)(wb + 192);
        const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc));
        __m256i lanes[4];
        for (int t = 0; t < R; t++) lanes[t] = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            const __m256i a = _mm256_loadu_si256((const __m256i *)(wb + 64 * h));
            const __m256i c = _mm256_loadu_si256((const __m256i *)(wb + 64 * h + 32));
            const __m256i qh = _mm256_loadu_si256((const __m256i *)(wb + 128 + 32 * h));
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(a, low4), _mm256_slli_epi16(_mm256_and_si256(qh, low2), 4)),
                _mm256_or_si256(_mm256_and_si256(c, low4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), low2), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(a, 4), low4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), low2), 4)),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(c, 4), low4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), low2), 4)),
            };
            for (int j = 0; j < 4; j++) {
                const __m256i s = _mm256_set_m128i(_mm_set1_epi16(sc[8 * h + 2 * j + 1]), _mm_set1_epi16(sc[8 * h + 2 * j]));
                for (int t = 0; t < R; t++) {
                    const int8_t *q8 = (const int8_t *)(xb + t * xs + 4);
                    const __m256i p = _mm256_maddubs_epi16(q[j], _mm256_loadu_si256((const __m256i *)(q8 + 128 * h + 32 * j)));
                    lanes[t] = _mm256_add_epi32(lanes[t], _mm256_madd_epi16(p, s));
                }
            }
        }
        const float dw = half_at(wb + 208);
        for (int t = 0; t < R; t++) {
            const uint8_t *xt = xb + t * xs;
            const float d = dw * float_at(xt);
            const __m256i bsums = _mm256_loadu_si256((const __m256i *)(xt + 260));
            const int32_t corr = hsum_i32(_mm256_madd_epi16(bsums, scales16));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(lanes[t]), acc[t]);
            mins[t] += d * (float)(32 * corr); // Σ(q−32)·x = Σq·x − 32·Σx
        }
    }
    for (int t = 0; t < R; t++) out[t * os] = hsum(acc[t]) - mins[t];
}

/// Runs GROUP over the rows WIDE at a time (8 or 4), then the remainder, each call with a literal
/// R so that its per-row loops unroll.
#define QK_ROW_GROUPS(GROUP, WIDE, ...)                                                        \
    do {                                                                                       \
        const uint8_t *xr = (const uint8_t *)x;                                                \
        int64_t t = 0;                                                                         \
        for (; t + WIDE <= rows; t += WIDE) GROUP(__VA_ARGS__, xr + t * x_stride, x_stride, WIDE, out + t * out_stride, out_stride); \
        if (WIDE > 4 && rows - t >= 4) {                                                       \
            GROUP(__VA_ARGS__, xr + t * x_stride, x_stride, 4, out + t * out_stride, out_stride); \
            t += 4;                                                                            \
        }                                                                                      \
        switch (rows - t) {                                                                    \
        case 3: GROUP(__VA_ARGS__, xr + t * x_stride, x_stride, 3, out + t * out_stride, out_stride); break; \
        case 2: GROUP(__VA_ARGS__, xr + t * x_stride, x_stride, 2, out + t * out_stride, out_stride); break; \
        case 1: GROUP(__VA_ARGS__, xr + t * x_stride, x_stride, 1, out + t * out_stride, out_stride); break; \
        default: break;                                                                        \
        }                                                                                      \
    } while (0)

static inline __attribute__((always_inline)) void dot_q8_0_group(int64_t n, const uint8_t *w, const uint8_t *x, int64_t xs, int R, float *o, int64_t os) { dot_32_group(n, w, 8, 34, x, xs, R, o, os); }
static inline __attribute__((always_inline)) void dot_q5_0_group(int64_t n, const uint8_t *w, const uint8_t *x, int64_t xs, int R, float *o, int64_t os) { dot_32_group(n, w, 5, 22, x, xs, R, o, os); }
static inline __attribute__((always_inline)) void dot_q4_0_group(int64_t n, const uint8_t *w, const uint8_t *x, int64_t xs, int R, float *o, int64_t os) { dot_32_group(n, w, 4, 18, x, xs, R, o, os); }

#define QK_DEFINE_ROWS(name, group, wide)                                                                        \
    void qk_dot_##name##_rows(int64_t n, const void *w, const void *x, int64_t x_stride, int64_t rows, float *out, \
                              int64_t out_stride) {                                                              \
        QK_ROW_GROUPS(group, wide, n, (const uint8_t *)w);                                                             \
    }                                                                                                            \
    float qk_dot_##name(int64_t n, const void *w, const void *x) {                                               \
        float r;                                                                                                 \
        group(n, (const uint8_t *)w, (const uint8_t *)x, 0, 1, &r, 0);                                           \
        return r;                                                                                                \
    }

QK_DEFINE_ROWS(q8_0, dot_q8_0_group, 8)
QK_DEFINE_ROWS(q5_0, dot_q5_0_group, 8)
QK_DEFINE_ROWS(q4_0, dot_q4_0_group, 8)
QK_DEFINE_ROWS(q4_K, dot_q4_K_group, 4)
QK_DEFINE_ROWS(q6_K, dot_q6_K_group, 4)
#else
#define QK_DEFINE_ROWS(name)                                                                                     \
    void qk_dot_##name##_rows(int64_t n, const void *w, const void *x, int64_t x_stride, int64_t rows, float *out, \
                              int64_t out_stride) {                                                              \
        for (int64_t t = 0; t < rows; t++) out[t * out_stride] = qk_dot_##name##_scalar(n, w, (const uint8_t *)x + t * x_stride); \
    }                                                                                                            \
    float qk_dot_##name(int64_t n, const void *w, const void *x) { return qk_dot_##name##_scalar(n, w, x); }

QK_DEFINE_ROWS(q8_0)
QK_DEFINE_ROWS(q5_0)
QK_DEFINE_ROWS(q4_0)
QK_DEFINE_ROWS(q4_K)
QK_DEFINE_ROWS(q6_K)
#endif
