import XCTest
@testable import Curriculum

final class BucketPartitionTests: XCTestCase {
    /// Raw scale [−6, 0], boundaries at 0.25 and 0.5 of it: −4.5 and −3.
    func testAssignsByBoundaryAndMapsRangesBack() throws {
        let p = BucketPartition(scale: try MinMaxScale(fitting: [-6, 0]), boundaries: [0.25, 0.5],
                                bandwidth: 0.1, valleys: [])
        XCTAssertEqual(p.bucketCount, 3)
        XCTAssertEqual(p.rawBoundaries, [-4.5, -3])
        XCTAssertEqual(p.assign([-6, -4.6, -4.5, -4.4, -3, -2.9, 0]), [0, 0, 0, 1, 1, 2, 2],
                       "a value on a boundary belongs to the lower bucket")
        XCTAssertEqual(p.rawRange(of: 0), -6 ... -4.5)
        XCTAssertEqual(p.rawRange(of: 1), -4.5 ... -3)
        XCTAssertEqual(p.rawRange(of: 2), -3 ... 0)
        XCTAssertEqual(p.bucket(ofNormalised: 0.9), 2)
    }

    func testRoundTripsThroughJSON() throws {
        let p = BucketPartition(scale: try MinMaxScale(fitting: [1, 3]), boundaries: [0.5], bandwidth: 0.05,
                                valleys: [Valley(position: 0.5, relativeDepth: 0.1, relativeProminence: 0.4)])
        XCTAssertEqual(try JSONDecoder().decode(BucketPartition.self, from: JSONEncoder().encode(p)), p)
    }
}
