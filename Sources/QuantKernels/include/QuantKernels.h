// Integer dot-product kernels for quantized weights, in C because they hinge on x86's
// multiply-add-adjacent-bytes instructions (vpmaddubsw / vpmaddwd, vpdpbusd), which Swift's SIMD types do not
// lower to (measured: LLVM scalarises the Swift formulations), and on which llama.cpp's decode
// speed rests. Activations are quantized once per token to 8-bit blocks exactly as ggml does
// (Q8_0 for 32-weight formats, Q8_K for 256-weight K-quants); a dot product is then exact integer
// arithmetic per block followed by one float multiply-add per block.
//
// Weights are repacked into panels of eight rows (below) at load. Every result has the bits of a
// portable scalar twin (qk_dot_*_scalar) on the original row; the AVX2 and AVX-512 VNNI variants
// and the portable panel kernel all give them exactly, which the tests check.
#ifndef QUANT_KERNELS_H
#define QUANT_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bytes per 32 values of a Q8_0 activation row and per 256 values of a Q8_K row.
enum { QK_Q8_0_BYTES = 40, QK_Q8_K_BYTES = 292 };

/// Weight formats with integer kernels, numbered as ggml's `ggml_type` (and `TensorType`).
enum { QK_TYPE_Q4_0 = 2, QK_TYPE_Q5_0 = 6, QK_TYPE_Q8_0 = 8, QK_TYPE_Q4_K = 12, QK_TYPE_Q6_K = 14 };

/// Activation rows are quantized block by block, block b of a row at y + b · block_stride: a row
/// on its own has block_stride = the block's bytes; the N rows of a batch are interleaved block by
/// block (block_stride = N · bytes, rows one block apart), so that a kernel reading block b of
/// every row reads one contiguous run.
///
/// Quantizes one row of k floats (k a multiple of 32) for the 32-weight formats into blocks of 40
/// bytes: the fp32 scale, the int32 sum of the codes (which lets kernels use unsigned weight
/// codes), the 32 int8 codes. d = max|x|/127 rounded to fp16 as ggml stores it (kept as the fp32
/// value of that fp16), q = round-half-even(x · 127/max|x|).
void qk_quantize_q8_0(const float *x, void *y, int64_t k, int64_t block_stride);

/// Quantizes k floats (k a multiple of 256) to Q8_K blocks of 292 bytes (fp32 d, 256 codes, 16
/// int16 sums of 16): with m the element of largest magnitude, iscale = −127/m,
/// q = min(127, round-half-even(iscale · x)), d = 1/iscale.
void qk_quantize_q8_K(const float *x, void *y, int64_t k, int64_t block_stride);
/// The portable twin of qk_quantize_q8_K (the same bytes).
void qk_quantize_q8_K_scalar(const float *x, void *y, int64_t k, int64_t block_stride);

/// Σ w·x over n weights of a row in ggml's block layout, with x pre-quantized (its blocks
/// x_block_stride bytes apart): the portable
/// reference kernels, which define each result's bits. Every format reduces a block to exact
/// integers, then takes one fused multiply-add per block, over the blocks in order:
/// - Q8_0, Q5_0, Q4_0: s = Σ q·x per 32 weights; acc += (d_w · d_x) · s.
/// - Q4_K: per 256 weights S = Σ_j scale_j · Σ q·x and M = Σ_j min_j · Σ x over its eight
///   sub-blocks j of 32 (q the unsigned 4-bit codes); acc += (d_x · d) · S and
///   m += (d_x · dmin) · M; the result is acc − m.
/// - Q6_K: per 256 weights V = Σ_j scale_j · Σ (q − 32)·x over its sixteen sub-blocks of 16;
///   acc += (d · d_x) · V.
float qk_dot_q8_0_scalar(int64_t n, const void *w, const void *x_q8_0, int64_t x_block_stride);
float qk_dot_q5_0_scalar(int64_t n, const void *w, const void *x_q8_0, int64_t x_block_stride);
float qk_dot_q4_0_scalar(int64_t n, const void *w, const void *x_q8_0, int64_t x_block_stride);
float qk_dot_q4_K_scalar(int64_t n, const void *w, const void *x_q8_K, int64_t x_block_stride);
float qk_dot_q6_K_scalar(int64_t n, const void *w, const void *x_q8_K, int64_t x_block_stride);

/// Weight panels: eight weight rows interleaved so that one vector multiply-add takes four
/// columns of all eight rows against four activation codes broadcast, leaving row j's sum in lane
/// j (no reduction across lanes). The panel of rows 8p..8p+7 (zeros past the matrix) holds the
/// blocks in order (32 columns for the 32-weight formats, 256 for the K-quants). Codes are kept
/// unsigned and at their width, in vectors of 32 bytes: vector c of a 32-column group holds
/// columns 4c..4c+3 of rows 0..7. The exact byte layout of each format is described beside its
/// packer (Panels.c). Panels are qk_panel_bytes(type, n) apart, a multiple of 64.
enum { QK_PANEL_ROWS = 8 };
int64_t qk_panel_bytes(int type, int64_t n);

/// Packs panels first_panel ..< first_panel + panels of a (rows × n) matrix of `type` stored in
/// ggml's block layout into `out` (the buffer of all panels).
void qk_pack_panels(int type, const void *w, int64_t rows, int64_t first_panel, int64_t panels, int64_t n, void *out);

/// One panel against `rows` activation rows (Q8_0 blocks for the 32-weight formats, Q8_K for the
/// K-quants; block b of row t at x + t · x_stride + b · x_block_stride):
/// out[t · out_stride + j] = Σ w_j·x_t for the panel's first `valid` rows j, each with the bits of
/// the scalar twin on weight row j.
void qk_panel_dot_rows(int type, int64_t n, const void *panel, const void *x, int64_t x_stride, int64_t x_block_stride,
                       int64_t rows, float *out, int64_t out_stride, int valid);
/// The same, portable: the kernel off x86, and the tests' check of the panel layout.
void qk_panel_dot_rows_scalar(int type, int64_t n, const void *panel, const void *x, int64_t x_stride, int64_t x_block_stride,
                              int64_t rows, float *out, int64_t out_stride, int valid);

/// One panel against `rows` fp32 activation rows (x_stride floats apart), for exact (unquantized)
/// activations: out[t · out_stride + j] = Σ w_j·x_t for the panel's first `valid` rows. Each
/// weight is dequantized as ggml does (d·q; Q4_K (d·scale)·q − dmin·min; Q6_K (d·scale)·(q − 32))
/// and the products are accumulated with fused multiply-adds in four running sums by column
/// modulo 4, over the columns in order, then added as (s0 + s1) + (s2 + s3).
void qk_panel_dot_rows_f32(int type, int64_t n, const void *panel, const float *x, int64_t x_stride, int64_t rows,
                           float *out, int64_t out_stride, int valid);
/// The same, portable (the kernel off x86, and the tests' reference).
void qk_panel_dot_rows_f32_scalar(int type, int64_t n, const void *panel, const float *x, int64_t x_stride, int64_t rows,
                                  float *out, int64_t out_stride, int valid);

/// Chooses the kernel variant: AVX-512 VNNI where `enabled` and the processor has it, AVX2
/// otherwise (the default is VNNI where available). Returns whether VNNI is now in use. Both
/// variants give the same bits; tests use this to check each against the scalar twins.
int qk_set_vnni(int enabled);

#ifdef __cplusplus
}
#endif

#endif
