import Foundation
import KaitenCore

/// What a license is for, as the wire spells it.
enum LicenseType: String, CaseIterable {
    case development = "DEVELOPMENT"
    case trial = "TRIAL"
    case paid = "PAID"
    case community = "COMMUNITY"

    /// Reads a client's type, whatever its case, as Kaiten normalises it.
    init?(normalizing text: String) {
        self.init(rawValue: text.uppercased())
    }

    static let expected = allCases.map(\.rawValue).joined(separator: ", ")
}

/// Whether a version may be served: never offered, on sale, or withdrawn.
enum LifecycleState: String, CaseIterable {
    case draft = "DRAFT"
    case published = "PUBLISHED"
    case archived = "ARCHIVED"

    init?(normalizing text: String) {
        self.init(rawValue: text.uppercased())
    }

    static let expected = allCases.map(\.rawValue).joined(separator: ", ")
}

/// One version of a license family.
package struct LicenseResource: Encodable, Sendable, KeysetPaged {
    package let id: String
    package let name: String
    package let slug: String
    package let description: String
    package let type: String
    package let version: Int
    package let versionName: String
    package let isDefault: Bool
    package let familyId: String
    package let lifecycleState: String
    package let createdAt: Date
    package let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, slug, description, type, version, versionName, isDefault, familyId, lifecycleState, createdAt, updatedAt
    }

    /// The version number is a string on the wire, as Kaiten has always sent it.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(slug, forKey: .slug)
        try container.encode(description, forKey: .description)
        try container.encode(type, forKey: .type)
        try container.encode(String(version), forKey: .version)
        try container.encode(versionName, forKey: .versionName)
        try container.encode(isDefault, forKey: .isDefault)
        try container.encode(familyId, forKey: .familyId)
        try container.encode(lifecycleState, forKey: .lifecycleState)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    var isPublished: Bool { lifecycleState == LifecycleState.published.rawValue }
}

/// A license family with the version a read is about: the one it serves, or the one asked for.
package struct LicenseFamilyView: Encodable, Sendable, KeysetPaged {
    package let id: String
    package let slug: String
    /// Absent when the family serves nothing (every version a draft or archived) and no version was pinned.
    package var currentVersion: LicenseResource?
    package var versionCount: Int
    /// Only under `include=versions`, oldest first.
    package var versions: [LicenseResource]?
    package let createdAt: Date
    package let updatedAt: Date
}

/// `{id, name, slug}` of a group an entitled feature belongs to.
package struct EntitlementGroupSummary: Encodable, Sendable {
    package let id: String
    package let name: String
    package let slug: String
}

/// What a license grants of one entitlement.
package struct LicenseEntitlementResource: Encodable, Sendable {
    /// The grant row's own id: never sent, it only breaks ties between grants created in the same instant.
    let rowID: UUID
    let entitlementID: UUID
    package let entitlementSlug: String
    package let entitlementName: String
    package let entitlementType: String
    package let licenseId: String
    package let licenseSlug: String
    package let createdBy: UserReference
    package let createdAt: Date
    package let updatedBy: UserReference
    package let updatedAt: Date
    package let value: EntitlementValue
    /// Null for a boolean or object grant, which has no cap to exceed.
    package let limitCapExceededOveragePercent: Int?
    /// Filled by the grant list only, and omitted when the entitlement is in no group.
    package var entitlementGroups: [EntitlementGroupSummary]?

    enum CodingKeys: String, CodingKey {
        case entitlementSlug, entitlementName, entitlementType, licenseId, licenseSlug, createdBy, createdAt, updatedBy, updatedAt, value
        case limitCapExceededOveragePercent, entitlementGroups
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entitlementSlug, forKey: .entitlementSlug)
        try container.encode(entitlementName, forKey: .entitlementName)
        try container.encode(entitlementType, forKey: .entitlementType)
        try container.encode(licenseId, forKey: .licenseId)
        try container.encode(licenseSlug, forKey: .licenseSlug)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedBy, forKey: .updatedBy)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(value, forKey: .value)
        try container.encodeIfPresent(limitCapExceededOveragePercent, forKey: .limitCapExceededOveragePercent)
        if let entitlementGroups, !entitlementGroups.isEmpty {
            try container.encode(entitlementGroups, forKey: .entitlementGroups)
        }
    }
}

package enum LicenseEvents {
    package static let created = EventType(name: "LICENSE_CREATED", type: "com.kaiten.license.v1.created")
    package static let updated = EventType(name: "LICENSE_UPDATED", type: "com.kaiten.license.v1.updated")
    package static let deleted = EventType(name: "LICENSE_DELETED", type: "com.kaiten.license.v1.deleted")
    package static let published = EventType(name: "LICENSE_PUBLISHED", type: "com.kaiten.license.v1.published")
    package static let archived = EventType(name: "LICENSE_ARCHIVED", type: "com.kaiten.license.v1.archived")
    package static let unarchived = EventType(name: "LICENSE_UNARCHIVED", type: "com.kaiten.license.v1.unarchived")
    package static let entitlementAssigned = EventType(name: "LICENSE_ENTITLEMENT_ASSIGNED", type: "com.kaiten.license.entitlement.v1.assigned")
    package static let entitlementUpdated = EventType(name: "LICENSE_ENTITLEMENT_UPDATED", type: "com.kaiten.license.entitlement.v1.updated")
    package static let entitlementUnassigned = EventType(name: "LICENSE_ENTITLEMENT_UNASSIGNED", type: "com.kaiten.license.entitlement.v1.unassigned")
    package static let familyCreated = EventType(name: "LICENSE_FAMILY_CREATED", type: "com.kaiten.license_family.v1.created")
    package static let familyUpdated = EventType(name: "LICENSE_FAMILY_UPDATED", type: "com.kaiten.license_family.v1.updated")
    package static let familyDeleted = EventType(name: "LICENSE_FAMILY_DELETED", type: "com.kaiten.license_family.v1.deleted")
}
