// The SIMD dot-product kernels with AVX-512 VNNI (vpdpbusd on 256-bit vectors) and AVX-512VL's 32
// vector registers, chosen at run time where the processor has them (QuantizedDot.c).
#if defined(__AVX2__) && defined(__FMA__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))), apply_to = function)
#define QK_VNNI 1
#define QK_FN(name) name##_vnni
#include "QuantizedDotSIMD.h"
#pragma clang attribute pop
#endif
