import Foundation
import KaitenCore

/// An instance: one deployment of the organization's product for a customer, pinned to a license version.
public struct InstanceResource: Encodable, Sendable {
    public let id: String
    public let slug: String
    public let name: String
    public let description: String
    public let status: String
    public let lifecycleStage: String?
    public let createdBy: UserReference
    public let createdAt: Date
    public let updatedBy: UserReference
    public let updatedAt: Date
    public let customerId: String
    public let customerSlug: String
    public let licenseId: String
    public let licenseSlug: String
    public let deploymentZoneId: String?
    public let deploymentZoneSlug: String?
    public let startLicenseDate: Date
    public let endLicenseDate: Date
    public let metadata: [String: JSONValue]

    /// The outbox headers of every event about this instance: the audit trail files them under it.
    var eventHeaders: [String: String] { ["instance_id": id] }
}

extension InstanceResource: KeysetPaged {}

/// The operational states an instance reports.
enum InstanceStatus: String, CaseIterable {
    case healthy = "HEALTHY"
    case degraded = "DEGRADED"
    case incident = "INCIDENT"
    case maintenance = "MAINTENANCE"

    static let pattern = TextPattern("^(HEALTHY|DEGRADED|INCIDENT|MAINTENANCE)$") { InstanceStatus(rawValue: $0) != nil }
}

public enum InstanceEvents {
    public static let created = EventType(name: "INSTANCE_CREATED", type: "com.kaiten.instance.v1.created")
    public static let updated = EventType(name: "INSTANCE_UPDATED", type: "com.kaiten.instance.v1.updated")
    public static let deleted = EventType(name: "INSTANCE_DELETED", type: "com.kaiten.instance.v1.deleted")
    public static let deployed = EventType(name: "INSTANCE_DEPLOYED", type: "com.kaiten.instance.v1.deployed")
    public static let migrated = EventType(name: "INSTANCE_MIGRATED", type: "com.kaiten.instance.v1.migrated")
    public static let statusChanged = EventType(name: "INSTANCE_STATUS_CHANGED", type: "com.kaiten.instance.v1.status_changed")
    public static let lifecycleStageChanged = EventType(
        name: "INSTANCE_LIFECYCLE_STAGE_CHANGED", type: "com.kaiten.instance.v1.lifecycle_stage_changed"
    )
    public static let usageReached = EventType(
        name: "INSTANCE_ENTITLEMENT_USAGE_REACHED", type: "com.kaiten.instance.entitlement.v1.usage_reached"
    )
    public static let capExceeded = EventType(
        name: "INSTANCE_ENTITLEMENT_CAP_EXCEEDED", type: "com.kaiten.instance.entitlement.v1.cap_exceeded"
    )
    public static let warningThresholdReached = EventType(
        name: "INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED",
        type: "com.kaiten.instance.entitlement.v1.usage_warning_threshold_reached"
    )
    public static let reportAccepted = EventType(
        name: "ENTITLEMENT_USAGE_REPORT_ACCEPTED", type: "com.kaiten.instance.entitlement.v1.usage_report_accepted"
    )
    public static let reportRejected = EventType(
        name: "ENTITLEMENT_USAGE_REPORT_REJECTED", type: "com.kaiten.instance.entitlement.v1.usage_report_rejected"
    )
    public static let valueGet = EventType(name: "ENTITLEMENT_VALUE_GET", type: "com.kaiten.instance.entitlement.v1.value_get")
    public static let periodRolledOver = EventType(
        name: "INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER", type: "com.kaiten.instance.entitlement.v1.usage_period_rolled_over"
    )
}
