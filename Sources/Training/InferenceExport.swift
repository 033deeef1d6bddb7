import Compute
import Transformer

extension TrainableModel {
    /// A `TransformerModel` that generates with the current weights: trained matrices and vectors
    /// are copied out as fp32, LoRA adapters are merged (W + s·B·A, in fp32) into the matrices they
    /// adapt; untouched frozen matrices are shared with the base as stored. The copy is a snapshot:
    /// later steps do not change it.
    public func makeInferenceModel() -> TransformerModel {
        var w = base
        let C = config.hiddenSize
        func vector(_ v: VectorRef) -> [Float] {
            guard case .trainable = v else { return [] }
            let p = pointer(v)
            return (0..<C).map { p[$0] }
        }
        func vector(_ v: VectorRef, count: Int) -> [Float] {
            let p = pointer(v)
            return (0..<count).map { p[$0] }
        }
        func matrix(_ l: LinearRef, original: WeightMatrix) -> WeightMatrix {
            if case .frozen = l.weight, l.lora == nil { return original }
            let values = FloatBuffer(count: l.rows * l.cols)
            source(l.weight, rows: l.rows, cols: l.cols).forEachTile { r, tile in
                (values.pointer + r.lowerBound * l.cols).update(from: tile, count: r.count * l.cols)
            }
            if let a = l.lora {
                Gemm.run(m: l.rows, n: l.cols, k: a.rank, alpha: a.scale, parameters.pointer + a.b, lda: a.rank,
                         parameters.pointer + a.a, ldb: l.cols, beta: 1, values.pointer, ldc: l.cols)
            }
            return WeightMatrix(type: .f32, rows: l.rows, cols: l.cols, data: UnsafeRawPointer(values.pointer), owner: values)
        }
        func dense(_ m: MatrixRef, original: WeightMatrix) -> WeightMatrix {
            matrix(LinearRef(rows: original.rows, cols: original.cols, weight: m, bias: nil, lora: nil), original: original)
        }
        w.embedding = dense(embedding, original: base.embedding)
        w.lmHead = config.tiedEmbeddings ? w.embedding : dense(lmHead, original: base.lmHead)
        if case .trainable = finalNorm { w.finalNorm = vector(finalNorm) }
        for (i, b) in blocks.enumerated() {
            var l = w.layers[i]
            if case .trainable = b.attentionNorm { l.attentionNorm = vector(b.attentionNorm) }
            if case .trainable = b.mlpNorm { l.mlpNorm = vector(b.mlpNorm) }
            if let r = b.q.bias, case .trainable = r { l.bq = vector(r, count: b.q.rows) }
            if let r = b.k.bias, case .trainable = r { l.bk = vector(r, count: b.k.rows) }
            if let r = b.v.bias, case .trainable = r { l.bv = vector(r, count: b.v.rows) }
            l.wq = matrix(b.q, original: l.wq); l.wk = matrix(b.k, original: l.wk); l.wv = matrix(b.v, original: l.wv)
            l.wo = matrix(b.o, original: l.wo); l.wGate = matrix(b.gate, original: l.wGate)
            l.wUp = matrix(b.up, original: l.wUp); l.wDown = matrix(b.down, original: l.wDown)
            w.layers[i] = l
        }
        let model = TransformerModel(config: config, weights: w)
        model.activationPrecision = .fp32
        return model
    }
}
