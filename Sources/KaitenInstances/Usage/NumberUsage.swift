import Foundation
import KaitenCore

/// A metered entitlement's total in its current window: the value and how many reports made it.
struct NumberUsage: Equatable {
    var value: Double
    var eventCount: Int64

    /// What a pair with no report yet, or a window nothing was reported in, holds.
    static let zero = NumberUsage(value: 0, eventCount: 0)

    /// Reads the `{"type":"number","value":n,"event_count":k}` stored in `entitlement_usage.value`.
    init?(stored text: String) {
        guard let json = try? JSONValue.parse(Array(text.utf8)),
            case .number(let value, let eventCount)? = EntitlementValue(json: json, allowsEventCount: true)
        else { return nil }
        self.init(value: value, eventCount: eventCount ?? 0)
    }

    init(value: Double, eventCount: Int64) {
        self.value = value
        self.eventCount = eventCount
    }

    /// The typed value the wire and the database carry.
    var entitlementValue: EntitlementValue { .number(value, eventCount: eventCount) }
}

/// How an `append` report folds its value into the stored total.
///
/// Every fold starts from the stored total, and a window starts at zero: MIN over positive reports stays
/// at zero, as in Kaiten.
enum AggregationMethod: String {
    case sum = "SUM"
    case count = "COUNT"
    case average = "AVERAGE"
    case max = "MAX"
    case min = "MIN"
    case latest = "LATEST"

    func fold(_ current: NumberUsage, _ reported: Double) -> Double {
        switch self {
        case .sum: current.value + reported
        case .count: current.value + 1
        case .average: Self.average(current, reported)
        case .max: Swift.max(current.value, reported)
        case .min: Swift.min(current.value, reported)
        case .latest: reported
        }
    }

    /// Kaiten's running mean; when the weighted sum overflows, the same mean from the weights, which stays finite
    /// for finite values (every fold's result is still checked for overflow by the caller).
    private static func average(_ current: NumberUsage, _ reported: Double) -> Double {
        let count = Double(current.eventCount)
        let mean = (current.value * count + reported) / (count + 1)
        return mean.isFinite ? mean : current.value * (count / (count + 1)) + reported / (count + 1)
    }
}

/// What a report does with its value.
enum UsageBehavior: String {
    /// Folds the value into the total through the entitlement's aggregation method.
    case append
    /// Replaces the total: an absolute value, which is also how a total is corrected downwards.
    case set

    /// The total after a report of `value`, with the count of reports that made it.
    func apply(_ value: Double, to current: NumberUsage, aggregation: AggregationMethod) -> NumberUsage {
        switch self {
        case .set:
            // One observation: a following AVERAGE append then weighs the set value as one report.
            NumberUsage(value: value, eventCount: 1)
        case .append:
            NumberUsage(value: aggregation.fold(current, value), eventCount: current.eventCount + 1)
        }
    }
}

/// The cap a numeric grant puts on usage: its value T, and the overage allowance P in percent.
///
/// T = −1 is unlimited. Otherwise usage up to T + T·P/100 is accepted: P = 0 is a hard limit, P > 0 a
/// soft one, whose overage is still counted.
package struct UsageCap {
    package let threshold: Double
    package let overagePercent: Int

    package init(threshold: Double, overagePercent: Int) {
        self.threshold = threshold
        self.overagePercent = overagePercent
    }

    package var isUnlimited: Bool { threshold == EntitlementValue.unlimited }

    /// The most usage accepted, T + T·P/100; nil when unlimited.
    package var maximum: Double? { isUnlimited ? nil : threshold + threshold * Double(overagePercent) / 100 }

    /// Whether a report that leaves usage at `value` is refused. Reaching the maximum exactly is allowed.
    func refuses(_ value: Double) -> Bool {
        maximum.map { value > $0 } ?? false
    }

    /// Whether usage moving from `previous` to `updated` crossed `boundary`: from strictly below it to at
    /// or above it, so a signal fires once per crossing and not on every report past it.
    static func crossed(_ previous: Double, _ updated: Double, _ boundary: Double) -> Bool {
        previous < boundary && updated >= boundary
    }
}

extension Date {
    /// The instant in whole milliseconds, the precision usage windows are stored and compared at.
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
