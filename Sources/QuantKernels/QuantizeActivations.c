// Activation quantization, following ggml's definitions (ggml-quants.c and the x86 path of
// ggml-cpu) so that dot products see the same integers llama.cpp's do.
#include "QuantKernels.h"

#include <math.h>
#include <string.h>

void qk_quantize_q8_0(const float *x, void *y, int64_t k, int64_t block_stride) {
    for (int64_t b = 0; b < k / 32; b++, x += 32) {
        uint8_t *blk = (uint8_t *)y + b * block_stride;
        int8_t *codes = (int8_t *)(blk + 8);
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[j]));
        // ggml stores the scale as fp16; it is kept here as the fp32 value of that fp16, so the dot
        // products multiply by the same number without converting it for every weight row.
        const float d = (float)(_Float16)(amax / 127.f);
        memcpy(blk, &d, 4);
        // The multiplier is 127/amax, not the reciprocal of the rounded fp16 scale (as ggml's AVX path).
        const float id = amax != 0.f ? 127.f / amax : 0.f;
        int32_t sum = 0;
        for (int j = 0; j < 32; j++) {
            codes[j] = (int8_t)rintf(x[j] * id); // round half to even
            sum += codes[j];
        }
        memcpy(blk + 4, &sum, 4);
    }
}

// Round half to even for |v| < 2^22 by adding 1.5·2^23 and reading the mantissa (ggml's nearest_int).
static inline int nearest_int(float v) {
    float shifted = v + 12582912.f;
    int32_t bits;
    memcpy(&bits, &shifted, 4);
    return (bits & 0x007fffff) - 0x00400000;
}

void qk_quantize_q8_K_scalar(const float *x, void *y, int64_t k, int64_t block_stride) {
    for (int64_t b = 0; b < k / 256; b++, x += 256) {
        uint8_t *out = (uint8_t *)y + b * block_stride;
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

#if defined(__AVX2__)
#include <immintrin.h>

// The same with AVX2: the first element of largest magnitude found with vector maxima, codes
// rounded by vcvtps2dq (round half to even, as nearest_int, for the |v| ≤ 127 here), sums of 16
// by multiply-adding the codes with ones.
void qk_quantize_q8_K(const float *x, void *y, int64_t k, int64_t block_stride) {
    const __m256 signBit = _mm256_set1_ps(-0.f);
    for (int64_t b = 0; b < k / 256; b++, x += 256) {
        uint8_t *out = (uint8_t *)y + b * block_stride;
        __m256 m = _mm256_setzero_ps();
        for (int j = 0; j < 256; j += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(signBit, _mm256_loadu_ps(x + j)));
        __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_movehdup_ps(h));
        const float amax = _mm_cvtss_f32(h);
        int8_t *q = (int8_t *)(out + 4);
        int16_t sums[16] = {0};
        float d = 0;
        if (amax != 0) {
            int first = 0;
            while (fabsf(x[first]) != amax) first++;
            const float iscale = -127.f / x[first];
            const __m256 s = _mm256_set1_ps(iscale);
            const __m256i limit = _mm256_set1_epi32(127);
            for (int j = 0; j < 256; j += 32) {
                __m256i v[4];
                for (int i = 0; i < 4; i++)
                    v[i] = _mm256_min_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(s, _mm256_loadu_ps(x + j + 8 * i))), limit);
                // packs interleaves 128-bit halves; the permute restores element order.
                const __m256i w01 = _mm256_packs_epi32(v[0], v[1]), w23 = _mm256_packs_epi32(v[2], v[3]);
                const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(w01, w23), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
                _mm256_storeu_si256((__m256i *)(q + j), bytes);
                const __m256i w = _mm256_maddubs_epi16(_mm256_set1_epi8(1), bytes);  // pairs, as int16
                const __m256i s16 = _mm256_madd_epi16(w, _mm256_set1_epi16(1));        // fours, as int32
                int32_t fours[8];
                _mm256_storeu_si256((__m256i *)fours, s16);
                sums[j / 16] = (int16_t)(fours[0] + fours[1] + fours[2] + fours[3]);
                sums[j / 16 + 1] = (int16_t)(fours[4] + fours[5] + fours[6] + fours[7]);
            }
            d = 1 / iscale;
        } else {
            memset(q, 0, 256);
        }
        memcpy(out, &d, 4);
        memcpy(out + 260, sums, sizeof sums);
    }
}
#else
void qk_quantize_q8_K(const float *x, void *y, int64_t k, int64_t block_stride) { qk_quantize_q8_K_scalar(x, y, k, block_stride); }
#endif
