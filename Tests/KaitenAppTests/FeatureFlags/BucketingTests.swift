import Foundation
import KaitenCore
import Testing

@testable import KaitenFeatureFlags

/// Buckets and splits as the Go original computes them; the expected values come from an independent Python
/// script (the `xxhash` package and the published algorithm), not from this code.
@Suite struct BucketingTests {
    @Test(arguments: [
        ("new-checkout", "user-1", 2857, "off"),
        ("new-checkout", "user-2", 5278, "off"),
        ("new-checkout", "acme", 1014, "off"),
        ("new-checkout", "user-4", 8267, "on"),
        ("new-checkout", "user-7", 7902, "on"),
        ("new-checkout", "user-13", 7112, "on"),
    ])
    func aThirtySeventySplitPlacesKeysAsKaitenDoes(slug: String, key: String, bucket: Int, variant: String) {
        let placed = Bucket(flagSlug: slug, targetingKey: key)
        #expect(placed.value == bucket)
        #expect(placed.variant(weights: ["on": 30, "off": 70]) == variant)
    }

    @Test func tenThousandKeysSplitWithinTheirWeights() {
        var on = 0
        for index in 0..<10_000 where Bucket(flagSlug: "new-checkout", targetingKey: "key-\(index)").variant(weights: ["on": 30, "off": 70]) == "on" {
            on += 1
        }
        #expect(on == 3_021)
    }

    @Test func weightsOfZeroServeNobody() {
        #expect(Bucket(value: 9_999).variant(weights: ["a": 0, "b": 5]) == "b")
        #expect(Bucket(value: 0).variant(weights: ["a": 0]) == nil)
    }

    @Test func aDateRolloutMovesTheLowBucketsFirst() throws {
        let start = Timestamp.parse("2026-01-01T00:00:00Z")!
        let end = Timestamp.parse("2026-01-11T00:00:00Z")!
        var reader = JSONObjectReader(.object(["variant": "old", "percentage": 0, "date": .string(Timestamp.format(start))]))
        let from = try #require(RolloutStep(reading: &reader))
        reader = JSONObjectReader(.object(["variant": "new", "percentage": 100, "date": .string(Timestamp.format(end))]))
        let to = try #require(RolloutStep(reading: &reader))
        let halfway = start.addingTimeInterval(5 * 86_400)
        #expect(Bucket(value: 4_999).variant(start: from, end: to, now: halfway) == "new")
        #expect(Bucket(value: 5_000).variant(start: from, end: to, now: halfway) == "old")
        #expect(Bucket(value: 0).variant(start: from, end: to, now: start.addingTimeInterval(-1)) == "old")
        #expect(Bucket(value: 9_999).variant(start: from, end: to, now: end.addingTimeInterval(1)) == "new")
    }
}
