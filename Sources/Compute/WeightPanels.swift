import QuantKernels
import Synchronization

/// A Q8_0, Q5_0, Q4_0, Q4_K or Q6_K matrix repacked into panels of eight rows for the integer
/// kernels (layouts in QuantKernels.h and Panels.c): each multiply-add instruction then takes four
/// columns of eight weight rows against four broadcast activation codes, which is what makes many
/// activation rows cheap. Codes keep their width, so a panel is about as large as its rows.
public final class WeightPanels: @unchecked Sendable {
    /// The source format, as the kernels name it (ggml's type number).
    public let kernelType: Int32
    /// Whether activations meet these weights as Q8_K (256-value blocks) rather than Q8_0.
    public let usesQ8K: Bool
    /// Number of panels, ⌈rows / 8⌉; the last one is padded with zero rows.
    public let count: Int
    /// Bytes from one panel to the next.
    let stride: Int
    let base: UnsafeMutableRawPointer

    /// Packs `rows` × `cols` weights of `type` at `data`, or returns nil for formats without panels.
    init?(type: TensorType, rows: Int, cols: Int, data: UnsafeRawPointer) {
        guard WeightPanels.supports(type) else { return nil }
        kernelType = Int32(type.rawValue)
        usesQ8K = type.blockLength == 256
        count = (rows + Int(QK_PANEL_ROWS) - 1) / Int(QK_PANEL_ROWS)
        stride = Int(qk_panel_bytes(kernelType, Int64(cols)))
        base = .allocate(byteCount: max(1, count * stride), alignment: 64)
        let (type, base, count) = (kernelType, base, count)
        Parallel.forEach(count: count, minChunk: 64) { panels in
            qk_pack_panels(type, data, Int64(rows), Int64(panels.lowerBound), Int64(panels.count), Int64(cols), base)
        }
    }

    deinit { base.deallocate() }

    /// The formats with panel kernels.
    static func supports(_ type: TensorType) -> Bool { [.q8_0, .q5_0, .q4_0, .q4_K, .q6_K].contains(type) }

    @inline(__always)
    public func panel(_ p: Int) -> UnsafeRawPointer { UnsafeRawPointer(base + p * stride) }
}

/// A matrix's panels, packed at the first product that needs them: a token embedding that is only
/// looked up is never packed, and loading a model stays a memory map.
final class LazyPanels: @unchecked Sendable {
    private let type: TensorType
    private let rows: Int
    private let cols: Int
    private let data: UnsafeRawPointer
    private let owner: AnyObject?
    private let packed = Mutex<WeightPanels?>(nil)

    /// Nil for formats without panels.
    init?(type: TensorType, rows: Int, cols: Int, data: UnsafeRawPointer, owner: AnyObject?) {
        guard WeightPanels.supports(type) else { return nil }
        (self.type, self.rows, self.cols, self.data, self.owner) = (type, rows, cols, data, owner)
    }

    var panels: WeightPanels {
        packed.withLock { slot in
            if let slot { return slot }
            let made = WeightPanels(type: type, rows: rows, cols: cols, data: data)!
            slot = made
            return made
        }
    }
}
