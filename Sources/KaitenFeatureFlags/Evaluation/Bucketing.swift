import Foundation
import KaitenCore

/// Where a targeting key falls among 10,000 buckets for one flag, as Kaiten splits keys: XXH64 (seed 0) of
/// `slug + "\0" + targetingKey`, modulo 10,000. A key keeps its bucket, so its variant, across calls.
struct Bucket: Sendable, Equatable {
    static let count: UInt64 = 10_000

    let value: Int

    init(flagSlug: String, targetingKey: String) {
        var bytes = Array(flagSlug.utf8)
        bytes.append(0)
        bytes.append(contentsOf: targetingKey.utf8)
        value = Int(XXH64.hash(bytes) % Self.count)
    }

    init(value: Int) {
        self.value = value
    }

    /// The variant a weighted split gives this bucket: variants with positive weights in name order, the first
    /// whose cumulative share passes the bucket's; nil only where rounding leaves the last sliver uncovered.
    func variant(weights: [String: Int64]) -> String? {
        let variants = weights.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        let total = variants.reduce(0.0) { $0 + Double($1.value) }
        guard total > 0 else { return nil }
        let percent = Double(value) / Double(Self.count) * 100
        var cumulative = 0.0
        for (name, weight) in variants {
            cumulative += Double(weight) / total * 100
            if percent < cumulative { return name }
        }
        return nil
    }

    /// The variant a date rollout gives this bucket at `now`: the start variant before the start, the end
    /// variant after the end, and between them the end variant for the buckets below the share that has moved.
    func variant(start: RolloutStep, end: RolloutStep, now: Date) -> String {
        switch RolloutPhase(start: start, end: end, now: now) {
        case .notStarted: start.variant
        case .moving(let threshold): value < threshold ? end.variant : start.variant
        case .ended: end.variant
        }
    }
}

/// How far a date rollout has gone at one instant. Keys change variant only when this changes, which is what
/// lets a bulk answer's ETag stand for the time it was evaluated at.
enum RolloutPhase: Hashable, Sendable {
    case notStarted
    /// The buckets below `threshold` have moved to the end variant.
    case moving(threshold: Int)
    case ended

    init(start: RolloutStep, end: RolloutStep, now: Date) {
        if now < start.date {
            self = .notStarted
        } else if now > end.date {
            self = .ended
        } else {
            let elapsed = now.timeIntervalSince(start.date) / end.date.timeIntervalSince(start.date)
            let percent = min(max(Double(start.percentage) + Double(end.percentage - start.percentage) * elapsed, 0), 100)
            self = .moving(threshold: Int(percent * Double(Bucket.count) / 100))
        }
    }
}
