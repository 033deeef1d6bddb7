// The SIMD dot-product kernels for AVX2 + FMA (every x86-64 machine this project runs on).
#if defined(__AVX2__) && defined(__FMA__)
#define QK_VNNI 0
#define QK_FN(name) name##_avx2
#include "QuantizedDotSIMD.h"
#endif
