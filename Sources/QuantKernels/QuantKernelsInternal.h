// Helpers shared by the scalar, panel and SIMD kernels (not part of the module's API).
#ifndef QUANT_KERNELS_INTERNAL_H
#define QUANT_KERNELS_INTERNAL_H

#include "QuantKernels.h"

#include <string.h>

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

static inline int is_k_quant(int type) { return type == QK_TYPE_Q4_K || type == QK_TYPE_Q6_K; }

/// Code width of a 32-weight format (8, 5 or 4), which is also where its unsigned codes start:
/// u = q + 2^(bits − 1).
static inline int code_bits(int type) { return type == QK_TYPE_Q8_0 ? 8 : type == QK_TYPE_Q5_0 ? 5 : 4; }

/// Bytes of one ggml block of a 32-weight format.
static inline int ggml_block_bytes_32(int type) { return type == QK_TYPE_Q8_0 ? 34 : type == QK_TYPE_Q5_0 ? 22 : 18; }

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

/// Q4_K: the 256 unsigned 4-bit codes of a block in weight order (the nibbles at byte 16 on: byte
/// 32c + i holds weight 64c + i low and 64c + 32 + i high).
static inline void q4k_codes(uint8_t u[256], const uint8_t *blk) {
    const uint8_t *qs = blk + 16;
    for (int c = 0; c < 4; c++)
        for (int i = 0; i < 32; i++) {
            u[64 * c + i] = qs[32 * c + i] & 0x0F;
            u[64 * c + 32 + i] = qs[32 * c + i] >> 4;
        }
}

/// Q6_K: the 256 unsigned 6-bit codes (q + 32) of a block in weight order. Weight 128h + 32j + l
/// takes the low or high nibble of ql[64h + l (+32 for odd j)] and bits 2j..2j+1 of qh[32h + l].
static inline void q6k_codes(uint8_t u[256], const uint8_t *blk) {
    for (int h = 0; h < 2; h++) {
        const uint8_t *ql = blk + 64 * h, *qh = blk + 128 + 32 * h;
        for (int j = 0; j < 4; j++)
            for (int l = 0; l < 32; l++) {
                const uint8_t low = (j & 1) ? ql[l + 32] : ql[l];
                const uint8_t nib = (j < 2) ? (low & 0x0F) : (low >> 4);
                u[128 * h + 32 * j + l] = (uint8_t)(nib | (((qh[l] >> (2 * j)) & 3) << 4));
            }
    }
}

// Panel block layouts (see Panels.c). Offsets within one block of a panel:
enum {
    // 32-weight formats: the codes, then eight fp16 row scales.
    PANEL_Q8_0_CODES = 256, PANEL_Q5_0_CODES = 160, PANEL_Q4_0_CODES = 128,
    // Q4_K: eight sub-blocks of 128 bytes of nibbles, then d, dmin (8 fp16 each), scales, mins (8 × 8 bytes).
    PANEL_Q4_K_D = 1024, PANEL_Q4_K_DMIN = 1040, PANEL_Q4_K_SCALES = 1056, PANEL_Q4_K_MINS = 1120, PANEL_Q4_K_BYTES = 1184,
    // Q6_K: eight 32-column chunks of 128 bytes of low nibbles and 64 of high bit pairs, then the
    // sixteen sub-blocks' int8 scales (16 × 8 bytes), then d (8 fp16).
    PANEL_Q6_K_CHUNK = 192, PANEL_Q6_K_SCALES = 1536, PANEL_Q6_K_D = 1664, PANEL_Q6_K_BYTES = 1680,
};

/// Bytes of the codes of a 32-weight panel block, by code width.
static inline int panel_code_bytes(int bits) { return bits == 8 ? PANEL_Q8_0_CODES : bits == 5 ? PANEL_Q5_0_CODES : PANEL_Q4_0_CODES; }

/// Bytes of one panel block.
static inline int panel_block_bytes(int type) {
    if (type == QK_TYPE_Q4_K) return PANEL_Q4_K_BYTES;
    if (type == QK_TYPE_Q6_K) return PANEL_Q6_K_BYTES;
    return panel_code_bytes(code_bits(type)) + 2 * QK_PANEL_ROWS;
}

/// Columns per panel block.
static inline int panel_block_columns(int type) { return is_k_quant(type) ? 256 : 32; }

#endif
