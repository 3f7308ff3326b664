import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /instances/{instanceSlug}`: a full replacement, except that a left-out `deploymentZoneId` or
/// `slug` keeps the current one. Sending a slug renames the instance. Integrations have their own operations:
/// a replacement may only send them back as they are. Moving into a zone records a
/// deployment, moving to another zone a migration.
package enum UpdateInstance {
    static let operation = APIOperation("updateInstance", .put, "/instances/{instanceSlug}")
    static let requiredScope = Scope.write(.instances)

    package struct Command {
        let fields: InstanceFields

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = InstanceFields(reading: &reader)
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            try await module.update(slug: try context.parameters.path("instanceSlug"), command, caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension InstancesModule {
    package func update(slug: String, _ command: UpdateInstance.Command, caller: OrganizationCaller) async throws {
        try caller.require(UpdateInstance.requiredScope)
        let fields = command.fields
        do {
            try await database.transaction { connection in
                try await replace(slug: slug, with: fields, caller: caller, on: connection)
            }
        } catch {
            throw UpdateInstance.clientError(error, fields: fields) ?? error
        }
    }

    /// Replaces the instance in the caller's transaction and writes its events; a failure the client caused
    /// is mapped by ``UpdateInstance/clientError(_:fields:)`` once the transaction is over.
    func replace(slug: String, with fields: InstanceFields, caller: OrganizationCaller, on connection: PostgresConnection) async throws {
        guard
            let current = try await InstanceRows.find(
                slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger
            )
        else {
            throw APIError.notFound("UpdateInstance.NotFound", "Instance with slug \"\(slug)\" not found")
        }
        if !fields.integrations.isEmpty, !IntegrationLinkInput.echo(fields.integrations, of: current.integrations ?? [:]) {
            throw APIError.unprocessable(
                "UpdateInstance.IntegrationsNotSettable",
                "integrations cannot be changed through this endpoint; leave them out or use the integration endpoints"
            )
        }
        let metadata = try await metadataValidator.validate(
            fields.metadata, current: current.metadata, resourceType: .instance, organizationID: caller.organizationID, on: connection
        )
        let previousZone = current.deploymentZoneId.flatMap(UUID.init(uuidString:))
        let zone = fields.deploymentZoneID ?? previousZone
        try await connection.execute(
            """
            UPDATE instance
            SET name = \(fields.name), description = \(fields.description), customer_id = \(fields.customerID),
                license_id = \(fields.licenseID), deployment_zone_id = \(zone),
                start_license_date = \(fields.startLicenseDate), end_license_date = \(fields.endLicenseDate),
                metadata = \(JSONValue.object(metadata).jsonText)::jsonb, slug = COALESCE(\(fields.slug), slug),
                updated_by_id = \(caller.userID), updated_at = now()
            WHERE id = \(UUID(uuidString: current.id)!)
            """,
            logger: database.logger
        )
        let instance = try await InstanceRows.get(id: UUID(uuidString: current.id)!, on: connection, logger: database.logger)
        try await InstanceRows.record(
            InstanceEvents.updated, instance, organizationID: caller.organizationID, on: connection, logger: database.logger)
        if let zone, zone != previousZone {
            let event = previousZone == nil ? InstanceEvents.deployed : InstanceEvents.migrated
            try await InstanceRows.record(event, instance, organizationID: caller.organizationID, on: connection, logger: database.logger)
        }
    }
}

extension UpdateInstance {
    /// The client error behind a failed replacement, if it is one: a slug taken by another instance, or a
    /// missing customer, license or zone.
    static func clientError(_ error: any Error, fields: InstanceFields) -> APIError? {
        if let newSlug = fields.slug, let failure = PostgresFailure(error), failure.isUniqueViolation,
            failure.constraint == "instance_organization_id_slug_key"
        {
            return APIError.conflict("UpdateInstance.SlugConflict", "Instance with slug \"\(newSlug)\" already exists in this organization")
        }
        return InstanceRows.clientError(error, operation: "UpdateInstance", fields: fields)
    }
}
