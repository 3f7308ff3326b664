import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /instances`. The metadata is validated against the organization's INSTANCE metadata fields; the
/// instance's integrations, if any, are linked in the same transaction.
package enum CreateInstance {
    static let operation = APIOperation("createInstance", .post, "/instances")
    static let requiredScope = Scope.write(.instances)

    package struct Command {
        let fields: InstanceFields
        let integrations: [String: IntegrationLinkInput]

        init(fields: InstanceFields, integrations: [String: IntegrationLinkInput]) {
            self.fields = fields
            self.integrations = integrations
        }

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            fields = InstanceFields(reading: &reader)
            try reader.finish()
            integrations = try IntegrationLinkInput.normalized(fields.integrations, operation: "CreateInstance")
        }
    }

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let instance = try await module.create(command, caller: try context.organizationCaller())
            return try JSONResponse.make(instance, status: .created)
        }
    }
}

extension InstancesModule {
    package func create(_ command: CreateInstance.Command, caller: OrganizationCaller) async throws -> InstanceResource {
        try caller.require(CreateInstance.requiredScope)
        let fields = command.fields
        return try await SlugAttempts.run(
            given: fields.slug,
            base: fields.name,
            conflictCode: "CreateInstance.SlugConflict",
            constraint: "instance_organization_id_slug_key"
        ) { slug in
            do {
                return try await database.transaction { connection in
                    let metadata = try await metadataValidator.validate(
                        fields.metadata, current: nil, resourceType: .instance, organizationID: caller.organizationID, on: connection
                    )
                    let id = try await connection.first(
                        """
                        INSERT INTO instance (organization_id, name, slug, description, customer_id, license_id, deployment_zone_id,
                                              start_license_date, end_license_date, metadata, created_by_id, updated_by_id)
                        VALUES (\(caller.organizationID), \(fields.name), \(slug), \(fields.description), \(fields.customerID),
                                \(fields.licenseID), \(fields.deploymentZoneID),
                                COALESCE(\(fields.startLicenseDate)::timestamptz, now()),
                                COALESCE(\(fields.endLicenseDate)::timestamptz, now() + interval '1 year'),
                                \(JSONValue.object(metadata).jsonText)::jsonb, \(caller.userID), \(caller.userID))
                        RETURNING id
                        """,
                        as: UUID.self,
                        logger: database.logger
                    )!
                    try await IntegrationLinks.instances.saveAll(
                        command.integrations, owner: id, organizationID: caller.organizationID, conflictCode: "CreateInstance.ExternalIDConflict",
                        on: connection, logger: database.logger
                    )
                    let instance = try await InstanceRows.get(id: id, on: connection, logger: database.logger)
                    try await InstanceRows.record(
                        InstanceEvents.created, instance, organizationID: caller.organizationID, on: connection, logger: database.logger)
                    if instance.deploymentZoneId != nil {
                        try await InstanceRows.record(
                            InstanceEvents.deployed, instance, organizationID: caller.organizationID, on: connection, logger: database.logger)
                    }
                    return instance
                }
            } catch {
                throw InstanceRows.clientError(error, operation: "CreateInstance", fields: fields) ?? error
            }
        }
    }
}
