import Foundation
import KaitenCore

/// What an entitlement grants: a feature switch, a metered quantity or a configuration object.
enum EntitlementType: String, CaseIterable, Sendable {
    case boolean = "BOOLEAN"
    case number = "NUMBER"
    case config = "CONFIG"
    case numberAICredit = "NUMBER_AI_CREDIT"

    /// The types that carry a numeric cap and report usage: only they take an aggregation method, units, a
    /// warning threshold and a reset period.
    var isNumberFamily: Bool { self == .number || self == .numberAICredit }
}

/// How each reported usage value folds into the stored total of a number-family entitlement.
enum AggregationMethod: String, CaseIterable, Sendable {
    case count = "COUNT"
    case sum = "SUM"
    case average = "AVERAGE"
    case min = "MIN"
    case max = "MAX"
    case latest = "LATEST"
}

/// An entitlement as the API returns it and its events carry.
package struct EntitlementResource: Encodable, Sendable {
    package let id: String
    package let name: String
    package let slug: String
    package let description: String?
    package let type: String
    package let aggregationMethod: String?
    package let entitlementGroups: [EntitlementGroupSummary]
    package let icon: String?
    package let unitSingular: String?
    package let unitPlural: String?
    package let saleUnitSingular: String?
    package let saleUnitPlural: String?
    package let saleUnitFactor: Double?
    package let userFacing: Bool
    package let displayOrder: Int
    package let warningThresholdPercent: Int
    package let resetPeriod: String?
    package let resetAnchor: String?
    package let createdAt: Date
    package let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, slug, description, type, aggregationMethod, entitlementGroups, icon, unitSingular, unitPlural
        case saleUnitSingular, saleUnitPlural, saleUnitFactor, userFacing, displayOrder, warningThresholdPercent
        case resetPeriod, resetAnchor, createdAt, updatedAt
    }

    /// `description` is always present (null when unset), as the contract requires it; every other unset
    /// optional is omitted, and so is an empty `entitlementGroups`, as Go writes them.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(slug, forKey: .slug)
        try container.encode(description, forKey: .description)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(aggregationMethod, forKey: .aggregationMethod)
        if !entitlementGroups.isEmpty { try container.encode(entitlementGroups, forKey: .entitlementGroups) }
        try container.encodeIfPresent(icon, forKey: .icon)
        try container.encodeIfPresent(unitSingular, forKey: .unitSingular)
        try container.encodeIfPresent(unitPlural, forKey: .unitPlural)
        try container.encodeIfPresent(saleUnitSingular, forKey: .saleUnitSingular)
        try container.encodeIfPresent(saleUnitPlural, forKey: .saleUnitPlural)
        try container.encodeIfPresent(saleUnitFactor, forKey: .saleUnitFactor)
        try container.encode(userFacing, forKey: .userFacing)
        try container.encode(displayOrder, forKey: .displayOrder)
        try container.encode(warningThresholdPercent, forKey: .warningThresholdPercent)
        try container.encodeIfPresent(resetPeriod, forKey: .resetPeriod)
        try container.encodeIfPresent(resetAnchor, forKey: .resetAnchor)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

extension EntitlementResource: KeysetPaged {}

/// `{id, name, slug}`: a group an entitlement belongs to, as embedded in the entitlement.
package struct EntitlementGroupSummary: Encodable, Sendable, Equatable {
    package let id: String
    package let name: String
    package let slug: String
}

enum EntitlementEvents {
    static let created = EventType(name: "ENTITLEMENT_CREATED", type: "com.kaiten.entitlement.v1.created")
    static let updated = EventType(name: "ENTITLEMENT_UPDATED", type: "com.kaiten.entitlement.v1.updated")
    static let deleted = EventType(name: "ENTITLEMENT_DELETED", type: "com.kaiten.entitlement.v1.deleted")
}
