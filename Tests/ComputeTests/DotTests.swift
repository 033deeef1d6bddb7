import Compute
import Testing

struct DotTests {
    /// Two dot products sharing one operand give the bits of two separate `dot` calls, on odd
    /// lengths (tails of every size, one or more 32-element steps).
    @Test(arguments: [1, 3, 17, 31, 32, 33, 127, 1023])
    func dot2MatchesDot(n: Int) {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D &* UInt64(n)
        func values() -> [Float] {
            (0..<n).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(state >> 40) / Float(1 << 24) * 2 - 1
            }
        }
        let a = values(), b0 = values(), b1 = values()
        let (s0, s1) = Vector.dot2(a, b0, b1, n)
        #expect(s0.bitPattern == Vector.dot(a, b0, n).bitPattern)
        #expect(s1.bitPattern == Vector.dot(a, b1, n).bitPattern)
    }
}
