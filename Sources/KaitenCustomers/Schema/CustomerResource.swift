import Foundation
import KaitenCore

/// A customer of the organization: the end client instances are deployed for.
public struct CustomerResource: Encodable, Sendable {
    public let id: String
    public let name: String
    public let slug: String
    public let externalCustomerId: String?
    public let domain: String?
    public let createdBy: UserReference
    public let createdAt: Date
    public let updatedBy: UserReference
    public let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, slug, externalCustomerId, domain, createdBy, createdAt, updatedBy, updatedAt
    }

    /// `externalCustomerId` is always present, null when unset; the other optionals are omitted.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(slug, forKey: .slug)
        try container.encode(externalCustomerId, forKey: .externalCustomerId)
        try container.encodeIfPresent(domain, forKey: .domain)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedBy, forKey: .updatedBy)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

public enum CustomerEvents {
    public static let created = EventType(name: "CUSTOMER_CREATED", type: "com.kaiten.customer.v1.created")
    public static let updated = EventType(name: "CUSTOMER_UPDATED", type: "com.kaiten.customer.v1.updated")
    public static let deleted = EventType(name: "CUSTOMER_DELETED", type: "com.kaiten.customer.v1.deleted")
}

extension CustomerResource: KeysetPaged {}
