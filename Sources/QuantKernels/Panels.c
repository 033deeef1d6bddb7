// Weight panels: matrices repacked so that one vector instruction multiplies eight weight rows at
// once (QuantKernels.h), and the portable panel kernels (8-bit and fp32 activations), used off x86
// and as the tests' check of the layouts. Within a panel, `v[32c + 4j + i]` below names code i of
// vector c, row j: column 4c + i of the 32-column group, for panel row j.
//
// Layouts of one panel block:
// - Q8_0: 256 code bytes (u = q + 128), then the rows' eight fp16 scales.
// - Q5_0, Q4_0: the nibbles of vectors c and c + 4 share 32 bytes (low, high) for c < 4; Q5_0 then
//   has 32 bytes of fifth bits, bit c of byte i belonging to vector c. Then the eight fp16 scales.
// - Q4_K (256 columns): eight sub-blocks of 32 columns packed as a Q4_0 block's codes (1,024 bytes),
//   the rows' d and dmin (eight fp16 each), then their 6-bit scales and mins as bytes, sub-block
//   by sub-block (64 bytes each).
// - Q6_K (256 columns): eight 32-column chunks, each 128 bytes of low nibbles (as Q4_0) and 64 of
//   high bit pairs (32 bytes for vectors 0–3, 32 for 4–7, bits 2k..2k+1 of byte i belonging to
//   vector 4h + k), then the sixteen 16-column sub-blocks' int8 scales (eight bytes each), then d.
#include "QuantKernelsInternal.h"

#include <math.h>

// Dequantization rounds each product on its own, as ggml's reference code does.
#pragma STDC FP_CONTRACT OFF

int64_t qk_panel_bytes(int type, int64_t n) {
    const int64_t bytes = n / panel_block_columns(type) * panel_block_bytes(type);
    return (bytes + 63) / 64 * 64;
}

/// Unsigned codes u = q + 2^(bits−1) of a 32-weight block.
static void unsigned_codes_32(uint8_t u[32], const uint8_t *blk, int bits) {
    if (bits == 8) {
        for (int i = 0; i < 32; i++) u[i] = (uint8_t)(blk[2 + i] ^ 0x80);
    } else if (bits == 5) {
        uint32_t qh;
        memcpy(&qh, blk + 2, 4);
        const uint8_t *qs = blk + 6;
        for (int j = 0; j < 16; j++) {
            u[j] = (uint8_t)((qs[j] & 0x0F) | (((qh >> j) & 1) << 4));
            u[j + 16] = (uint8_t)((qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
        }
    } else {
        for (int j = 0; j < 16; j++) {
            u[j] = (uint8_t)(blk[2 + j] & 0x0F);
            u[j + 16] = (uint8_t)(blk[2 + j] >> 4);
        }
    }
}

/// Stores a 32-column group's codes v[256] at their width (8, 5 or 4 bits; 6-bit codes are stored
/// by the Q6_K packer as 4 bits here plus their pairs of high bits).
static void pack_codes(uint8_t *dst, const uint8_t v[256], int bits) {
    if (bits == 8) {
        memcpy(dst, v, 256);
        return;
    }
    for (int c = 0; c < 4; c++)
        for (int i = 0; i < 32; i++) dst[32 * c + i] = (uint8_t)((v[32 * c + i] & 0x0F) | ((v[32 * (c + 4) + i] & 0x0F) << 4));
    if (bits == 5)
        for (int i = 0; i < 32; i++) {
            uint8_t h = 0;
            for (int c = 0; c < 8; c++) h |= (uint8_t)(((v[32 * c + i] >> 4) & 1) << c);
            dst[128 + i] = h;
        }
}

/// The inverse of pack_codes.
static void unpack_codes(uint8_t v[256], const uint8_t *src, int bits) {
    if (bits == 8) {
        memcpy(v, src, 256);
        return;
    }
    for (int c = 0; c < 4; c++)
        for (int i = 0; i < 32; i++) {
            v[32 * c + i] = src[32 * c + i] & 0x0F;
            v[32 * (c + 4) + i] = src[32 * c + i] >> 4;
        }
    if (bits == 5)
        for (int c = 0; c < 8; c++)
            for (int i = 0; i < 32; i++) v[32 * c + i] |= (uint8_t)(((src[128 + i] >> c) & 1) << 4);
}

/// Q6_K chunk: codes v[256] (6 bits) as 128 bytes of nibbles and 64 bytes of bit pairs.
static void pack_q6k_chunk(uint8_t *dst, const uint8_t v[256]) {
    pack_codes(dst, v, 4);
    for (int h = 0; h < 2; h++)
        for (int i = 0; i < 32; i++) {
            uint8_t pairs = 0;
            for (int k = 0; k < 4; k++) pairs |= (uint8_t)(((v[32 * (4 * h + k) + i] >> 4) & 3) << (2 * k));
            dst[128 + 32 * h + i] = pairs;
        }
}

static void unpack_q6k_chunk(uint8_t v[256], const uint8_t *src) {
    unpack_codes(v, src, 4);
    for (int h = 0; h < 2; h++)
        for (int k = 0; k < 4; k++)
            for (int i = 0; i < 32; i++) v[32 * (4 * h + k) + i] |= (uint8_t)(((src[128 + 32 * h + i] >> (2 * k)) & 3) << 4);
}

/// Interleaves columns col..col+31 of eight rows' codes (rows[j], 256 or 32 codes each) as v.
static void interleave(uint8_t v[256], uint8_t rows[QK_PANEL_ROWS][256], int col) {
    for (int c = 0; c < 8; c++)
        for (int j = 0; j < QK_PANEL_ROWS; j++) memcpy(v + 32 * c + 4 * j, rows[j] + col + 4 * c, 4);
}

static void pack_block(int type, uint8_t *dst, const uint8_t *src, int64_t row_bytes, int count) {
    uint8_t codes[QK_PANEL_ROWS][256] = {{0}}, v[256];
    if (!is_k_quant(type)) {
        const int bits = code_bits(type);
        for (int j = 0; j < count; j++) {
            unsigned_codes_32(codes[j], src + j * row_bytes, bits);
            memcpy(dst + panel_code_bytes(bits) + 2 * j, src + j * row_bytes, 2);
        }
        interleave(v, codes, 0);
        pack_codes(dst, v, bits);
    } else if (type == QK_TYPE_Q4_K) {
        for (int j = 0; j < count; j++) {
            const uint8_t *blk = src + j * row_bytes;
            q4k_codes(codes[j], blk);
            memcpy(dst + PANEL_Q4_K_D + 2 * j, blk, 2);
            memcpy(dst + PANEL_Q4_K_DMIN + 2 * j, blk + 2, 2);
            for (int s = 0; s < 8; s++) {
                int scale, min;
                q4k_scale_min(blk + 4, s, &scale, &min);
                dst[PANEL_Q4_K_SCALES + 8 * s + j] = (uint8_t)scale;
                dst[PANEL_Q4_K_MINS + 8 * s + j] = (uint8_t)min;
            }
        }
        for (int s = 0; s < 8; s++) {
            interleave(v, codes, 32 * s);
            pack_codes(dst + 128 * s, v, 4);
        }
    } else {
        for (int j = 0; j < count; j++) {
            const uint8_t *blk = src + j * row_bytes;
            q6k_codes(codes[j], blk);
            memcpy(dst + PANEL_Q6_K_D + 2 * j, blk + 208, 2);
            for (int s = 0; s < 16; s++) dst[PANEL_Q6_K_SCALES + 8 * s + j] = blk[192 + s];
        }
        for (int k = 0; k < 8; k++) {
            interleave(v, codes, 32 * k);
            pack_q6k_chunk(dst + PANEL_Q6_K_CHUNK * k, v);
        }
    }
}

void qk_pack_panels(int type, const void *w, int64_t rows, int64_t first_panel, int64_t panels, int64_t n, void *out) {
    const int columns = panel_block_columns(type), block_bytes = panel_block_bytes(type);
    const int ggml_bytes = type == QK_TYPE_Q4_K ? 144 : type == QK_TYPE_Q6_K ? 210 : ggml_block_bytes_32(type);
    const int64_t nb = n / columns, row_bytes = nb * ggml_bytes, stride = qk_panel_bytes(type, n);
    for (int64_t p = first_panel; p < first_panel + panels; p++) {
        uint8_t *panel = (uint8_t *)out + p * stride;
        memset(panel, 0, (size_t)stride);
        const int64_t first = p * QK_PANEL_ROWS;
        const int count = (int)(rows - first < QK_PANEL_ROWS ? rows - first : QK_PANEL_ROWS);
        for (int64_t b = 0; b < nb; b++)
            pack_block(type, panel + b * block_bytes, (const uint8_t *)w + first * row_bytes + b * ggml_bytes, row_bytes, count);
    }
}

/// Row j's codes of a panel block, in column order, for the portable kernel.
static void row_codes(uint8_t u[256], int type, const uint8_t *blk, int j) {
    uint8_t v[256];
    const int groups = is_k_quant(type) ? 8 : 1;
    for (int g = 0; g < groups; g++) {
        if (type == QK_TYPE_Q6_K) unpack_q6k_chunk(v, blk + PANEL_Q6_K_CHUNK * g);
        else if (type == QK_TYPE_Q4_K) unpack_codes(v, blk + 128 * g, 4);
        else unpack_codes(v, blk, code_bits(type));
        for (int c = 0; c < 8; c++) memcpy(u + 32 * g + 4 * c, v + 32 * c + 4 * j, 4);
    }
}

static float panel_row_dot(int type, int64_t n, const uint8_t *panel, const uint8_t *xt, int64_t bs, int j) {
    const int block_bytes = panel_block_bytes(type);
    float acc = 0, mins = 0;
    if (!is_k_quant(type)) {
        const int bits = code_bits(type);
        for (int64_t b = 0; b < n / 32; b++, xt += bs) {
            const uint8_t *blk = panel + b * block_bytes;
            const int8_t *xq = (const int8_t *)(xt + 8);
            uint8_t u[256];
            row_codes(u, type, blk, j);
            int32_t s = 0, xsum;
            for (int i = 0; i < 32; i++) s += (int32_t)u[i] * xq[i];
            memcpy(&xsum, xt + 4, 4);
            s -= (1 << (bits - 1)) * xsum;
            acc = fmaf(half_at(blk + panel_code_bytes(bits) + 2 * j) * float_at(xt), (float)s, acc);
        }
        return acc;
    }
    for (int64_t b = 0; b < n / 256; b++, xt += bs) {
        const uint8_t *blk = panel + b * block_bytes;
        const int8_t *q8 = (const int8_t *)(xt + 4);
        int16_t bsums[16];
        memcpy(bsums, xt + 260, sizeof bsums);
        uint8_t u[256];
        row_codes(u, type, blk, j);
        const float yd = float_at(xt);
        if (type == QK_TYPE_Q4_K) {
            int32_t s = 0, m = 0;
            for (int sub = 0; sub < 8; sub++) {
                int32_t t = 0;
                for (int i = 32 * sub; i < 32 * sub + 32; i++) t += (int32_t)u[i] * q8[i];
                s += blk[PANEL_Q4_K_SCALES + 8 * sub + j] * t;
                m += blk[PANEL_Q4_K_MINS + 8 * sub + j] * (bsums[2 * sub] + bsums[2 * sub + 1]);
            }
            acc = fmaf(half_at(blk + PANEL_Q4_K_D + 2 * j) * yd, (float)s, acc);
            mins = fmaf(half_at(blk + PANEL_Q4_K_DMIN + 2 * j) * yd, (float)m, mins);
        } else {
            int32_t v = 0;
            for (int sub = 0; sub < 16; sub++) {
                int32_t t = 0;
                for (int i = 16 * sub; i < 16 * sub + 16; i++) t += (int32_t)u[i] * q8[i];
                v += (int8_t)blk[PANEL_Q6_K_SCALES + 8 * sub + j] * (t - 32 * bsums[sub]);
            }
            acc = fmaf(half_at(blk + PANEL_Q6_K_D + 2 * j) * yd, (float)v, acc);
        }
    }
    return acc - mins;
}

void qk_panel_dot_rows_scalar(int type, int64_t n, const void *panel, const void *x, int64_t x_stride, int64_t x_block_stride,
                              int64_t rows, float *out, int64_t out_stride, int valid) {
    for (int64_t t = 0; t < rows; t++)
        for (int j = 0; j < valid; j++)
            out[t * out_stride + j] = panel_row_dot(type, n, (const uint8_t *)panel, (const uint8_t *)x + t * x_stride, x_block_stride, j);
}

/// Row j's 32 (or 256) weights of a panel block, dequantized as ggml does, in column order.
static void row_weights(float w[256], int type, const uint8_t *blk, int j) {
    uint8_t u[256];
    row_codes(u, type, blk, j);
    if (type == QK_TYPE_Q4_K) {
        const float d = half_at(blk + PANEL_Q4_K_D + 2 * j), dmin = half_at(blk + PANEL_Q4_K_DMIN + 2 * j);
        for (int s = 0; s < 8; s++) {
            const float d1 = d * blk[PANEL_Q4_K_SCALES + 8 * s + j], m1 = dmin * blk[PANEL_Q4_K_MINS + 8 * s + j];
            for (int i = 32 * s; i < 32 * s + 32; i++) w[i] = d1 * (float)u[i] - m1;
        }
    } else if (type == QK_TYPE_Q6_K) {
        const float d = half_at(blk + PANEL_Q6_K_D + 2 * j);
        for (int s = 0; s < 16; s++) {
            const float d1 = d * (float)(int8_t)blk[PANEL_Q6_K_SCALES + 8 * s + j];
            for (int i = 16 * s; i < 16 * s + 16; i++) w[i] = d1 * (float)(u[i] - 32);
        }
    } else {
        const int bits = code_bits(type);
        const float d = half_at(blk + panel_code_bytes(bits) + 2 * j);
        for (int i = 0; i < 32; i++) w[i] = d * (float)(u[i] - (1 << (bits - 1)));
    }
}

void qk_panel_dot_rows_f32_scalar(int type, int64_t n, const void *panel, const float *x, int64_t x_stride, int64_t rows,
                                  float *out, int64_t out_stride, int valid) {
    const int columns = panel_block_columns(type), block_bytes = panel_block_bytes(type);
    for (int64_t t = 0; t < rows; t++)
        for (int j = 0; j < valid; j++) {
            float acc[4] = {0, 0, 0, 0};
            for (int64_t b = 0; b < n / columns; b++) {
                float w[256];
                row_weights(w, type, (const uint8_t *)panel + b * block_bytes, j);
                const float *xt = x + t * x_stride + b * columns;
                for (int c = 0; c < columns; c++) acc[c % 4] = fmaf(w[c], xt[c], acc[c % 4]);
            }
            out[t * out_stride + j] = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        }
}
