import Compute
import ModelFormats

extension ModelWeights {
    /// Binds the tensors of a GGUF file (llama.cpp's names: `blk.N.attn_q.weight` …) without copying
    /// matrices; norm gains and biases are converted to fp32 arrays.
    public init(gguf f: GGUFFile, config c: ModelConfig) throws {
        func matrix(_ name: String, rows: Int, cols: Int) throws -> WeightMatrix {
            let (info, bytes) = try f.data(name)
            guard info.shape == [cols, rows] else {
                throw ModelFileError(.wrongShape, path: f.path, "tensor '\(name)' has shape \(info.shape), expected [\(cols), \(rows)]")
            }
            return WeightMatrix(type: info.type, rows: rows, cols: cols, data: bytes.baseAddress!, owner: f.mapping)
        }
        func vector(_ name: String, count: Int) throws -> [Float] {
            let (info, bytes) = try f.data(name)
            guard info.shape == [count] else {
                throw ModelFileError(.wrongShape, path: f.path, "tensor '\(name)' has shape \(info.shape), expected [\(count)]")
            }
            return [Float](unsafeUninitializedCapacity: count) { out, n in
                Dequantize.row(out.baseAddress!, bytes.baseAddress!, type: info.type, count: count)
                n = count
            }
        }
        let C = c.hiddenSize, F = c.intermediateSize, Q = c.queryWidth, KV = c.kvWidth
        embedding = try matrix("token_embd.weight", rows: c.vocabularySize, cols: C)
        layers = try (0..<c.layerCount).map { i in
            let p = "blk.\(i)."
            return LayerWeights(
                attentionNorm: try vector(p + "attn_norm.weight", count: C),
                wq: try matrix(p + "attn_q.weight", rows: Q, cols: C),
                wk: try matrix(p + "attn_k.weight", rows: KV, cols: C),
                wv: try matrix(p + "attn_v.weight", rows: KV, cols: C),
                bq: c.attentionBias ? try vector(p + "attn_q.bias", count: Q) : nil,
                bk: c.attentionBias ? try vector(p + "attn_k.bias", count: KV) : nil,
                bv: c.attentionBias ? try vector(p + "attn_v.bias", count: KV) : nil,
                wo: try matrix(p + "attn_output.weight", rows: C, cols: Q),
                mlpNorm: try vector(p + "ffn_norm.weight", count: C),
                wGate: try matrix(p + "ffn_gate.weight", rows: F, cols: C),
                wUp: try matrix(p + "ffn_up.weight", rows: F, cols: C),
                wDown: try matrix(p + "ffn_down.weight", rows: C, cols: F))
        }
        finalNorm = try vector("output_norm.weight", count: C)
        lmHead = c.tiedEmbeddings ? embedding : try matrix("output.weight", rows: c.vocabularySize, cols: C)
    }
}
