// Helpers shared by the scalar and SIMD dot-product kernels (not part of the module's API).
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

/// Bytes of one block of the 32-weight formats, by code width (8, 5 or 4).
static inline int block_bytes_32(int which) { return which == 8 ? 34 : which == 5 ? 22 : 18; }

/// Bytes of the codes of one block (32 columns of eight rows) of a weight panel, by code width:
/// bytes for 8-bit codes; for 5 and 4 bits, the low nibbles of code vectors c and c + 4 (c < 4)
/// share 32 bytes, and for 5 bits 32 more bytes hold the fifth bits, bit c of byte i from vector c.
static inline int panel_code_bytes(int bits) { return bits == 8 ? 256 : bits == 5 ? 160 : 128; }

/// Bytes of one panel block: its codes, then the eight rows' fp16 scales.
static inline int panel_block_bytes(int bits) { return panel_code_bytes(bits) + 16; }

#endif
