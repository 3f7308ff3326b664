import Foundation
import KaitenCore

/// A named set of entitlements, as the API returns it and its events carry.
struct EntitlementGroupResource: Encodable, Sendable {
    let id: String
    let name: String
    let slug: String
    let description: String?
    /// Orders the list only; the wire has no timestamps for groups.
    let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, slug, description
    }

    /// `description` is always present, null when unset.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(slug, forKey: .slug)
        try container.encode(description, forKey: .description)
    }
}

extension EntitlementGroupResource: KeysetPaged {}

/// One member of a group, for one instance: what the instance's license grants of it and what it used.
struct EntitlementGroupUsage: Encodable, Sendable {
    let entitlementId: String
    let entitlementSlug: String
    let entitlementName: String
    let entitlementType: String
    /// Absent when nothing was reported for a lifetime entitlement; a periodic one always has a value.
    let usageValue: EntitlementValue?
    /// Absent when the instance's license does not grant the entitlement.
    let licenseValue: EntitlementValue?
    let currentPeriodStart: Date?
    let currentPeriodEnd: Date?
}

enum EntitlementGroupEvents {
    static let created = EventType(name: "ENTITLEMENT_GROUP_CREATED", type: "com.kaiten.entitlement_group.v1.created")
    static let updated = EventType(name: "ENTITLEMENT_GROUP_UPDATED", type: "com.kaiten.entitlement_group.v1.updated")
    static let deleted = EventType(name: "ENTITLEMENT_GROUP_DELETED", type: "com.kaiten.entitlement_group.v1.deleted")
}
