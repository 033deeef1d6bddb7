// Integer dot-product kernels for quantized weights, in C because they hinge on x86's
// multiply-add-adjacent-bytes instructions (vpmaddubsw / vpmaddwd, vpdpbusd), which Swift's SIMD types do not
// lower to (measured: LLVM scalarises the Swift formulations), and on which llama.cpp's decode
// speed rests. Activations are quantized once per token to 8-bit blocks exactly as ggml does
// (Q8_0 for 32-weight formats, Q8_K for 256-weight K-quants); a dot product is then exact integer
// arithmetic per block followed by one float multiply-add per block.
//
// Every kernel has a portable scalar twin (qk_*_scalar) with the same float operations in the same
// order; the AVX2 and AVX-512 VNNI variants give its bits exactly, which the tests check.
#ifndef QUANT_KERNELS_H
#define QUANT_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bytes per 32 values of a Q8_0 activation row and per 256 values of a Q8_K row.
enum { QK_Q8_0_BYTES = 40, QK_Q8_K_BYTES = 292 };

/// Quantizes one row of k floats (k a multiple of 32) for the 32-weight formats. With nb = k/32
/// blocks, the row holds nb fp32 scales, then nb int32 sums of each block's codes, then nb·32 int8
/// codes: d = max|x|/127 rounded to fp16 as ggml stores it (kept as the fp32 value of that fp16),
/// q = round-half-even(x · 127/max|x|). The sums let kernels use unsigned weight codes.
void qk_quantize_q8_0(const float *x, void *y, int64_t k);

/// Quantizes k floats (k a multiple of 256) to Q8_K: with m the element of largest magnitude,
/// iscale = −127/m, q = min(127, round-half-even(iscale · x)), d = 1/iscale, plus sums of 16.
void qk_quantize_q8_K(const float *x, void *y, int64_t k);
/// The portable twin of qk_quantize_q8_K (the same bytes).
void qk_quantize_q8_K_scalar(const float *x, void *y, int64_t k);

/// Σ w·x over n weights of a row in the named weight format, with x pre-quantized: the portable
/// reference kernels, which define each result's bits.
///
/// The 32-weight formats reduce each block to its exact integer sum s_b = Σ q·x and accumulate
/// acc += (d_w,b · d_x,b) · s_b over the blocks in order, one fused multiply-add each (the panel
/// kernels below give these bits). The K-quants keep eight int32 lanes per 256-weight block (lane
/// l: the products of elements 4l..4l+3 of every 32-weight chunk, times its sub-block scale) and
/// accumulate acc[l] += d · lane_l, and beside them one float of offsets (Q4_K: Σ min · activation
/// sum; Q6_K: 32 · Σ scale · activation sum, both exact integers) as m += d' · offset; the result
/// is the eight accumulators summed in a fixed tree (0+4, 1+5, 2+6, 3+7, then pairs, then
/// halves), minus m. That is the order the numerics tests against llama.cpp were calibrated on.
float qk_dot_q8_0_scalar(int64_t n, const void *w, const void *x_q8_0);
float qk_dot_q5_0_scalar(int64_t n, const void *w, const void *x_q8_0);
float qk_dot_q4_0_scalar(int64_t n, const void *w, const void *x_q8_0);
float qk_dot_q4_K_scalar(int64_t n, const void *w, const void *x_q8_K);
float qk_dot_q6_K_scalar(int64_t n, const void *w, const void *x_q8_K);

/// The K-quant dot products, SIMD: one weight row against `rows` activation rows,
/// out[t · out_stride] = Σ w·x_t, with x_t starting x_stride bytes after x_{t−1}. The weights are
/// unpacked once per block for every row; each result has the bits of the scalar twin on x_t.
void qk_dot_q4_K_rows(int64_t n, const void *w, const void *x, int64_t x_stride, int64_t rows, float *out, int64_t out_stride);
void qk_dot_q6_K_rows(int64_t n, const void *w, const void *x, int64_t x_stride, int64_t rows, float *out, int64_t out_stride);

/// Weight panels for the 32-weight formats (Q8_0, Q5_0, Q4_0; code_bits 8, 5, 4): eight weight
/// rows interleaved so that one vector multiply-add takes four columns of all eight rows against
/// four activation codes broadcast, leaving row j's sum in lane j (no reduction across lanes).
/// A panel of rows 8p..8p+7 (zeros past the matrix) holds n/32 blocks in order, each its 256
/// codes followed by the eight rows' fp16 scales. A block's codes are eight vectors of 32
/// (vector c: columns 4c..4c+3 of rows 0..7), unsigned, u = q + 2^(code_bits − 1), kept at their
/// width: 8-bit codes as bytes; 5- and 4-bit codes as nibbles (vectors c and c + 4 share 32
/// bytes, low and high nibble) and, for 5 bits, 32 bytes of fifth bits (bit c of byte i belongs
/// to vector c). Panels are qk_panel_bytes(code_bits, n) apart (a multiple of 64).
enum { QK_PANEL_ROWS = 8 };
int64_t qk_panel_bytes(int code_bits, int64_t n);

/// Packs panels first_panel ..< first_panel + panels of a (rows × n) matrix stored in ggml's
/// block layout into `out` (the buffer of all panels).
void qk_pack_panels(int code_bits, const void *w, int64_t rows, int64_t first_panel, int64_t panels, int64_t n, void *out);

/// One panel against `rows` activation rows (Q8_0 layout, x_stride bytes apart):
/// out[t · out_stride + j] = Σ w_j·x_t for the panel's first `valid` rows j, each with the bits
/// of the scalar twin (qk_dot_*_scalar) on weight row j.
void qk_panel_dot_rows(int code_bits, int64_t n, const void *panel, const void *x, int64_t x_stride, int64_t rows,
                       float *out, int64_t out_stride, int valid);
/// The same, portable: the kernel off x86, and the tests' check of the panel layout.
void qk_panel_dot_rows_scalar(int code_bits, int64_t n, const void *panel, const void *x, int64_t x_stride, int64_t rows,
                              float *out, int64_t out_stride, int valid);

/// Chooses the kernel variant: AVX-512 VNNI where `enabled` and the processor has it, AVX2
/// otherwise (the default is VNNI where available). Returns whether VNNI is now in use. Both
/// variants give the same bits; tests use this to check each against the scalar twins.
int qk_set_vnni(int enabled);

#ifdef __cplusplus
}
#endif

#endif
