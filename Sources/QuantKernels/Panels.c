// Weight panels: the 32-weight formats repacked so that one vector instruction multiplies eight
// weight rows at once (see QuantKernels.h for the layout), and the portable panel kernel used off
// x86 and as the tests' reference for the layout.
#include "QuantKernelsInternal.h"

#include <math.h>

int64_t qk_panel_bytes(int code_bits, int64_t n) {
    const int64_t bytes = n / 32 * panel_block_bytes(code_bits);
    return (bytes + 63) / 64 * 64;
}

/// Unsigned codes u = q + 2^(bits−1) of a 32-weight block, as the panels store them.
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

/// Stores the 256 unsigned codes of one block of a panel, u[32c + 4j + i] (column 4c + i of row j),
/// in the panel's packed form.
static void pack_codes(uint8_t *dst, const uint8_t u[256], int bits) {
    if (bits == 8) {
        memcpy(dst, u, 256);
        return;
    }
    for (int c = 0; c < 4; c++)
        for (int i = 0; i < 32; i++) dst[32 * c + i] = (uint8_t)((u[32 * c + i] & 0x0F) | (u[32 * (c + 4) + i] << 4));
    if (bits == 5)
        for (int i = 0; i < 32; i++) {
            uint8_t h = 0;
            for (int c = 0; c < 8; c++) h |= (uint8_t)(((u[32 * c + i] >> 4) & 1) << c);
            dst[128 + i] = h;
        }
}

/// The inverse of pack_codes.
static void unpack_codes(uint8_t u[256], const uint8_t *src, int bits) {
    if (bits == 8) {
        memcpy(u, src, 256);
        return;
    }
    for (int c = 0; c < 4; c++)
        for (int i = 0; i < 32; i++) {
            u[32 * c + i] = src[32 * c + i] & 0x0F;
            u[32 * (c + 4) + i] = src[32 * c + i] >> 4;
        }
    if (bits == 5)
        for (int c = 0; c < 8; c++)
            for (int i = 0; i < 32; i++) u[32 * c + i] |= (uint8_t)(((src[128 + i] >> c) & 1) << 4);
}

void qk_pack_panels(int code_bits, const void *w, int64_t rows, int64_t first_panel, int64_t panels, int64_t n, void *out) {
    const int64_t nb = n / 32, row_bytes = nb * block_bytes_32(code_bits), stride = qk_panel_bytes(code_bits, n);
    const int block_bytes = panel_block_bytes(code_bits);
    for (int64_t p = first_panel; p < first_panel + panels; p++) {
        uint8_t *panel = (uint8_t *)out + p * stride;
        memset(panel, 0, (size_t)stride);
        for (int64_t b = 0; b < nb; b++) {
            uint8_t u[256] = {0};
            for (int j = 0; j < QK_PANEL_ROWS && p * QK_PANEL_ROWS + j < rows; j++) {
                const uint8_t *blk = (const uint8_t *)w + (p * QK_PANEL_ROWS + j) * row_bytes + b * block_bytes_32(code_bits);
                uint8_t row_codes[32];
                unsigned_codes_32(row_codes, blk, code_bits);
                for (int c = 0; c < 8; c++) memcpy(u + 32 * c + 4 * j, row_codes + 4 * c, 4);
                memcpy(panel + b * block_bytes + panel_code_bytes(code_bits) + 2 * j, blk, 2);
            }
            pack_codes(panel + b * block_bytes, u, code_bits);
        }
    }
}

void qk_panel_dot_rows_scalar(int code_bits, int64_t n, const void *panel, const void *x, int64_t x_stride,
                              int64_t rows, float *out, int64_t out_stride, int valid) {
    const int64_t nb = n / 32;
    const int block_bytes = panel_block_bytes(code_bits), code_bytes = panel_code_bytes(code_bits);
    const int32_t offset = 1 << (code_bits - 1);
    for (int64_t t = 0; t < rows; t++) {
        const uint8_t *xt = (const uint8_t *)x + t * x_stride;
        const float *xd = (const float *)xt;
        const int32_t *xsum = (const int32_t *)xt + nb;
        const int8_t *xq = (const int8_t *)xt + 8 * nb;
        for (int j = 0; j < valid; j++) {
            float acc = 0;
            for (int64_t b = 0; b < nb; b++) {
                const uint8_t *blk = (const uint8_t *)panel + b * block_bytes;
                uint8_t u[256];
                unpack_codes(u, blk, code_bits);
                int32_t s = 0;
                for (int c = 0; c < 8; c++)
                    for (int i = 0; i < 4; i++) s += (int32_t)u[32 * c + 4 * j + i] * xq[32 * b + 4 * c + i];
                s -= offset * xsum[b];
                acc = fmaf(half_at(blk + code_bytes + 2 * j) * xd[b], (float)s, acc);
            }
            out[t * out_stride + j] = acc;
        }
    }
}
