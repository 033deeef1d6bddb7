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

    /// A `TransformerModel` that reads the trainer's own buffers: trained matrices are fp32 views
    /// of the parameter buffer and LoRA adapters are applied in its forward pass from the same
    /// buffer, so nothing large is copied and every optimizer step is seen at once. Call
    /// `syncInference(_:)` after each step: it refreshes the small trained vectors (norm gains,
    /// biases; full fine-tuning only) and bumps the model's weight version, which tells caches of
    /// earlier results (the engine's prefix cache) that they are stale.
    public func makeLiveInferenceModel() -> TransformerModel {
        var w = base
        func view(_ m: MatrixRef, rows: Int, cols: Int, original: WeightMatrix) -> WeightMatrix {
            guard case .trainable(let offset) = m else { return original }
            return WeightMatrix(type: .f32, rows: rows, cols: cols, data: UnsafeRawPointer(parameters.pointer + offset), owner: parameters)
        }
        w.embedding = view(embedding, rows: base.embedding.rows, cols: base.embedding.cols, original: base.embedding)
        w.lmHead = config.tiedEmbeddings ? w.embedding : view(lmHead, rows: base.lmHead.rows, cols: base.lmHead.cols, original: base.lmHead)
        for (i, b) in blocks.enumerated() {
            var l = w.layers[i]
            l.wq = view(b.q.weight, rows: b.q.rows, cols: b.q.cols, original: l.wq)
            l.wk = view(b.k.weight, rows: b.k.rows, cols: b.k.cols, original: l.wk)
            l.wv = view(b.v.weight, rows: b.v.rows, cols: b.v.cols, original: l.wv)
            l.wo = view(b.o.weight, rows: b.o.rows, cols: b.o.cols, original: l.wo)
            l.wGate = view(b.gate.weight, rows: b.gate.rows, cols: b.gate.cols, original: l.wGate)
            l.wUp = view(b.up.weight, rows: b.up.rows, cols: b.up.cols, original: l.wUp)
            l.wDown = view(b.down.weight, rows: b.down.rows, cols: b.down.cols, original: l.wDown)
            for p in Projection.allCases {
                let linear = b.linear(p)
                guard let a = linear.lora else { continue }
                l.adapters[p] = LoRAAdapter(
                    a: WeightMatrix(type: .f32, rows: a.rank, cols: linear.cols, data: UnsafeRawPointer(parameters.pointer + a.a), owner: parameters),
                    b: WeightMatrix(type: .f32, rows: linear.rows, cols: a.rank, data: UnsafeRawPointer(parameters.pointer + a.b), owner: parameters),
                    scale: a.scale)
            }
            w.layers[i] = l
        }
        let model = TransformerModel(config: config, weights: w)
        model.activationPrecision = .fp32
        syncInference(model)
        return model
    }

    /// Makes a model from `makeLiveInferenceModel()` see the current weights: copies the trained
    /// vectors (a few KB) and increments `weightVersion`.
    public func syncInference(_ model: TransformerModel) {
        let C = config.hiddenSize
        func copy(_ v: VectorRef?, count: Int, into target: inout [Float]?) {
            guard let v, case .trainable = v else { return }
            target = Array(UnsafeBufferPointer(start: pointer(v), count: count))
        }
        func copy(_ v: VectorRef, count: Int, into target: inout [Float]) {
            guard case .trainable = v else { return }
            target = Array(UnsafeBufferPointer(start: pointer(v), count: count))
        }
        copy(finalNorm, count: C, into: &model.weights.finalNorm)
        for (i, b) in blocks.enumerated() {
            copy(b.attentionNorm, count: C, into: &model.weights.layers[i].attentionNorm)
            copy(b.mlpNorm, count: C, into: &model.weights.layers[i].mlpNorm)
            copy(b.q.bias, count: b.q.rows, into: &model.weights.layers[i].bq)
            copy(b.k.bias, count: b.k.rows, into: &model.weights.layers[i].bk)
            copy(b.v.bias, count: b.v.rows, into: &model.weights.layers[i].bv)
        }
        model.weightsDidChange()
    }
}
