import Transformer

/// One Qwen2/Llama block, forward beside backward:
///   xn1 = rms(x) ⊙ g1; q, k, v = xn1 Wqᵀ + bq, …; rotate q, k; a = attention(q, k, v);
///   x2 = x + a Woᵀ; xn2 = rms(x2) ⊙ g2; h = silu(xn2 Wgᵀ) ⊙ (xn2 Wuᵀ); out = x2 + h Wdᵀ.
/// Legend: T tokens, C hidden, Q = H·D, KV = Hkv·D, F MLP width.

/// What a block's backward needs from its forward (the block input x is kept by the caller).
final class BlockActivations {
    let xn1: FloatBuffer    // (T, C)
    let q: FloatBuffer      // (T, Q) rotated
    let k: FloatBuffer      // (T, KV) rotated
    let v: FloatBuffer      // (T, KV)
    let probs: FloatBuffer  // (Σ_s H·L_s²)
    let att: FloatBuffer    // (T, Q)
    let x2: FloatBuffer     // (T, C) residual after attention
    let xn2: FloatBuffer    // (T, C)
    let gate: FloatBuffer   // (T, F) pre-activation
    let up: FloatBuffer     // (T, F)
    let h: FloatBuffer      // (T, F) silu(gate) ⊙ up
    /// LoRA intermediates per projection, in `Projection.allCases` order.
    var lora: [LoRASaved?] = Array(repeating: nil, count: Projection.allCases.count)

    init(config c: ModelConfig, _ seqs: PackedSequences) {
        let T = seqs.tokenCount, C = c.hiddenSize, F = c.intermediateSize
        xn1 = FloatBuffer(count: T * C); x2 = FloatBuffer(count: T * C); xn2 = FloatBuffer(count: T * C)
        q = FloatBuffer(count: T * c.queryWidth); att = FloatBuffer(count: T * c.queryWidth)
        k = FloatBuffer(count: T * c.kvWidth); v = FloatBuffer(count: T * c.kvWidth)
        probs = FloatBuffer(count: seqs.probabilityOffsets(heads: c.headCount).total)
        gate = FloatBuffer(count: T * F); up = FloatBuffer(count: T * F); h = FloatBuffer(count: T * F)
    }
}

extension TrainableModel {
    /// Runs block `l` on x (T, C) into out (T, C), saving into `a`; `adapters: false` runs the
    /// base alone (the reference policy of LoRA training).
    func blockForward(_ l: Int, _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ a: BlockActivations,
                      _ seqs: PackedSequences, training: Bool, adapters: Bool = true, rng: inout SplitMix64) {
        let c = config, b = blocks[l], T = seqs.tokenCount, C = c.hiddenSize
        let rotary = RotaryEmbedding(rope: rope)
        func project(_ p: Projection, _ y: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>) {
            let i = Projection.allCases.firstIndex(of: p)!
            let linear = b.linear(p)
            let used = adapters ? linear : LinearRef(rows: linear.rows, cols: linear.cols, weight: linear.weight, bias: linear.bias, lora: nil)
            Linear.forward(y, input, n: T, used, self, saved: &a.lora[i], training: training, rng: &rng)
        }
        RMSNorm.forward(a.xn1.pointer, x, pointer(b.attentionNorm), rows: T, cols: C, eps: c.rmsNormEps)
        project(.q, a.q.pointer, a.xn1.pointer)
        project(.k, a.k.pointer, a.xn1.pointer)
        project(.v, a.v.pointer, a.xn1.pointer)
        for (s, L) in seqs.lengths.enumerated() {
            for p in 0..<L {
                let t = seqs.starts[s] + p
                rotary.forward(a.q.pointer + t * c.queryWidth, heads: c.headCount, position: p)
                rotary.forward(a.k.pointer + t * c.kvWidth, heads: c.kvHeadCount, position: p)
            }
        }
        CausalAttention.forward(a.att.pointer, a.probs.pointer, a.q.pointer, a.k.pointer, a.v.pointer, seqs, config: c)
        project(.o, out, a.att.pointer)
        for i in 0..<T * C { a.x2[i] = x[i] + out[i] }
        RMSNorm.forward(a.xn2.pointer, a.x2.pointer, pointer(b.mlpNorm), rows: T, cols: C, eps: c.rmsNormEps)
        project(.gate, a.gate.pointer, a.xn2.pointer)
        project(.up, a.up.pointer, a.xn2.pointer)
        SwiGLU.forward(a.h.pointer, a.gate.pointer, a.up.pointer, count: T * c.intermediateSize)
        project(.down, out, a.h.pointer)
        for i in 0..<T * C { out[i] += a.x2[i] }
    }

    /// From dout (T, C) = dL/d(block output), writes dL/d(block input) into dx (T, C) and adds the
    /// block's parameter gradients into `gradients`.
    func blockBackward(_ l: Int, _ dx: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                       _ a: BlockActivations, _ seqs: PackedSequences) {
        let c = config, b = blocks[l], T = seqs.tokenCount, C = c.hiddenSize, F = c.intermediateSize
        let Q = c.queryWidth, KV = c.kvWidth
        let rotary = RotaryEmbedding(rope: rope)
        func project(_ p: Projection, _ dInput: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ input: UnsafePointer<Float>) {
            let i = Projection.allCases.firstIndex(of: p)!
            Linear.backward(dInput, dy, input, n: T, b.linear(p), self, saved: a.lora[i])
        }
        // MLP half: out = x2 + down(h).
        let dx2 = FloatBuffer(count: T * C)
        dx2.pointer.update(from: dout, count: T * C)
        let dh = FloatBuffer(count: T * F)
        project(.down, dh.pointer, dout, a.h.pointer)
        let dGate = FloatBuffer(count: T * F), dUp = FloatBuffer(count: T * F)
        SwiGLU.backward(dGate.pointer, dUp.pointer, dh.pointer, a.gate.pointer, a.up.pointer, count: T * F)
        let dxn2 = FloatBuffer(count: T * C)
        project(.gate, dxn2.pointer, dGate.pointer, a.xn2.pointer)
        project(.up, dxn2.pointer, dUp.pointer, a.xn2.pointer)
        RMSNorm.backward(dx2.pointer, gradient(b.mlpNorm), dxn2.pointer, a.x2.pointer, pointer(b.mlpNorm), rows: T, cols: C, eps: c.rmsNormEps)

        // Attention half: x2 = x + o(att).
        let dAtt = FloatBuffer(count: T * Q)
        project(.o, dAtt.pointer, dx2.pointer, a.att.pointer)
        let dq = FloatBuffer(count: T * Q), dk = FloatBuffer(count: T * KV), dv = FloatBuffer(count: T * KV)
        CausalAttention.backward(dq: dq.pointer, dk: dk.pointer, dv: dv.pointer, dout: dAtt.pointer, probs: a.probs.pointer,
                                 a.q.pointer, a.k.pointer, a.v.pointer, seqs, config: c)
        for (s, L) in seqs.lengths.enumerated() {
            for p in 0..<L {
                let t = seqs.starts[s] + p
                rotary.backward(dq.pointer + t * Q, heads: c.headCount, position: p)
                rotary.backward(dk.pointer + t * KV, heads: c.kvHeadCount, position: p)
            }
        }
        let dxn1 = FloatBuffer(count: T * C)
        project(.q, dxn1.pointer, dq.pointer, a.xn1.pointer)
        project(.k, dxn1.pointer, dk.pointer, a.xn1.pointer)
        project(.v, dxn1.pointer, dv.pointer, a.xn1.pointer)
        dx.update(from: dx2.pointer, count: T * C)
        RMSNorm.backward(dx, gradient(b.attentionNorm), dxn1.pointer, x, pointer(b.attentionNorm), rows: T, cols: C, eps: c.rmsNormEps)
    }
}
