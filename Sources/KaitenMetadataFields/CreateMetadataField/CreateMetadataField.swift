import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /metadata-fields`: declares a field. Its key is unique among the active fields of its resource type.
package enum CreateMetadataField {
    static let operation = APIOperation("create-metadata-field", .post, "/metadata-fields")
    static let requiredScope = Scope.write(.metadataFields)

    package struct Command {
        let resourceType: MetadataResourceType
        let key: String
        let label: String
        let jsonSchema: [String: JSONValue]
        let displayOrder: Int32

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            resourceType = reader.resourceType(required: true) ?? .instance
            key = reader.string("key", required: true, minLength: 1, maxLength: 100) ?? ""
            label = reader.string("label", required: true, minLength: 1, maxLength: 100) ?? ""
            jsonSchema = reader.jsonSchema() ?? [:]
            displayOrder = reader.int32("displayOrder") ?? 0
            reader.ignoreReadOnlyMembers()
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: MetadataFieldsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let field = try await module.create(command, caller: try context.organizationCaller())
            return try JSONResponse.make(field, status: .created)
        }
    }
}

extension MetadataFieldsModule {
    package func create(_ command: CreateMetadataField.Command, caller: OrganizationCaller) async throws -> MetadataFieldResource {
        try caller.require(CreateMetadataField.requiredScope)
        _ = try JSONSchema.compile(command.jsonSchema, location: "body.jsonSchema")
        do {
            return try await database.transaction { connection in
                let id = try await connection.first(
                    """
                    INSERT INTO metadata_field (organization_id, resource_type, key, label, json_schema, display_order, created_by_id, updated_by_id)
                    VALUES (\(caller.organizationID), \(command.resourceType.rawValue)::metadata_field_resource_type, \(command.key), \(command.label),
                            \(JSONValue.object(command.jsonSchema).jsonText)::jsonb, \(Int(command.displayOrder)), \(caller.userID), \(caller.userID))
                    RETURNING id
                    """,
                    as: UUID.self,
                    logger: database.logger
                )!
                let field = try await MetadataFieldRows.find(id: id, organizationID: caller.organizationID, on: connection, logger: database.logger)!
                try await Outbox.append(
                    OutboxMessage(organizationID: caller.organizationID, event: MetadataFieldEvents.created, data: field),
                    on: connection,
                    logger: database.logger
                )
                return field
            }
        } catch let error where PostgresFailure(error)?.isUniqueViolation == true {
            throw APIError.conflict(
                "CreateMetadataField.KeyConflict",
                "metadata field with key \"\(command.key)\" already exists for resource type \(command.resourceType.rawValue) in this organization"
            )
        }
    }
}
