import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `DELETE /deployment-zones/{deploymentZoneSlug}`. The zone's deployment log goes with it and its instances
/// stay, in no zone. The event carries the zone as it was just before.
enum DeleteDeploymentZone {
    static let operation = APIOperation("delete-deployment-zone", .delete, "/deployment-zones/{deploymentZoneSlug}")
    static let requiredScope = Scope.write(.deploymentZones)

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { _, context in
            try await module.deleteDeploymentZone(slug: try context.parameters.path("deploymentZoneSlug"), caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension DeploymentsModule {
    package func deleteDeploymentZone(slug: String, caller: OrganizationCaller) async throws {
        try caller.require(DeleteDeploymentZone.requiredScope)
        try await database.transaction { connection in
            guard
                let zone = try await DeploymentZoneRows.find(
                    slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger)
            else {
                throw APIError.notFound("DeleteDeploymentZone.NotFound", "Deployment zone with slug \"\(slug)\" not found")
            }
            try await connection.execute("DELETE FROM deployment_zone WHERE id = \(UUID(uuidString: zone.id)!)", logger: database.logger)
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: DeploymentZoneEvents.deleted, data: zone),
                on: connection,
                logger: database.logger
            )
        }
    }
}
