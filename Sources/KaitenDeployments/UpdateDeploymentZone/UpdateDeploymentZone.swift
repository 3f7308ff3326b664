import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /deployment-zones/{deploymentZoneSlug}`: a full replacement of the zone's details. A `releaseId` other
/// than the current one records a deployment, a rollback to a release the zone ran before included; a left-out
/// or echoed `releaseId` leaves the log alone. The slug cannot be renamed.
package enum UpdateDeploymentZone {
    static let operation = APIOperation("update-deploymentZone", .put, "/deployment-zones/{deploymentZoneSlug}")
    static let requiredScope = Scope.write(.deploymentZones)

    package struct Command {
        let fields: DeploymentZoneFields

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = DeploymentZoneFields(reading: &reader)
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            try await module.updateDeploymentZone(
                slug: try context.parameters.path("deploymentZoneSlug"), command, caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension DeploymentsModule {
    package func updateDeploymentZone(slug: String, _ command: UpdateDeploymentZone.Command, caller: OrganizationCaller) async throws {
        try caller.require(UpdateDeploymentZone.requiredScope)
        let fields = command.fields
        if let newSlug = fields.slug, newSlug != slug {
            throw APIError.unprocessable(
                "UpdateDeploymentZone.SlugNotRenameable", "slug cannot be changed through this endpoint; omit it or send the current slug")
        }
        try await database.transaction { connection in
            // Read under lock, so the metadata merge and the release comparison see what this write replaces.
            guard
                let current = try await DeploymentZoneRows.find(
                    slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger)
            else {
                throw APIError.notFound("UpdateDeploymentZone.NotFound", "Deployment zone with slug \"\(slug)\" not found")
            }
            let id = UUID(uuidString: current.id)!
            let metadata = try await metadataValidator.validate(
                fields.metadata, current: current.metadata, resourceType: .deploymentZone, organizationID: caller.organizationID, on: connection
            )
            try await connection.execute(
                """
                UPDATE deployment_zone
                SET name = \(fields.name), type = \(fields.type), description = \(fields.description),
                    metadata = \(JSONValue.object(metadata).jsonText)::jsonb, updated_by_id = \(caller.userID), updated_at = now()
                WHERE id = \(id)
                """,
                logger: database.logger
            )
            if let releaseID = fields.releaseID, releaseID.lowercased != current.releaseId {
                try await DeploymentLog.record(zoneID: id, releaseID: releaseID, caller: caller, on: connection, logger: database.logger)
            }
            let zone = try await DeploymentZoneRows.get(id: id, on: connection, logger: database.logger)
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: DeploymentZoneEvents.updated, data: zone),
                on: connection,
                logger: database.logger
            )
        }
    }
}
