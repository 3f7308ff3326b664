import Foundation
import KaitenCore

/// A place where the organization's customers run the product, with the release it currently runs.
package struct DeploymentZoneResource: Encodable, Sendable {
    package let id: String
    package let name: String
    package let slug: String
    package let type: String
    package let description: String
    package let metadata: [String: JSONValue]
    /// The release of the zone's newest deployment; absent until the zone has one.
    package let releaseId: String?
    package let createdBy: UserReference
    package let createdAt: Date
    package let updatedBy: UserReference
    package let updatedAt: Date
}

extension DeploymentZoneResource: KeysetPaged {}

/// One entry of a zone's deployment log: a release put on the zone. A rollback is an entry like any other.
package struct DeploymentResource: Encodable, Sendable {
    package let id: String
    package let deploymentZoneId: String
    package let releaseId: String
    package let createdBy: UserReference
    package let createdAt: Date
}

package enum DeploymentZoneEvents {
    package static let created = EventType(name: "DEPLOYMENT_ZONE_CREATED", type: "com.kaiten.deployment_zone.v1.created")
    package static let updated = EventType(name: "DEPLOYMENT_ZONE_UPDATED", type: "com.kaiten.deployment_zone.v1.updated")
    package static let deleted = EventType(name: "DEPLOYMENT_ZONE_DELETED", type: "com.kaiten.deployment_zone.v1.deleted")
    package static let releaseDeployed = EventType(name: "RELEASE_DEPLOYED", type: "com.kaiten.deployment_zone.v1.release_deployed")
}
