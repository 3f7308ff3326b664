import Foundation
import KaitenCore

/// An instance: one deployment of the organization's product for a customer, pinned to a license version.
package struct InstanceResource: Encodable, Sendable {
    package let id: String
    package let slug: String
    package let name: String
    package let description: String
    package let status: String
    package let lifecycleStage: String?
    package let createdBy: UserReference
    package let createdAt: Date
    package let updatedBy: UserReference
    package let updatedAt: Date
    package let customerId: String
    package let customerSlug: String
    package let licenseId: String
    package let licenseSlug: String
    package let deploymentZoneId: String?
    package let deploymentZoneSlug: String?
    package let startLicenseDate: Date
    package let endLicenseDate: Date
    package let metadata: [String: JSONValue]
    /// The instance's links to third-party records, by adapter name; omitted when there are none, as in Kaiten.
    package var integrations: [String: IntegrationLink]?

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

package enum InstanceEvents {
    package static let created = EventType(name: "INSTANCE_CREATED", type: "com.kaiten.instance.v1.created")
    package static let updated = EventType(name: "INSTANCE_UPDATED", type: "com.kaiten.instance.v1.updated")
    package static let deleted = EventType(name: "INSTANCE_DELETED", type: "com.kaiten.instance.v1.deleted")
    package static let deployed = EventType(name: "INSTANCE_DEPLOYED", type: "com.kaiten.instance.v1.deployed")
    package static let migrated = EventType(name: "INSTANCE_MIGRATED", type: "com.kaiten.instance.v1.migrated")
    package static let statusChanged = EventType(name: "INSTANCE_STATUS_CHANGED", type: "com.kaiten.instance.v1.status_changed")
    package static let lifecycleStageChanged = EventType(
        name: "INSTANCE_LIFECYCLE_STAGE_CHANGED", type: "com.kaiten.instance.v1.lifecycle_stage_changed"
    )
    package static let usageReached = EventType(
        name: "INSTANCE_ENTITLEMENT_USAGE_REACHED", type: "com.kaiten.instance.entitlement.v1.usage_reached"
    )
    package static let capExceeded = EventType(
        name: "INSTANCE_ENTITLEMENT_CAP_EXCEEDED", type: "com.kaiten.instance.entitlement.v1.cap_exceeded"
    )
    package static let warningThresholdReached = EventType(
        name: "INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED",
        type: "com.kaiten.instance.entitlement.v1.usage_warning_threshold_reached"
    )
    package static let reportAccepted = EventType(
        name: "ENTITLEMENT_USAGE_REPORT_ACCEPTED", type: "com.kaiten.instance.entitlement.v1.usage_report_accepted"
    )
    package static let reportRejected = EventType(
        name: "ENTITLEMENT_USAGE_REPORT_REJECTED", type: "com.kaiten.instance.entitlement.v1.usage_report_rejected"
    )
    package static let valueGet = EventType(name: "ENTITLEMENT_VALUE_GET", type: "com.kaiten.instance.entitlement.v1.value_get")
    package static let periodRolledOver = EventType(
        name: "INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER", type: "com.kaiten.instance.entitlement.v1.usage_period_rolled_over"
    )
}
