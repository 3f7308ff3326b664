import Foundation
import KaitenCore

/// A feature flag as the API answers it and its events carry, in Kaiten's snake_case.
package struct FeatureFlagResource: Encodable, Sendable, KeysetPaged {
    package let id: String
    package let slug: String
    package let name: String
    package let description: String?
    package let type: String
    package let variants: JSONValue
    package let targetings: JSONValue
    package let defaultVariant: JSONValue
    package let metadata: JSONValue
    package let enabled: Bool
    package let eventName: String
    /// Orders the list only; the wire has no timestamps for flags.
    package let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, slug, name, description, type, variants, targetings, metadata, enabled
        case defaultVariant = "default_variant"
        case eventName = "event_name"
    }

    /// `description` is always present, null when unset.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(slug, forKey: .slug)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(type, forKey: .type)
        try container.encode(variants, forKey: .variants)
        try container.encode(targetings, forKey: .targetings)
        try container.encode(defaultVariant, forKey: .defaultVariant)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(eventName, forKey: .eventName)
    }
}

enum FeatureFlagEvents {
    static let created = EventType(name: "FEATURE_FLAG_CREATED", type: "com.kaiten.feature_flag.v1.created")
    static let updated = EventType(name: "FEATURE_FLAG_UPDATED", type: "com.kaiten.feature_flag.v1.updated")
    static let deleted = EventType(name: "FEATURE_FLAG_DELETED", type: "com.kaiten.feature_flag.v1.deleted")
}
