import Foundation
import KaitenCore

/// A release: a named version of the product, made of the components it was created with. It never changes.
package struct ReleaseResource: Encodable, Sendable {
    package let id: String
    package let version: String
    package let slug: String
    package let description: String?
    package let createdBy: UserReference
    package let createdAt: Date
    /// Left out when the release holds no component, as Kaiten leaves it out.
    package let components: [ComponentResource]?

    init(_ row: ReleaseRow, components: [ComponentResource]) {
        id = row.id.lowercased
        version = row.version
        slug = row.slug
        description = row.description
        createdBy = row.createdBy
        createdAt = row.createdAt
        self.components = components.isEmpty ? nil : components
    }
}

extension ReleaseResource: KeysetPaged {}

package enum ReleaseEvents {
    package static let created = EventType(name: "RELEASE_CREATED", type: "com.kaiten.release.v1.created")
    package static let deleted = EventType(name: "RELEASE_DELETED", type: "com.kaiten.release.v1.deleted")
}
