import Foundation
import KaitenCore

/// An instance's usage of one entitlement, next to the grant it is measured against.
///
/// For the number family `value` is the total in the current window (with its `event_count`); for
/// BOOLEAN and CONFIG entitlements it is the grant itself. The period bounds are present only when the
/// entitlement resets.
package struct EntitlementUsageResource: Encodable, Sendable {
    package let entitlementId: String
    package let entitlementSlug: String
    package let licenseId: String
    package let licenseSlug: String
    package let value: EntitlementValue
    package let limit: EntitlementValue?
    package let currentPeriodStart: Date?
    package let currentPeriodEnd: Date?
}

/// `ENTITLEMENT_USAGE_REPORT_ACCEPTED` and `…_REJECTED`: what was asked for, and the count it made or
/// would have made.
struct UsageReportOutcome: Encodable {
    let entitlementSlug: String
    let value: Double
    let behavior: String
    let eventCount: Int64
    let status: String

    enum CodingKeys: String, CodingKey {
        case entitlementSlug = "entitlement_slug"
        case value, behavior
        case eventCount = "event_count"
        case status
    }
}

/// `INSTANCE_ENTITLEMENT_CAP_EXCEEDED`.
struct UsageCapExceeded: Encodable {
    let entitlementSlug: String
    let threshold: Double
    let value: Double
    let overage: Double

    enum CodingKeys: String, CodingKey {
        case entitlementSlug = "entitlement_slug"
        case threshold, value, overage
    }
}

/// `INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED`.
struct UsageWarningThresholdReached: Encodable {
    let entitlementSlug: String
    let threshold: Double
    let boundary: Double
    let value: Double

    enum CodingKeys: String, CodingKey {
        case entitlementSlug = "entitlement_slug"
        case threshold, boundary, value
    }
}

/// `INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER`: one closed window. The closed bounds are always
/// present, null when they cannot be known.
struct UsagePeriodRolledOver: Encodable {
    let entitlementID: String
    let entitlementSlug: String
    let instanceID: String
    let closure: UsageSchedule.Closure

    enum CodingKeys: String, CodingKey {
        case entitlementID = "entitlement_id"
        case entitlementSlug = "entitlement_slug"
        case instanceID = "instance_id"
        case value
        case eventCount = "event_count"
        case closedPeriodStart = "closed_period_start"
        case closedPeriodEnd = "closed_period_end"
        case newPeriodStart = "new_period_start"
        case isSynthetic = "is_synthetic"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entitlementID, forKey: .entitlementID)
        try container.encode(entitlementSlug, forKey: .entitlementSlug)
        try container.encode(instanceID, forKey: .instanceID)
        try container.encode(closure.usage.value, forKey: .value)
        try container.encode(closure.usage.eventCount, forKey: .eventCount)
        try container.encode(closure.start, forKey: .closedPeriodStart)
        try container.encode(closure.end, forKey: .closedPeriodEnd)
        try container.encode(closure.newPeriodStart, forKey: .newPeriodStart)
        try container.encode(closure.isSynthetic, forKey: .isSynthetic)
    }
}

/// `ENTITLEMENT_VALUE_GET`: the read audit of one entitlement's usage on one instance.
struct EntitlementValueRead: Encodable {
    let entitlementID: String
    let instanceID: String
    let licenseID: String
    let organizationID: String
    let type: String
    let value: EntitlementValue
    let timestamp: Date
    let entitlementSlug: String

    enum CodingKeys: String, CodingKey {
        case entitlementID = "entitlement_id"
        case instanceID = "instance_id"
        case licenseID = "license_id"
        case organizationID = "organization_id"
        case type, value, timestamp
        case entitlementSlug = "entitlement_slug"
    }
}
