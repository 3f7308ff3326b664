import Foundation
import KaitenCore

/// A typed metadata field: one key of an instance's or a deployment zone's `metadata`, and the JSON Schema its
/// value must satisfy.
package struct MetadataFieldResource: Encodable, Sendable {
    package let id: UUID
    package let resourceType: MetadataResourceType
    package let key: String
    package let label: String
    package let jsonSchema: [String: JSONValue]
    package let displayOrder: Int
    package let archivedAt: Date?
    package let createdBy: UserReference
    package let createdAt: Date
    package let updatedBy: UserReference
    package let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, resourceType, key, label, jsonSchema, displayOrder, archivedAt, createdBy, createdAt, updatedBy, updatedAt
    }

    /// `archivedAt` is present only on an archived field.
    package func encode(to encoder: any Encoder) throws {
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
package struct MetadataFieldImpact: Encodable, Sendable {
    package let count: Int
    package let samples: [MetadataFieldImpactSample]
}

package struct MetadataFieldImpactSample: Encodable, Sendable {
    package let name: String
    package let slug: String
}

/// The payload of `METADATA_FIELD_REORDERED`: the field ids in their new display order.
package struct MetadataFieldsReordered: Encodable, Sendable {
    package let ids: [String]
}

package enum MetadataFieldEvents {
    package static let created = EventType(name: "METADATA_FIELD_CREATED", type: "com.kaiten.metadata_field.v1.created")
    package static let updated = EventType(name: "METADATA_FIELD_UPDATED", type: "com.kaiten.metadata_field.v1.updated")
    package static let archived = EventType(name: "METADATA_FIELD_ARCHIVED", type: "com.kaiten.metadata_field.v1.archived")
    package static let unarchived = EventType(name: "METADATA_FIELD_UNARCHIVED", type: "com.kaiten.metadata_field.v1.unarchived")
    package static let reordered = EventType(name: "METADATA_FIELD_REORDERED", type: "com.kaiten.metadata_field.v1.reordered")
}
