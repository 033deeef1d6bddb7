import Foundation
import ModelFormats
import Transformer

let path = CommandLine.arguments[1]
let f = try GGUFFile(path: path)
let model = try TransformerModel(gguf: f)
print(model.config)
let cache = model.makeCache(capacityTokens: 1024)
let seq = SequenceKV(cache: cache)
var logits = try model.forward([ForwardItem(tokens: [151644, 872, 198, 9707, 11, 1246, 525, 498, 30, 151645, 198, 151644, 77091, 198], sequence: seq)])
var out: [Int32] = []
let start = Date()
for _ in 0..<32 {
    let row = logits.last(of: 0)
    let next = Int32(row.indices.max { row[$0] < row[$1] }! - row.startIndex)
    out.append(next)
    logits = try model.forward([ForwardItem(tokens: [next], sequence: seq)])
}
let dt = Date().timeIntervalSince(start)
print(out, String(format: "%.2f tok/s", 32 / dt))
