// The public panel kernel: the AVX-512 VNNI variant where the processor has it, the AVX2 one
// otherwise, and the portable kernel off x86. All give the same bits.
#include "QuantKernels.h"

#if defined(__AVX2__) && defined(__FMA__)
void qk_panel_dot_rows_avx2(int, int64_t, const void *, const void *, int64_t, int64_t, int64_t, float *, int64_t, int);
void qk_panel_dot_rows_vnni(int, int64_t, const void *, const void *, int64_t, int64_t, int64_t, float *, int64_t, int);

void qk_panel_dot_rows_f32_avx2(int, int64_t, const void *, const float *, int64_t, int64_t, float *, int64_t, int);
void qk_panel_dot_rows_f32_vnni(int, int64_t, const void *, const float *, int64_t, int64_t, float *, int64_t, int);

static int cpu_has_vnni(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}

// Read on every call and written only by qk_set_vnni; a racing reader sees either variant, and
// both give the same bits.
static int use_vnni = -1;

int qk_set_vnni(int enabled) {
    use_vnni = enabled && cpu_has_vnni();
    return use_vnni;
}

static inline int vnni(void) {
    if (__builtin_expect(use_vnni < 0, 0)) use_vnni = cpu_has_vnni();
    return use_vnni;
}

void qk_panel_dot_rows(int type, int64_t n, const void *panel, const void *x, int64_t x_stride, int64_t x_block_stride,
                       int64_t rows, float *out, int64_t out_stride, int valid) {
    if (vnni()) qk_panel_dot_rows_vnni(type, n, panel, x, x_stride, x_block_stride, rows, out, out_stride, valid);
    else qk_panel_dot_rows_avx2(type, n, panel, x, x_stride, x_block_stride, rows, out, out_stride, valid);
}

void qk_panel_dot_rows_f32(int type, int64_t n, const void *panel, const float *x, int64_t x_stride, int64_t rows,
                           float *out, int64_t out_stride, int valid) {
    if (vnni()) qk_panel_dot_rows_f32_vnni(type, n, panel, x, x_stride, rows, out, out_stride, valid);
    else qk_panel_dot_rows_f32_avx2(type, n, panel, x, x_stride, rows, out, out_stride, valid);
}
#else
int qk_set_vnni(int enabled) { (void)enabled; return 0; }

void qk_panel_dot_rows_f32(int type, int64_t n, const void *panel, const float *x, int64_t x_stride, int64_t rows,
                           float *out, int64_t out_stride, int valid) {
    qk_panel_dot_rows_f32_scalar(type, n, panel, x, x_stride, rows, out, out_stride, valid);
}

void qk_panel_dot_rows(int type, int64_t n, const void *panel, const void *x, int64_t x_stride, int64_t x_block_stride,
                       int64_t rows, float *out, int64_t out_stride, int valid) {
    qk_panel_dot_rows_scalar(type, n, panel, x, x_stride, x_block_stride, rows, out, out_stride, valid);
}
#endif
