// The SIMD dot-product kernels, written once and compiled twice: QuantizedDotAVX2.c includes
// this file with QK_VNNI 0 (AVX2 + FMA, the baseline), QuantizedDotVNNI.c with QK_VNNI 1 and
// AVX-512 VNNI/VL enabled (vpdpbusd, and 32 vector registers). QK_FN(name) appends the variant's
// suffix. Both give the bits of the scalar twins: integer sums are exact whichever instructions
// form them, and the float operations are the same in the same order.
//
// Panels (QuantKernels.h): each block of eight weight rows is unpacked once into code vectors and
// applied to R activation rows, each row keeping its own accumulators, so results do not depend
// on R. The drivers fix R to a literal, so the per-row loops unroll into registers.
#include "QuantKernelsInternal.h"

#include <immintrin.h>
#include <math.h>

#define QK_INLINE static inline __attribute__((always_inline))

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

/// Asks for the panel block `ahead` blocks after `blk` (`bytes` long each). Against many
/// activation rows a block takes long enough to process that the hardware prefetcher alone falls
/// behind the weights streaming from memory (measured on one core, 16 rows: Q4_K 85 -> 145
/// GMAC/s two blocks ahead, Q5_0 120 -> 140 and Q8_0 107 -> 141 eight blocks ahead); for a
/// single row it only costs (Q5_0 47 -> 36). Past a panel's end this is the next panel, which
/// the same worker usually takes next.
QK_INLINE void prefetch_ahead(const uint8_t *blk, int bytes, int ahead) {
    for (int l = 0; l < bytes; l += 64) _mm_prefetch((const char *)blk + ahead * bytes + l, _MM_HINT_T0);
}

/// Stores each row's eight results (the panel's first `valid` rows).
QK_INLINE void store_rows(float *out, int64_t os, int R, const __m256 acc[], int valid) {
    const __m256i keep = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (int t = 0; t < R; t++) {
        if (valid == QK_PANEL_ROWS) _mm256_storeu_ps(out + t * os, acc[t]);
        else _mm256_maskstore_ps(out + t * os, keep, acc[t]);
    }
}

/// Σ over the eight code vectors u (32 columns) against activation codes xq (32 bytes), as exact
/// int32 lanes: row j's sum in lane j. A chains keep the multiply-adds independent when R is small.
QK_INLINE __m256i dot_32_columns(const __m256i u[8], const uint8_t *xq, int bits, int A) {
    __m256i s[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int c = 0; c < 8; c++) {
        int32_t four;
        memcpy(&four, xq + 4 * c, 4);
        s[c % A] = dot4_add(s[c % A], u[c], _mm256_set1_epi32(four), bits);
    }
    __m256i sum = s[0];
    for (int a = 1; a < A; a++) sum = _mm256_add_epi32(sum, s[a]);
    return sum;
}

/// One panel (eight weight rows) against R activation rows. Per block, the eight code vectors
/// (each four columns of all eight rows) are loaded once; each activation row broadcasts four of
/// its codes at a time against them, so lane j sums row j's products with no reduction across
/// lanes. A chains of integer sums per row keep the multiply-adds independent when R is small.
QK_INLINE void panel_group(int64_t n, const uint8_t *panel, int type, int valid, int64_t bs, const uint8_t *xb, int64_t xs, int R,
                           float *out, int64_t os) {
    const int64_t nb = n / 32;
    const int bits = code_bits(type), block_bytes = panel_block_bytes(type);
    // The AVX2 form of 8-bit codes multiplies signed codes: no offset to take back out.
    const int shift = (!QK_VNNI && bits == 8) ? -1 : bits - 1;
    const int A = R == 1 ? 4 : R == 2 ? 2 : 1;
    __m256 acc[16];
    for (int t = 0; t < R; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++, xb += bs) {
        __m256i u[8];
        const uint8_t *blk = panel + b * block_bytes;
        if (R >= 4) prefetch_ahead(blk, block_bytes, 8);
        panel_codes(blk, bits, u);
        const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + panel_code_bytes(bits))));
        for (int t = 0; t < R; t++) {
            const uint8_t *xt = xb + t * xs;
            __m256i sum = dot_32_columns(u, xt + 8, bits, A);
            if (shift >= 0) sum = _mm256_sub_epi32(sum, _mm256_slli_epi32(_mm256_set1_epi32(((const int32_t *)xt)[1]), shift));
            const __m256 dx = _mm256_set1_ps(((const float *)xt)[0]);
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, dx), _mm256_cvtepi32_ps(sum), acc[t]);
        }
    }
    store_rows(out, os, R, acc, valid);
}

/// Eight unsigned bytes (one per panel row) as int32 lanes.
QK_INLINE __m256i bytes_u32(const uint8_t *p) { return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p)); }

/// Q4_K panel against R activation rows (Q8_K). Per 256 columns and row: S = Σ_j scale_j · T_j
/// with T_j the sum over sub-block j, M = Σ_j min_j · (Σx of sub-block j), both exact; then
/// acc += (d · d_x) · S and m += (dmin · d_x) · M.
QK_INLINE void panel_q4k_group(int64_t n, const uint8_t *panel, int valid, int64_t bs, const uint8_t *xb, int64_t xs, int R,
                               float *out, int64_t os) {
    const int A = R == 1 ? 4 : R == 2 ? 2 : 1;
    __m256 acc[8], mins[8];
    for (int t = 0; t < R; t++) acc[t] = mins[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 256; b++, xb += bs) {
        const uint8_t *blk = panel + b * PANEL_Q4_K_BYTES;
        prefetch_ahead(blk, PANEL_Q4_K_BYTES, 2);
        __m256i S[8], M[8];
        for (int t = 0; t < R; t++) S[t] = M[t] = _mm256_setzero_si256();
        for (int j = 0; j < 8; j++) {
            __m256i u[8];
            panel_codes(blk + 128 * j, 4, u);
            const __m256i scale = bytes_u32(blk + PANEL_Q4_K_SCALES + 8 * j);
            // Each row's min twice, as two int16 lanes, against the two activation sums of 16.
            const __m128i m16 = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)(blk + PANEL_Q4_K_MINS + 8 * j)));
            const __m256i minPairs = _mm256_set_m128i(_mm_unpackhi_epi16(m16, m16), _mm_unpacklo_epi16(m16, m16));
            for (int t = 0; t < R; t++) {
                const uint8_t *xt = xb + t * xs;
                S[t] = _mm256_add_epi32(S[t], _mm256_mullo_epi32(dot_32_columns(u, xt + 4 + 32 * j, 4, A), scale));
                int32_t sums;
                memcpy(&sums, xt + 260 + 4 * j, 4);
                M[t] = _mm256_add_epi32(M[t], _mm256_madd_epi16(minPairs, _mm256_set1_epi32(sums)));
            }
        }
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + PANEL_Q4_K_D)));
        const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + PANEL_Q4_K_DMIN)));
        for (int t = 0; t < R; t++) {
            const __m256 dx = _mm256_set1_ps(float_at(xb + t * xs));
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, dx), _mm256_cvtepi32_ps(S[t]), acc[t]);
            mins[t] = _mm256_fmadd_ps(_mm256_mul_ps(dmin, dx), _mm256_cvtepi32_ps(M[t]), mins[t]);
        }
    }
    for (int t = 0; t < R; t++) acc[t] = _mm256_sub_ps(acc[t], mins[t]);
    store_rows(out, os, R, acc, valid);
}

/// The eight 6-bit code vectors of a Q6_K panel chunk: nibbles as Q4_0, then bit pairs 2k..2k+1
/// of the pair bytes moved to bits 4..5 (16-bit shifts by at most 4 keep them inside their byte).
QK_INLINE void q6k_chunk_codes(const uint8_t *chunk, __m256i u[8]) {
    panel_codes(chunk, 4, u);
    const __m256i top = _mm256_set1_epi8(0x30);
    for (int h = 0; h < 2; h++) {
        const __m256i pairs = _mm256_loadu_si256((const __m256i *)(chunk + 128 + 32 * h));
        u[4 * h + 0] = _mm256_or_si256(u[4 * h + 0], _mm256_and_si256(_mm256_slli_epi16(pairs, 4), top));
        u[4 * h + 1] = _mm256_or_si256(u[4 * h + 1], _mm256_and_si256(_mm256_slli_epi16(pairs, 2), top));
        u[4 * h + 2] = _mm256_or_si256(u[4 * h + 2], _mm256_and_si256(pairs, top));
        u[4 * h + 3] = _mm256_or_si256(u[4 * h + 3], _mm256_and_si256(_mm256_srli_epi16(pairs, 2), top));
    }
}

/// Q6_K panel against R activation rows (Q8_K). Per 256 columns and row: V = Σ_j scale_j · (T_j −
/// 32 · Σx of sub-block j) over the sixteen sub-blocks of 16, exact; then acc += (d · d_x) · V.
QK_INLINE void panel_q6k_group(int64_t n, const uint8_t *panel, int valid, int64_t bs, const uint8_t *xb, int64_t xs, int R,
                               float *out, int64_t os) {
    const int A = R == 1 ? 2 : 1;
    __m256 acc[8];
    for (int t = 0; t < R; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < n / 256; b++, xb += bs) {
        const uint8_t *blk = panel + b * PANEL_Q6_K_BYTES;
        prefetch_ahead(blk, PANEL_Q6_K_BYTES, 2);
        __m256i V[8];
        for (int t = 0; t < R; t++) V[t] = _mm256_setzero_si256();
        for (int k = 0; k < 8; k++) {
            __m256i u[8];
            q6k_chunk_codes(blk + PANEL_Q6_K_CHUNK * k, u);
            const __m128i sc0 = _mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)(blk + PANEL_Q6_K_SCALES + 16 * k)));
            const __m128i sc1 = _mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)(blk + PANEL_Q6_K_SCALES + 16 * k + 8)));
            const __m256i scale0 = _mm256_cvtepi16_epi32(sc0), scale1 = _mm256_cvtepi16_epi32(sc1);
            // Row j's two scales as int16 lanes (2j, 2j + 1), against the two activation sums of 16.
            const __m256i scalePairs = _mm256_set_m128i(_mm_unpackhi_epi16(sc0, sc1), _mm_unpacklo_epi16(sc0, sc1));
            for (int t = 0; t < R; t++) {
                const uint8_t *xq = xb + t * xs + 4 + 32 * k;
                __m256i s0[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()}, s1[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
                for (int c = 0; c < 4; c++) {
                    int32_t lo, hi;
                    memcpy(&lo, xq + 4 * c, 4);
                    memcpy(&hi, xq + 16 + 4 * c, 4);
                    s0[c % A] = dot4_add(s0[c % A], u[c], _mm256_set1_epi32(lo), 6);
                    s1[c % A] = dot4_add(s1[c % A], u[c + 4], _mm256_set1_epi32(hi), 6);
                }
                if (A == 2) s0[0] = _mm256_add_epi32(s0[0], s0[1]), s1[0] = _mm256_add_epi32(s1[0], s1[1]);
                int32_t sums;
                memcpy(&sums, xb + t * xs + 260 + 4 * k, 4);
                const __m256i offsets = _mm256_slli_epi32(_mm256_madd_epi16(scalePairs, _mm256_set1_epi32(sums)), 5);
                V[t] = _mm256_add_epi32(V[t], _mm256_sub_epi32(_mm256_add_epi32(_mm256_mullo_epi32(s0[0], scale0),
                                                                                _mm256_mullo_epi32(s1[0], scale1)), offsets));
            }
        }
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + PANEL_Q6_K_D)));
        for (int t = 0; t < R; t++)
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(float_at(xb + t * xs))), _mm256_cvtepi32_ps(V[t]), acc[t]);
    }
    store_rows(out, os, R, acc, valid);
}

/// One panel block's weights dequantized as ggml does, for fp32 activations: w[4c + k] (c the
/// block's 4-column group, k the row pair) holds rows 2k (lanes 0–3) and 2k + 1 (lanes 4–7) at
/// columns 4c..4c+3, ready to multiply against four activations broadcast to both halves.
QK_INLINE void panel_block_f32(int type, const uint8_t *blk, __m256 *w) {
    uint8_t codes[256];
    const int groups = is_k_quant(type) ? 8 : 1;
    // Row j's scale (and offset) in both halves' pattern: rows 2k, 2k + 1 of each pair.
    const __m256i pairIndex[4] = {_mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1), _mm256_setr_epi32(2, 2, 2, 2, 3, 3, 3, 3),
                                  _mm256_setr_epi32(4, 4, 4, 4, 5, 5, 5, 5), _mm256_setr_epi32(6, 6, 6, 6, 7, 7, 7, 7)};
    for (int g = 0; g < groups; g++) {
        __m256i u[8];
        if (type == QK_TYPE_Q6_K) q6k_chunk_codes(blk + PANEL_Q6_K_CHUNK * g, u);
        else if (type == QK_TYPE_Q4_K) panel_codes(blk + 128 * g, 4, u);
        else panel_codes(blk, code_bits(type), u);
        for (int c = 0; c < 8; c++) _mm256_storeu_si256((__m256i *)(codes + 32 * c), u[c]);
        __m256 scale[2], offset = _mm256_setzero_ps();  // per row; scale[1]: Q6_K's second sub-block of 16
        if (type == QK_TYPE_Q4_K) {
            const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + PANEL_Q4_K_D)));
            const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + PANEL_Q4_K_DMIN)));
            scale[0] = _mm256_mul_ps(d, _mm256_cvtepi32_ps(bytes_u32(blk + PANEL_Q4_K_SCALES + 8 * g)));
            offset = _mm256_mul_ps(dmin, _mm256_cvtepi32_ps(bytes_u32(blk + PANEL_Q4_K_MINS + 8 * g)));
        } else if (type == QK_TYPE_Q6_K) {
            const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + PANEL_Q6_K_D)));
            for (int h = 0; h < 2; h++)
                scale[h] = _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(
                    _mm_loadl_epi64((const __m128i *)(blk + PANEL_Q6_K_SCALES + 8 * (2 * g + h))))));
        } else {
            scale[0] = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(blk + panel_code_bytes(code_bits(type)))));
        }
        const __m256i shift = _mm256_set1_epi32(type == QK_TYPE_Q6_K ? 32 : type == QK_TYPE_Q4_K ? 0 : 1 << (code_bits(type) - 1));
        for (int c = 0; c < 8; c++) {
            const int h = type == QK_TYPE_Q6_K && c >= 4;  // Q6_K: columns 16..31 of the chunk
            for (int k = 0; k < 4; k++) {
                const __m256 q = _mm256_cvtepi32_ps(_mm256_sub_epi32(
                    _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(codes + 32 * c + 8 * k))), shift));
                __m256 v = _mm256_mul_ps(_mm256_permutevar8x32_ps(scale[h], pairIndex[k]), q);
                if (type == QK_TYPE_Q4_K) v = _mm256_sub_ps(v, _mm256_permutevar8x32_ps(offset, pairIndex[k]));
                w[32 * g + 4 * c + k] = v;
            }
        }
    }
}

/// fp32 activations against a panel: per block the weights are dequantized once into `w`, then
/// every activation row (up to 64 at a time, in groups of four held in registers) runs its fused
/// multiply-adds against them.
QK_INLINE void panel_f32_rows(int type, int64_t n, const uint8_t *panel, const float *x, int64_t xs, int64_t rows,
                              float *out, int64_t os, int valid) {
    const int columns = panel_block_columns(type), block_bytes = panel_block_bytes(type);
    enum { CHUNK = 64, G = 4 };
    __m256 acc[CHUNK][4], w[256];
    for (int64_t t0 = 0; t0 < rows; t0 += CHUNK) {
        const int rowsHere = rows - t0 < CHUNK ? (int)(rows - t0) : CHUNK;
        for (int t = 0; t < rowsHere; t++)
            for (int k = 0; k < 4; k++) acc[t][k] = _mm256_setzero_ps();
        for (int64_t b = 0; b < n / columns; b++) {
            panel_block_f32(type, panel + b * block_bytes, w);
            const float *xb = x + t0 * xs + b * columns;
            int t = 0;
            for (; t + G <= rowsHere; t += G) {
                __m256 a[G][4];
                for (int r = 0; r < G; r++)
                    for (int k = 0; k < 4; k++) a[r][k] = acc[t + r][k];
                for (int c = 0; c < columns / 4; c++)
                    for (int r = 0; r < G; r++) {
                        const __m256 xv = _mm256_broadcast_ps((const __m128 *)(xb + (t + r) * xs + 4 * c));
                        for (int k = 0; k < 4; k++) a[r][k] = _mm256_fmadd_ps(w[4 * c + k], xv, a[r][k]);
                    }
                for (int r = 0; r < G; r++)
                    for (int k = 0; k < 4; k++) acc[t + r][k] = a[r][k];
            }
            for (; t < rowsHere; t++)
                for (int c = 0; c < columns / 4; c++) {
                    const __m256 xv = _mm256_broadcast_ps((const __m128 *)(xb + t * xs + 4 * c));
                    for (int k = 0; k < 4; k++) acc[t][k] = _mm256_fmadd_ps(w[4 * c + k], xv, acc[t][k]);
                }
        }
        for (int t = 0; t < rowsHere; t++) {
            float lanes[32];
            for (int k = 0; k < 4; k++) _mm256_storeu_ps(lanes + 8 * k, acc[t][k]);
            for (int j = 0; j < valid; j++) {
                const float *p = lanes + 8 * (j / 2) + 4 * (j % 2);
                out[(t0 + t) * os + j] = (p[0] + p[1]) + (p[2] + p[3]);
            }
        }
    }
}

/// Runs GROUP over the rows WIDE at a time (16, 8 or 4), then the remainder, each call with a literal
/// R so that its per-row loops unroll.
#define QK_ROW_GROUPS(GROUP, WIDE, ...)                                                        \
    do {                                                                                       \
        const uint8_t *xr = (const uint8_t *)x;                                                \
        int64_t t = 0;                                                                         \
        for (; t + WIDE <= rows; t += WIDE) GROUP(__VA_ARGS__, xr + t * x_stride, x_stride, WIDE, out + t * out_stride, out_stride); \
        if (WIDE > 8 && rows - t >= 8) {                                                       \
            GROUP(__VA_ARGS__, xr + t * x_stride, x_stride, 8, out + t * out_stride, out_stride); \
            t += 8;                                                                            \
        }                                                                                      \
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

/// Row groups of eight where the variant has 32 vector registers, four otherwise; the 32-weight
/// formats, with one accumulator per row, fit sixteen rows in 32 registers.
#define QK_WIDE (QK_VNNI ? 8 : 4)
#define QK_WIDE_32 (QK_VNNI ? 16 : 4)

void QK_FN(qk_panel_dot_rows)(int type, int64_t n, const void *panel, const void *x, int64_t x_stride, int64_t x_block_stride,
                              int64_t rows, float *out, int64_t out_stride, int valid) {
    const uint8_t *p = (const uint8_t *)panel;
    if (type == QK_TYPE_Q4_K) QK_ROW_GROUPS(panel_q4k_group, QK_WIDE, n, p, valid, x_block_stride);
    else if (type == QK_TYPE_Q6_K) QK_ROW_GROUPS(panel_q6k_group, QK_WIDE, n, p, valid, x_block_stride);
    else QK_ROW_GROUPS(panel_group, QK_WIDE_32, n, p, type, valid, x_block_stride);
}

void QK_FN(qk_panel_dot_rows_f32)(int type, int64_t n, const void *panel, const float *x, int64_t x_stride, int64_t rows,
                                  float *out, int64_t out_stride, int valid) {
    panel_f32_rows(type, n, (const uint8_t *)panel, x, x_stride, rows, out, out_stride, valid);
}
