// The SIMD dot-product kernels, written once and compiled twice: QuantizedDotAVX2.c includes
// this file with QK_VNNI 0 (AVX2 + FMA, the baseline), QuantizedDotVNNI.c with QK_VNNI 1 and
// AVX-512 VNNI/VL enabled (vpdpbusd, and 32 vector registers). QK_FN(name) appends the variant's
// suffix. Both give the bits of the scalar twins: integer sums are exact whichever instructions
// form them, and the float operations are the same in the same order.
//
// Row groups: one weight row against R activation rows. The weights of each block are unpacked
// once and applied to every row, each row keeping its own accumulators, so results do not depend
// on R. The drivers fix R to a literal, so the per-row loops unroll into registers.
#include "QuantKernelsInternal.h"

#include <immintrin.h>
#include <math.h>

#define QK_INLINE static inline __attribute__((always_inline))

QK_INLINE float hsum(__m256 v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

/// Bit j of the 32-bit mask becomes 0x10 in byte j.
QK_INLINE __m256i high_bits_32(uint32_t mask) {
    const __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32((int)mask),
        _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0));
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(bytes, bit), bit), _mm256_set1_epi8(0x10));
}

/// Nibbles of 16 bytes as 32 bytes: low nibbles first, then high nibbles.
QK_INLINE __m256i nibbles_16(const uint8_t *p) {
    const __m128i v = _mm_loadu_si128((const __m128i *)p);
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(v, 4), v);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

/// Σ of the eight int32 lanes (exact).
QK_INLINE int32_t hsum_i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    return _mm_cvtsi128_si32(_mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1)));
}

/// The eight int32 sums of eight lane vectors, in order: lane j = Σ of v[j]'s lanes.
QK_INLINE __m256i sum_lanes_8(const __m256i v[8]) {
    const __m256i a = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    const __m256i b = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    // a holds the low-half sums of v0..v3 in its low 128 bits and their high-half sums above; b likewise.
    return _mm256_add_epi32(_mm256_permute2x128_si256(a, b, 0x20), _mm256_permute2x128_si256(a, b, 0x31));
}

/// Codes of one 32-weight block as the kernel multiplies them: unsigned u = q + offset for Q5_0
/// and Q4_0 (their raw codes) and, with VNNI, Q8_0 (offset 128); signed q for Q8_0 on AVX2, where
/// vpmaddubsw could saturate on u up to 255.
QK_INLINE __m256i codes_32_simd(const uint8_t *blk, int which) {
    if (which == 8) {
        const __m256i q = _mm256_loadu_si256((const __m256i *)(blk + 2));
        return QK_VNNI ? _mm256_xor_si256(q, _mm256_set1_epi8((char)0x80)) : q;
    }
    if (which == 5) {
        uint32_t qh;
        memcpy(&qh, blk + 2, 4);
        return _mm256_or_si256(nibbles_16(blk + 6), high_bits_32(qh));
    }
    return nibbles_16(blk + 2);
}

/// Eight int32 lanes of Σ over 4 products of codes (as codes_32_simd) and activation codes.
QK_INLINE __m256i lanes_32(__m256i u, const int8_t *x, int which) {
    const __m256i v = _mm256_loadu_si256((const __m256i *)x);
#if QK_VNNI
    (void)which;
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, v);
#else
    if (which == 8) return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(u, u), _mm256_sign_epi8(v, u)), _mm256_set1_epi16(1));
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, v), _mm256_set1_epi16(1));
#endif
}

/// log2 of the code offset to take back out (Σ(q + o)·x − o·Σx), or −1 when the codes are signed.
QK_INLINE int offset_shift(int which) {
    if (which == 8) return QK_VNNI ? 7 : -1;
    return which == 5 ? 4 : 3;
}

/// Blocks g..g+m−1 (m ≤ 8) of one weight row against R activation rows.
QK_INLINE void dot_32_step(const uint8_t *wb, int which, int64_t nb, int64_t g, int m,
                           const uint8_t *xb, int64_t xs, int R, __m256 acc[]) {
    const int bytes = block_bytes_32(which);
    __m256i u[8];
    float dws[8];
    for (int j = 0; j < 8; j++) {
        u[j] = j < m ? codes_32_simd(wb + (g + j) * bytes, which) : _mm256_setzero_si256();
        dws[j] = j < m ? half_at(wb + (g + j) * bytes) : 0.f;
    }
    const __m256 dw = _mm256_loadu_ps(dws);
    const __m256i keep = _mm256_cmpgt_epi32(_mm256_set1_epi32(m), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const int shift = offset_shift(which);
    for (int t = 0; t < R; t++) {
        const uint8_t *xt = xb + t * xs;
        const float *xd = (const float *)xt + g;
        const int32_t *xsum = (const int32_t *)xt + nb + g;
        const int8_t *xq = (const int8_t *)xt + 8 * nb + 32 * g;
        __m256i lanes[8];
        for (int j = 0; j < 8; j++) lanes[j] = j < m ? lanes_32(u[j], xq + 32 * j, which) : _mm256_setzero_si256();
        __m256i s = sum_lanes_8(lanes);
        if (shift >= 0) s = _mm256_sub_epi32(s, _mm256_slli_epi32(m == 8 ? _mm256_loadu_si256((const __m256i *)xsum) : _mm256_maskload_epi32(xsum, keep), shift));
        const __m256 dx = m == 8 ? _mm256_loadu_ps(xd) : _mm256_maskload_ps(xd, keep);
        acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, dx), _mm256_cvtepi32_ps(s), acc[t]);
    }
}

QK_INLINE void dot_32_group(int64_t n, const uint8_t *wb, int which, const uint8_t *xb, int64_t xs, int R, float *out, int64_t os) {
    const int64_t nb = n / 32;
    __m256 acc[8];
    for (int t = 0; t < R; t++) acc[t] = _mm256_setzero_ps();
    int64_t g = 0;
    for (; g + 8 <= nb; g += 8) dot_32_step(wb, which, nb, g, 8, xb, xs, R, acc);
    if (g < nb) dot_32_step(wb, which, nb, g, (int)(nb - g), xb, xs, R, acc);
    for (int t = 0; t < R; t++) out[t * os] = hsum(acc[t]);
}

/// Q4_K's eight 6-bit scales and mins, unpacked from their 12 bytes with word operations: bytes
/// 0–3 hold scales 0–3 (low 6 bits) and the top bits of scales 4–7; bytes 4–7 likewise for the
/// mins; bytes 8–11 the low nibbles of scales 4–7 and, above them, of mins 4–7.
QK_INLINE void q4k_scales_mins(const uint8_t *s, uint64_t *scales, uint64_t *mins) {
    uint32_t a, b, c;
    memcpy(&a, s, 4);
    memcpy(&b, s + 4, 4);
    memcpy(&c, s + 8, 4);
    const uint32_t six = 0x3F3F3F3F, four = 0x0F0F0F0F, two = 0x03030303;
    const uint32_t scalesHigh = (c & four) | (((a >> 6) & two) << 4);
    const uint32_t minsHigh = ((c >> 4) & four) | (((b >> 6) & two) << 4);
    *scales = (uint64_t)(a & six) | ((uint64_t)scalesHigh << 32);
    *mins = (uint64_t)(b & six) | ((uint64_t)minsHigh << 32);
}

QK_INLINE void dot_q4_K_group(int64_t n, const uint8_t *wb, const uint8_t *xb, int64_t xs, int R, float *out, int64_t os) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    __m256 acc[8];
    float mins[8];
    for (int t = 0; t < R; t++) acc[t] = _mm256_setzero_ps(), mins[t] = 0;
    for (int64_t b = 0; b < n / 256; b++, wb += 144, xb += QK_Q8_K_BYTES) {
        uint64_t scales8, mins8;
        q4k_scales_mins(wb + 4, &scales8, &mins8);
        int16_t sc[8];
        _mm_storeu_si128((__m128i *)sc, _mm_cvtepu8_epi16(_mm_cvtsi64_si128((long long)scales8)));
        // Each min twice, to meet the 16 activation sums of 16 (two per 32-weight sub-block).
        const __m128i m = _mm_cvtsi64_si128((long long)mins8);
        const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m, m));
        __m256i lanes[8];
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
            const int32_t msum = hsum_i32(_mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(xt + 260)), mins16));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(yd * dw), _mm256_cvtepi32_ps(lanes[t]), acc[t]);
            mins[t] = fmaf(yd * dmin, (float)msum, mins[t]);
        }
    }
    for (int t = 0; t < R; t++) out[t * os] = hsum(acc[t]) - mins[t];
}

QK_INLINE void dot_q6_K_group(int64_t n, const uint8_t *wb, const uint8_t *xb, int64_t xs, int R, float *out, int64_t os) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(0x03);
    // Picks int16 0 of each 32-bit pair in the low 128 bits and int16 1 in the high ones.
    const __m256i pairSplit = _mm256_setr_epi8(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
                                               2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3);
    __m256 acc[8];
    float mins[8];
    for (int t = 0; t < R; t++) acc[t] = _mm256_setzero_ps(), mins[t] = 0;
    for (int64_t b = 0; b < n / 256; b++, wb += 210, xb += QK_Q8_K_BYTES) {
        const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(wb + 192)));
        int16_t sc[16];
        _mm256_storeu_si256((__m256i *)sc, scales16);
        __m256i lanes[8];
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
                // Scale 8h+2j on the first 16 weights, 8h+2j+1 on the next 16.
                int32_t pair;
                memcpy(&pair, sc + 8 * h + 2 * j, 4);
                const __m256i s = _mm256_shuffle_epi8(_mm256_set1_epi32(pair), pairSplit);
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
            const int32_t corr = hsum_i32(_mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(xt + 260)), scales16));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(lanes[t]), acc[t]);
            mins[t] = fmaf(d, (float)(32 * corr), mins[t]); // Σ(q−32)·x = Σq·x − 32·Σx
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

QK_INLINE void dot_q8_0_group(int64_t n, const uint8_t *w, const uint8_t *x, int64_t xs, int R, float *o, int64_t os) { dot_32_group(n, w, 8, x, xs, R, o, os); }
QK_INLINE void dot_q5_0_group(int64_t n, const uint8_t *w, const uint8_t *x, int64_t xs, int R, float *o, int64_t os) { dot_32_group(n, w, 5, x, xs, R, o, os); }
QK_INLINE void dot_q4_0_group(int64_t n, const uint8_t *w, const uint8_t *x, int64_t xs, int R, float *o, int64_t os) { dot_32_group(n, w, 4, x, xs, R, o, os); }

/// Row groups of eight where the variant has 32 vector registers, four otherwise.
#define QK_WIDE (QK_VNNI ? 8 : 4)

#define QK_DEFINE_ROWS(name)                                                                                     \
    void QK_FN(qk_dot_##name##_rows)(int64_t n, const void *w, const void *x, int64_t x_stride, int64_t rows,    \
                                     float *out, int64_t out_stride) {                                           \
        QK_ROW_GROUPS(dot_##name##_group, QK_WIDE, n, (const uint8_t *)w);                                       \
    }

QK_DEFINE_ROWS(q8_0)
QK_DEFINE_ROWS(q5_0)
QK_DEFINE_ROWS(q4_0)
QK_DEFINE_ROWS(q4_K)
QK_DEFINE_ROWS(q6_K)
