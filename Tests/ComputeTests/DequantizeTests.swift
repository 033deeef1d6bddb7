import Compute
import Foundation
import Testing

/// Reference dequantizers against the `gguf` Python package
/// (fixtures from scripts/fixtures/make_dequant_fixture.py).
struct DequantizeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test(arguments: [TensorType.q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q6_K])
    func bitExactWithGGUFPackage(type: TensorType) throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("dequant-\(type).bin"))
        let blocks = Int(data.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
        let count = blocks * type.blockLength
        let rawBytes = type.byteCount(elements: count)
        #expect(data.count == 4 + rawBytes + 4 * count)
        data.withUnsafeBytes { buffer in
            let raw = buffer.baseAddress! + 4
            var out = [Float](repeating: .nan, count: count)
            Dequantize.row(&out, raw, type: type, count: count)
            for i in 0..<count {
                let expected = (raw + rawBytes).loadUnaligned(fromByteOffset: 4 * i, as: Float.self)
                #expect(out[i].bitPattern == expected.bitPattern, "\(type) element \(i): \(out[i]) vs \(expected)")
            }
        }
    }

    @Test func floatTypes() {
        let halves: [Float16] = [0, -1.5, 65504, 6.1e-5]
        halves.withUnsafeBytes { raw in
            var out = [Float](repeating: .nan, count: 4)
            Dequantize.row(&out, raw.baseAddress!, type: .f16, count: 4)
            #expect(out == [0, -1.5, 65504, Float(Float16(6.1e-5))])
        }
        // bf16 keeps the top 16 bits of an fp32: 1.0 is 0x3F80, -2.5 is 0xC020.
        let bf: [UInt16] = [0x3F80, 0xC020]
        bf.withUnsafeBytes { raw in
            var out = [Float](repeating: .nan, count: 2)
            Dequantize.row(&out, raw.baseAddress!, type: .bf16, count: 2)
            #expect(out == [1.0, -2.5])
        }
    }
}
