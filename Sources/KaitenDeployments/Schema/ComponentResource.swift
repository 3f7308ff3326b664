import Foundation
import KaitenCore

/// One version of a deployable piece of the organization's product, such as a service or a database schema.
package struct ComponentResource: Encodable, Sendable {
    package let id: String
    package let previousComponentId: String?
    package let name: String
    package let version: String
    package let slug: String
    package let description: String?
    package let createdBy: UserReference
    package let createdAt: Date
}

extension ComponentResource: KeysetPaged {}

package enum ComponentEvents {
    package static let created = EventType(name: "COMPONENT_CREATED", type: "com.kaiten.component.v1.created")
    package static let updated = EventType(name: "COMPONENT_UPDATED", type: "com.kaiten.component.v1.updated")
    package static let deleted = EventType(name: "COMPONENT_DELETED", type: "com.kaiten.component.v1.deleted")
}
