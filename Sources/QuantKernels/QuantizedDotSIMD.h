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

/// Σ of the eight int32 lanes (exact).
QK_INLINE int32_t hsum_i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    return _mm_cvtsi128_si32(_mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1)));
}

/// Σ over four products per lane of u (unsigned codes) and v (signed activation codes), added to s.
/// Without VNNI, vpmaddubsw would saturate on 8-bit codes (u up to 255), so those are turned back
/// into signed q = u − 128 and multiplied as |q| · (v with q's sign) (activation codes are ≥ −127).
QK_INLINE __m256i dot4_add(__m256i s, __m256i u, __m256i v, int bits) {
#if QK_VNNI
    (void)bits;
    return _mm256_dpbusd_epi32(s, u, v);
#else
    if (bits == 8) {
        const __m256i q = _mm256_xor_si256(u, _mm256_set1_epi8((char)0x80));
        return _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(v, q)), _mm256_set1_epi16(1)));
    }
    return _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_maddubs_epi16(u, v), _mm256_set1_epi16(1)));
#endif
}

/// The eight code vectors of one panel block (vector c: columns 4c..4c+3 of rows 0..7), unpacked
/// from the layout of panel_block_bytes.
QK_INLINE void panel_codes(const uint8_t *blk, int bits, __m256i u[8]) {
    if (bits == 8) {
        for (int c = 0; c < 8; c++) u[c] = _mm256_loadu_si256((const __m256i *)(blk + 32 * c));
        return;
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int c = 0; c < 4; c++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(blk + 32 * c));
        u[c] = _mm256_and_si256(v, low4);
        u[c + 4] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
    }
    if (bits == 5) {
        // Bit c of each byte moves to bit 4 (16-bit shifts by at most 4 keep it inside its byte).
        const __m256i h = _mm256_loadu_si256((const __m256i *)(blk + 128)), bit4 = _mm256_set1_epi8(0x10);
        u[0] = _mm256_or_si256(u[0], _mm256_and_si256(_mm256_slli_epi16(h, 4), bit4));
        u[1] = _mm256_or_si256(u[1], _mm256_and_si256(_mm256_slli_epi16(h, 3), bit4));
        u[2] = _mm256_or_si256(u[2], _mm256_and_si256(_mm256_slli_epi16(h, 2), bit4));
        u[3] = _mm256_or_si256(u[3], _mm256_and_si256(_mm256_slli_epi16(h, 1), bit4));
        u[4] = _mm256_or_si256(u[4], _mm256_and_si256(h, bit4));
        u[5] = _mm256_or_si256(u[5], _mm256_and_si256(_mm256_srli_epi16(h, 1), bit4));
        u[6] = _mm256_or_si256(u[6], _mm256_and_si256(_mm256_srli_epi16(h, 2), bit4));
        u[7] = _mm256_or_si256(u[7], _mm256_and_si256(_mm256_srli_epi16(h, 3), bit4));
    }
}

/// One panel (eight weight rows) against R activation rows. Per block, the eight code vectors
/// (each four columns of all eight rows) are loaded once; each activation row broadcasts four of
/// its codes at a time against them, so lane j sums row j's products with no reduction across
/// lanes. A chains of integer sums per row keep the multiply-adds independent when R is small.
QK_INLINE void panel_group(int64_t n, const uint8_t *panel, int bits, int valid, const uint8_t *xb, int64_t xs, int R,
                           float *out, int64_t os) {
    const int64_t nb = n / 32;
    const int block_bytes = panel_block_bytes(bits);
    // The AVX2 form of 8-bit codes multiplies signed codes: no offset to take back out.
    const int shift = (!QK_VNNI && bits == 8) ? -1 : bits - 1;
    const int A = R == 1 ? 4 : R == 2 ? 2 : 1;
    __m256 acc[8];
    for (int t = 0; t < R; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++) {
        __m256i u[8];
        const uint8_t *blk = panel + b * block_bytes;
        panel_codes(blk, bits, u);
        const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + panel_code_bytes(bits))));
        for (int t = 0; t < R; t++) {
            const uint8_t *xt = xb + t * xs;
            const uint8_t *xq = xt + 8 * nb + 32 * b;
            __m256i s[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
            for (int c = 0; c < 8; c++) {
                int32_t four;
                memcpy(&four, xq + 4 * c, 4);
                s[c % A] = dot4_add(s[c % A], u[c], _mm256_set1_epi32(four), bits);
            }
            __m256i sum = s[0];
            for (int a = 1; a < A; a++) sum = _mm256_add_epi32(sum, s[a]);
            if (shift >= 0) sum = _mm256_sub_epi32(sum, _mm256_slli_epi32(_mm256_set1_epi32(((const int32_t *)xt)[nb + b]), shift));
            const __m256 dx = _mm256_set1_ps(((const float *)xt)[b]);
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, dx), _mm256_cvtepi32_ps(sum), acc[t]);
        }
    }
    const __m256i keep = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (int t = 0; t < R; t++) {
        if (valid == QK_PANEL_ROWS) _mm256_storeu_ps(out + t * os, acc[t]);
        else _mm256_maskstore_ps(out + t * os, keep, acc[t]);
    }
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

/// Row groups of eight where the variant has 32 vector registers, four otherwise.
#define QK_WIDE (QK_VNNI ? 8 : 4)

#define QK_DEFINE_ROWS(name)                                                                                     \
    void QK_FN(qk_dot_##name##_rows)(int64_t n, const void *w, const void *x, int64_t x_stride, int64_t rows,    \
                                     float *out, int64_t out_stride) {                                           \
        QK_ROW_GROUPS(dot_##name##_group, QK_WIDE, n, (const uint8_t *)w);                                       \
    }

QK_DEFINE_ROWS(q4_K)
QK_DEFINE_ROWS(q6_K)

void QK_FN(qk_panel_dot_rows)(int code_bits, int64_t n, const void *panel, const void *x, int64_t x_stride, int64_t rows,
                              float *out, int64_t out_stride, int valid) {
    QK_ROW_GROUPS(panel_group, QK_WIDE, n, (const uint8_t *)panel, code_bits, valid);
}
