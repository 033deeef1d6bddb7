import Foundation
@testable import Curriculum

/// Sample generators for the tests, all driven by the library's seeded generator so every test is
/// reproducible. Not a test file: shared helpers only.
enum TestSamples {
    /// Standard normal draws by the Box–Muller transform (Box & Muller, 1958).
    static func gaussian(_ g: inout SeededGenerator) -> Double {
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let u1 = 1 - g.nextUnitDouble()
        let u2 = g.nextUnitDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Laplace(0, b) draws by inverting the CDF.
    static func laplace(_ g: inout SeededGenerator, scale b: Double) -> Double {
        let u = g.nextUnitDouble() - 0.5
        let magnitude = -b * log(1 - 2 * abs(u))
        return u < 0 ? -magnitude : magnitude
    }

    /// Student-t draws with `nu` (integer) degrees of freedom: Z / √(χ²_ν / ν).
    static func studentT(_ g: inout SeededGenerator, nu: Int) -> Double {
        let z = gaussian(&g)
        var chi2 = 0.0
        for _ in 0..<nu {
            let x = gaussian(&g)
            chi2 += x * x
        }
        return z / (chi2 / Double(nu)).squareRoot()
    }

    /// One component of a Gaussian mixture.
    struct Component {
        let weight: Double
        let mean: Double
        let std: Double
    }

    /// Exactly round(weight · n) draws from each component, in a shuffled order, so the true share
    /// of every component in the sample is its weight (up to the rounding of the counts).
    static func mixture(_ components: [Component], n: Int, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        var values: [Double] = []
        for c in components {
            let count = Int((c.weight * Double(n)).rounded())
            for _ in 0..<count { values.append(c.mean + c.std * gaussian(&g)) }
        }
        g.shuffle(&values)
        return values
    }

    /// The mixture's probability density at x.
    static func mixturePDF(_ components: [Component], at x: Double) -> Double {
        components.reduce(0) { sum, c in
            let z = (x - c.mean) / c.std
            return sum + c.weight * exp(-0.5 * z * z) / (c.std * (2 * Double.pi).squareRoot())
        }
    }

    /// Position of the lowest mixture density strictly between `low` and `high`, by a grid search
    /// with 100 001 points. This is the outside reference for where a boundary belongs: it uses the
    /// known generating density, not the sample or the library's KDE.
    static func trueDensityMinimum(_ components: [Component], between low: Double, and high: Double) -> Double {
        let steps = 100_000
        var best = low
        var bestDensity = Double.infinity
        for i in 1..<steps {
            let x = low + (high - low) * Double(i) / Double(steps)
            let d = mixturePDF(components, at: x)
            if d < bestDensity {
                bestDensity = d
                best = x
            }
        }
        return best
    }
}
