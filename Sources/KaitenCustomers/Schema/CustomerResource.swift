import Foundation
import KaitenCore

/// A customer of the organization: the end client instances are deployed for.
package struct CustomerResource: Encodable, Sendable {
    package let id: String
    package let name: String
    package let slug: String
    package let externalCustomerId: String?
    package let domain: String?
    package let createdBy: UserReference
    package let createdAt: Date
    package let updatedBy: UserReference
    package let updatedAt: Date
    /// The customer's links to third-party records, by adapter name.
    package var integrations: [String: IntegrationLink]

    enum CodingKeys: String, CodingKey {
        case id, name, slug, externalCustomerId, domain, integrations, createdBy, createdAt, updatedBy, updatedAt
    }

    /// `externalCustomerId` is always present, null when unset; the other optionals are omitted, and so are
    /// integrations when there are none, as in Kaiten.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(slug, forKey: .slug)
        try container.encode(externalCustomerId, forKey: .externalCustomerId)
        try container.encodeIfPresent(domain, forKey: .domain)
        if !integrations.isEmpty { try container.encode(integrations, forKey: .integrations) }
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedBy, forKey: .updatedBy)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

package enum CustomerEvents {
    package static let created = EventType(name: "CUSTOMER_CREATED", type: "com.kaiten.customer.v1.created")
    package static let updated = EventType(name: "CUSTOMER_UPDATED", type: "com.kaiten.customer.v1.updated")
    package static let deleted = EventType(name: "CUSTOMER_DELETED", type: "com.kaiten.customer.v1.deleted")
}

extension CustomerResource: KeysetPaged {}
