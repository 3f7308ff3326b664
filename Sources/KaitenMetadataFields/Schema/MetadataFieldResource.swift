import Foundation
import KaitenCore

/// A typed metadata field: one key of an instance's or a deployment zone's `metadata`, and the JSON Schema its
/// value must satisfy.
public struct MetadataFieldResource: Encodable, Sendable {
    public let id: UUID
    public let resourceType: MetadataResourceType
    public let key: String
    public let label: String
    public let jsonSchema: [String: JSONValue]
    public let displayOrder: Int
    public let archivedAt: Date?
    public let createdBy: UserReference
    public let createdAt: Date
    public let updatedBy: UserReference
    public let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, resourceType, key, label, jsonSchema, displayOrder, archivedAt, createdBy, createdAt, updatedBy, updatedAt
    }

    /// `archivedAt` is present only on an archived field.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.lowercased, forKey: .id)
        try container.encode(resourceType.rawValue, forKey: .resourceType)
        try container.encode(key, forKey: .key)
        try container.encode(label, forKey: .label)
        try container.encode(jsonSchema, forKey: .jsonSchema)
        try container.encode(displayOrder, forKey: .displayOrder)
        try container.encodeIfPresent(archivedAt, forKey: .archivedAt)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedBy, forKey: .updatedBy)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// `{count, samples}`: the resources a candidate schema would invalidate.
public struct MetadataFieldImpact: Encodable, Sendable {
    public let count: Int
    public let samples: [MetadataFieldImpactSample]
}

public struct MetadataFieldImpactSample: Encodable, Sendable {
    public let name: String
    public let slug: String
}

/// The payload of `METADATA_FIELD_REORDERED`: the field ids in their new display order.
public struct MetadataFieldsReordered: Encodable, Sendable {
    public let ids: [String]
}

public enum MetadataFieldEvents {
    public static let created = EventType(name: "METADATA_FIELD_CREATED", type: "com.kaiten.metadata_field.v1.created")
    public static let updated = EventType(name: "METADATA_FIELD_UPDATED", type: "com.kaiten.metadata_field.v1.updated")
    public static let archived = EventType(name: "METADATA_FIELD_ARCHIVED", type: "com.kaiten.metadata_field.v1.archived")
    public static let unarchived = EventType(name: "METADATA_FIELD_UNARCHIVED", type: "com.kaiten.metadata_field.v1.unarchived")
    public static let reordered = EventType(name: "METADATA_FIELD_REORDERED", type: "com.kaiten.metadata_field.v1.reordered")
}
