import Foundation

/// Terminal rendering of a `ClusterReport`: plain lines of at most about 80 columns, numbers with
/// three decimals on the raw scale, one block per bucket with an interquartile track and a
/// histogram drawn in block characters.
extension ClusterReport {
    /// Characters in the interquartile track.
    static let trackWidth = 24
    /// Width of the separator lines.
    static let ruleWidth = 72

    /// The report as multi-line text for a terminal, ending without a newline.
    public var text: String {
        let rule = String(repeating: "─", count: ClusterReport.ruleWidth)
        var lines: [String] = []
        let title = "── epoch \(epoch) cluster report · signal \(signal.rawValue) "
        lines.append(title + String(repeating: "─", count: max(0, ClusterReport.ruleWidth - title.count)))
        lines.append("samples \(sampleCount)  seen \(sampleCount - unseenCount)  unseen \(unseenCount)")
        if let global {
            lines.append("global  mean \(f3(global.mean))  std \(f3(global.std))  "
                         + "min \(f3(global.minimum))  max \(f3(global.maximum))")
        } else {
            lines.append("global  no sample seen yet")
        }
        if buckets.isEmpty {
            lines.append("no buckets (warm-up or nothing seen): every sample gets \(uniformRollouts) rollouts")
            lines.append(rule)
            return lines.joined(separator: "\n")
        }
        lines.append("boundaries  " + (boundaries.isEmpty ? "none" : boundaries.map(f3).joined(separator: " | ")))
        lines.append("health  spread of bucket means \(f3(health.meanSpread)) (normalised)  "
                     + "size balance \(String(format: "%.2f", health.sizeBalance)) (1 = equal)")
        if unassignedCount > 0 {
            lines.append("unseen  \(unassignedCount) samples, \(uniformRollouts) rollouts each, batched together")
        }
        lines.append(rule)
        for bucket in buckets {
            let s = bucket.statistics
            let label = bucket.label.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
            lines.append("bucket \(bucket.index)  \(label)  [\(f3(bucket.rawLow)), \(f3(bucket.rawHigh))]  "
                         + "n \(s.count) (\(String(format: "%.1f", 100 * bucket.share))%)  rollouts \(bucket.rollouts)")
            lines.append("  mean \(f3(s.mean)) ± \(f3(s.std))  median \(f3(s.median))")
            lines.append("  IQR  [\(track(bucket))]  p25 \(f3(s.p25))  p75 \(f3(s.p75))")
            lines.append("  hist [\(bars(bucket.histogram))]")
        }
        lines.append(rule)
        return lines.joined(separator: "\n")
    }

    /// The bucket's interval drawn as `trackWidth` cells: "─" from p25 to p75, "┼" at the median,
    /// "·" elsewhere.
    private func track(_ bucket: BucketReport) -> String {
        let width = ClusterReport.trackWidth
        let span = bucket.rawHigh - bucket.rawLow
        func cell(_ v: Double) -> Int {
            guard span > 0 else { return 0 }
            let position = ((v - bucket.rawLow) / span * Double(width - 1)).rounded()
            return min(width - 1, max(0, Int(position)))
        }
        let s = bucket.statistics
        var cells = Array(repeating: "·", count: width)
        for i in cell(s.p25)...cell(s.p75) { cells[i] = "─" }
        cells[cell(s.median)] = "┼"
        return cells.joined()
    }

    /// One character per bin, its height in eighths of the tallest bin (a non-empty bin shows at
    /// least the lowest block).
    private func bars(_ histogram: [Int]) -> String {
        let levels: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let tallest = histogram.max() ?? 0
        return String(histogram.map { count -> Character in
            guard count > 0, tallest > 0 else { return levels[0] }
            let eighths = Int((8 * Double(count) / Double(tallest)).rounded())
            return levels[min(8, max(1, eighths))]
        })
    }

    private func f3(_ x: Double) -> String { String(format: "%.3f", x) }
}
