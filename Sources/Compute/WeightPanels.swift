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

    /// Packs the rows of `w`, whose format must have panels (`supports`).
    init(_ w: WeightMatrix) {
        precondition(WeightPanels.supports(w.type), "\(w.type) has no panel kernels")
        kernelType = Int32(w.type.rawValue)
        usesQ8K = w.type.blockLength == 256
        count = (w.rows + Int(QK_PANEL_ROWS) - 1) / Int(QK_PANEL_ROWS)
        stride = Int(qk_panel_bytes(kernelType, Int64(w.cols)))
        base = .allocate(byteCount: max(1, count * stride), alignment: 64)
        let (type, base) = (kernelType, base)
        Parallel.forEach(count: count, minChunk: 64) { panels in
            qk_pack_panels(type, w.data, Int64(w.rows), Int64(panels.lowerBound), Int64(panels.count), Int64(w.cols), base)
        }
    }

    deinit { base.deallocate() }

    /// The formats with panel kernels.
    static func supports(_ type: TensorType) -> Bool { [.q8_0, .q5_0, .q4_0, .q4_K, .q6_K].contains(type) }

    @inline(__always)
    public func panel(_ p: Int) -> UnsafeRawPointer { UnsafeRawPointer(base + p * stride) }
}

/// Where a matrix keeps its panels once packed, at the first product that needs them: a token
/// embedding that is only looked up is never packed, and loading a model stays a memory map.
final class PanelSlot: Sendable {
    let packed = Mutex<WeightPanels?>(nil)
}
