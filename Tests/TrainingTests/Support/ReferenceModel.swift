import Foundation
import Training
import Transformer

/// A plain Double-precision twin of the trainer's forward, written separately with naive loops, for
/// central finite differences: with rounding at 1e-16 a step of 1e-5 leaves an error far below the
/// 1e-3 tolerance, which a Float forward could not. Tensors are read by Hugging Face / peft name.
struct ReferenceModel {
    let config: ModelConfig
    /// Base tensors (as the model holds them) by HF name.
    var tensors: [String: [Double]]
    var lora: LoRAConfig?

    /// The same sum of per-token log-probs weighted by `weights` that the trainer's backward differentiates.
    func weightedLogProb(_ sequences: [[Int32]], weights: [Double], temperature: Double) -> Double {
        let lp = logProbs(sequences, temperature: temperature)
        return zip(lp, weights).reduce(0) { $0 + $1.0 * $1.1 }
    }

    func logProbs(_ sequences: [[Int32]], temperature: Double) -> [Double] {
        sequences.flatMap { sequence($0, temperature: temperature) }
    }

    private func t(_ name: String) -> [Double] {
        guard let v = tensors[name] else { fatalError("reference: no tensor \(name)") }
        return v
    }

    private func rms(_ x: [Double], _ g: [Double]) -> [Double] {
        let ms = x.reduce(0) { $0 + $1 * $1 } / Double(x.count)
        let r = 1 / (ms + Double(config.rmsNormEps)).squareRoot()
        return zip(x, g).map { $0 * r * $1 }
    }

    /// y = x Wᵀ (+ b) (+ scale B A x) for one row x.
    private func linear(_ x: [Double], _ prefix: String, _ projection: Projection?) -> [Double] {
        let w = t(prefix + ".weight"), K = x.count, M = w.count / K
        var y = (0..<M).map { m in (0..<K).reduce(0.0) { $0 + w[m * K + $1] * x[$1] } }
        if let b = tensors[prefix + ".bias"] { for m in 0..<M { y[m] += b[m] } }
        if let lora, let p = projection, lora.targets.contains(p) {
            let a = t("base_model.model.\(prefix).lora_A.weight"), bm = t("base_model.model.\(prefix).lora_B.weight")
            let r = lora.rank
            let u = (0..<r).map { i in (0..<K).reduce(0.0) { $0 + a[i * K + $1] * x[$1] } }
            for m in 0..<M { for i in 0..<r { y[m] += Double(lora.scale) * bm[m * r + i] * u[i] } }
        }
        return y
    }

    private func rope(_ v: inout [Double], heads: Int, pos: Int) {
        let D = config.headDim, half = D / 2
        for h in 0..<heads {
            for i in 0..<half {
                let angle = Double(pos) * pow(config.ropeTheta, -2 * Double(i) / Double(D))
                let (a, b) = config.ropePairing == .neox ? (h * D + i, h * D + i + half) : (h * D + 2 * i, h * D + 2 * i + 1)
                let x0 = v[a], x1 = v[b]
                v[a] = x0 * cos(angle) - x1 * sin(angle)
                v[b] = x0 * sin(angle) + x1 * cos(angle)
            }
        }
    }

    private func sequence(_ tokens: [Int32], temperature: Double) -> [Double] {
        let c = config, C = c.hiddenSize, D = c.headDim, H = c.headCount, group = c.headCount / c.kvHeadCount
        let emb = t("model.embed_tokens.weight")
        var x = tokens.map { tok in Array(emb[Int(tok) * C..<(Int(tok) + 1) * C]) }
        for l in 0..<c.layerCount {
            let p = "model.layers.\(l)."
            let xn = x.map { rms($0, t(p + "input_layernorm.weight")) }
            var q = xn.map { linear($0, p + "self_attn.q_proj", .q) }
            var k = xn.map { linear($0, p + "self_attn.k_proj", .k) }
            let v = xn.map { linear($0, p + "self_attn.v_proj", .v) }
            for i in 0..<x.count {
                rope(&q[i], heads: H, pos: i)
                rope(&k[i], heads: c.kvHeadCount, pos: i)
            }
            for i in 0..<x.count {
                var att = [Double](repeating: 0, count: H * D)
                for h in 0..<H {
                    let kv = h / group
                    var s = (0...i).map { j in (0..<D).reduce(0.0) { $0 + q[i][h * D + $1] * k[j][kv * D + $1] } / Double(D).squareRoot() }
                    let m = s.max()!
                    s = s.map { exp($0 - m) }
                    let z = s.reduce(0, +)
                    for j in 0...i { for d in 0..<D { att[h * D + d] += s[j] / z * v[j][kv * D + d] } }
                }
                let o = linear(att, p + "self_attn.o_proj", .o)
                for d in 0..<C { x[i][d] += o[d] }
            }
            for i in 0..<x.count {
                let xn2 = rms(x[i], t(p + "post_attention_layernorm.weight"))
                let g = linear(xn2, p + "mlp.gate_proj", .gate), u = linear(xn2, p + "mlp.up_proj", .up)
                let h = zip(g, u).map { $0 / (1 + exp(-$0)) * $1 }
                let d = linear(h, p + "mlp.down_proj", .down)
                for j in 0..<C { x[i][j] += d[j] }
            }
        }
        let head = tensors["lm_head.weight"] ?? emb
        var out: [Double] = []
        for i in 0..<(tokens.count - 1) {
            let hn = rms(x[i], t("model.norm.weight"))
            let logits = (0..<c.vocabularySize).map { v in (0..<C).reduce(0.0) { $0 + head[v * C + $1] * hn[$1] } / temperature }
            let m = logits.max()!
            let lse = m + log(logits.reduce(0) { $0 + exp($1 - m) })
            out.append(logits[Int(tokens[i + 1])] - lse)
        }
        return out
    }
}
