import Compute
import ModelFormats

extension ModelWeights {
    /// Binds the tensors of a GGUF file (llama.cpp's names: `blk.N.attn_q.weight` …) without copying
    /// matrices; norm gains and biases are converted to fp32 arrays.
    public init(gguf f: GGUFFile, config c: ModelConfig) throws {
        let names = TensorNames(embedding: "token_embd.weight", finalNorm: "output_norm.weight", lmHead: "output.weight",
                                layer: { "blk.\($0).\($1)" })
        try self.init(config: c, names: names, matrix: { name, rows, cols in
            let (info, bytes) = try f.data(name)
            guard info.shape == [cols, rows] else {
                throw ModelFileError(.wrongShape, path: f.path, "tensor '\(name)' has shape \(info.shape), expected [\(cols), \(rows)]")
            }
            return WeightMatrix(type: info.type, rows: rows, cols: cols, data: bytes.baseAddress!, owner: f.mapping)
        }, vector: { name, count in
            let (info, bytes) = try f.data(name)
            guard info.shape == [count] else {
                throw ModelFileError(.wrongShape, path: f.path, "tensor '\(name)' has shape \(info.shape), expected [\(count)]")
            }
            return [Float](unsafeUninitializedCapacity: count) { out, n in
                Dequantize.row(out.baseAddress!, bytes.baseAddress!, type: info.type, count: count)
                n = count
            }
        })
    }
}
