import QuantKernels
import Synchronization

/// A Q8_0, Q5_0 or Q4_0 matrix repacked into panels of eight rows for the integer kernels (layout
/// in QuantKernels.h): each multiply-add instruction then takes four columns of eight weight rows
/// against four broadcast activation codes, which is what makes many activation rows cheap.
/// Codes keep their width, so a panel is as large as the rows it holds.
public final class WeightPanels: @unchecked Sendable {
    /// Code width of the source format (8, 5 or 4); also the kernel's offset, 2^(bits − 1).
    public let codeBits: Int32
    /// Number of panels, ⌈rows / 8⌉; the last one is padded with zero rows.
    public let count: Int
    /// Bytes from one panel to the next.
    let stride: Int
    let base: UnsafeMutableRawPointer

    /// Packs `rows` × `cols` weights of `type` at `data`, or returns nil for formats without panels.
    init?(type: TensorType, rows: Int, cols: Int, data: UnsafeRawPointer) {
        switch type {
        case .q8_0: codeBits = 8
        case .q5_0: codeBits = 5
        case .q4_0: codeBits = 4
        default: return nil
        }
        count = (rows + Int(QK_PANEL_ROWS) - 1) / Int(QK_PANEL_ROWS)
        stride = Int(qk_panel_bytes(codeBits, Int64(cols)))
        base = .allocate(byteCount: max(1, count * stride), alignment: 64)
        let (bits, base, count) = (codeBits, base, count)
        Parallel.forEach(count: count, minChunk: 64) { panels in
            qk_pack_panels(bits, data, Int64(rows), Int64(panels.lowerBound), Int64(panels.count), Int64(cols), base)
        }
    }

    deinit { base.deallocate() }

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
        guard [.q8_0, .q5_0, .q4_0].contains(type) else { return nil }
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
