import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /deployment-zones`. The metadata must satisfy the organization's DEPLOYMENT_ZONE metadata fields, and
/// keys none declares are refused; a `releaseId` records the zone's first deployment.
package enum CreateDeploymentZone {
    static let operation = APIOperation("create-deployment-zone", .post, "/deployment-zones")
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
            let zone = try await module.createDeploymentZone(command, caller: try context.organizationCaller())
            return try JSONResponse.make(zone, status: .created)
        }
    }
}

extension DeploymentsModule {
    package func createDeploymentZone(_ command: CreateDeploymentZone.Command, caller: OrganizationCaller) async throws -> DeploymentZoneResource {
        try caller.require(CreateDeploymentZone.requiredScope)
        let fields = command.fields
        return try await SlugAttempts.run(
            given: fields.slug,
            base: fields.name,
            conflictCode: "CreateDeploymentZone.SlugConflict",
            constraint: "deployment_zone_organization_id_slug_key"
        ) { slug in
            try await database.transaction { connection in
                let metadata = try await metadataValidator.validate(
                    fields.metadata, current: nil, resourceType: .deploymentZone, organizationID: caller.organizationID, on: connection
                )
                let id = try await connection.first(
                    """
                    INSERT INTO deployment_zone (organization_id, name, slug, type, description, metadata, created_by_id, updated_by_id)
                    VALUES (\(caller.organizationID), \(fields.name), \(slug), \(fields.type), \(fields.description),
                            \(JSONValue.object(metadata).jsonText)::jsonb, \(caller.userID), \(caller.userID))
                    RETURNING id
                    """,
                    as: UUID.self,
                    logger: database.logger
                )!
                if let releaseID = fields.releaseID {
                    try await DeploymentLog.record(zoneID: id, releaseID: releaseID, caller: caller, on: connection, logger: database.logger)
                }
                let zone = try await DeploymentZoneRows.get(id: id, on: connection, logger: database.logger)
                try await Outbox.append(
                    OutboxMessage(organizationID: caller.organizationID, event: DeploymentZoneEvents.created, data: zone),
                    on: connection,
                    logger: database.logger
                )
                return zone
            }
        }
    }
}
