import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PATCH /metadata-fields/{id}`: changes the label and the schema. `resourceType` and `key` are sent back
/// as stored; `displayOrder` belongs to the reorder operation, so that an edit form opened before a reorder
/// cannot rewind it.
package enum UpdateMetadataField {
    static let operation = APIOperation("update-metadata-field", .patch, "/metadata-fields/{id}")
    static let requiredScope = Scope.write(.metadataFields)

    package struct Command {
        let resourceType: MetadataResourceType
        let key: String
        let label: String
        let jsonSchema: [String: JSONValue]
        let displayOrder: Int32?

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            resourceType = reader.resourceType(required: true) ?? .instance
            key = reader.string("key", required: true, minLength: 1, maxLength: 100) ?? ""
            label = reader.string("label", required: true, minLength: 1, maxLength: 100) ?? ""
            jsonSchema = reader.jsonSchema() ?? [:]
            displayOrder = reader.int32("displayOrder")
            reader.ignoreReadOnlyMembers()
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: MetadataFieldsModule) {
        router.on(operation) { request, context in
            let id = try MetadataFieldPath.id(context)
            let command = try Command(body: try await request.jsonBody())
            return try JSONResponse.make(try await module.update(id: id, command, caller: try context.organizationCaller()))
        }
    }
}

extension MetadataFieldsModule {
    package func update(id: UUID, _ command: UpdateMetadataField.Command, caller: OrganizationCaller) async throws -> MetadataFieldResource {
        try caller.require(UpdateMetadataField.requiredScope)
        _ = try JSONSchema.compile(command.jsonSchema, location: "body.jsonSchema")
        return try await database.transaction { connection in
            guard
                let existing = try await MetadataFieldRows.find(
                    id: id, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger
                )
            else {
                throw APIError.notFound("UpdateMetadataField.NotFound", "metadata field \(id.lowercased) not found")
            }
            if existing.archivedAt != nil {
                throw APIError.unprocessable("UpdateMetadataField.Archived", "metadata field \(id.lowercased) is archived and cannot be modified")
            }
            if command.resourceType != existing.resourceType {
                throw APIError.unprocessable("UpdateMetadataField.ResourceTypeImmutable", "resourceType cannot be changed after creation")
            }
            if command.key != existing.key {
                throw APIError.unprocessable("UpdateMetadataField.KeyImmutable", "key cannot be changed after creation")
            }
            // Kaiten reads a 0 as "not sent": a client echoing a field it read before a reorder is not refused.
            if let displayOrder = command.displayOrder, displayOrder != 0, Int(displayOrder) != existing.displayOrder {
                throw APIError.unprocessable(
                    "UpdateMetadataField.DisplayOrderNotSettable",
                    "displayOrder cannot be set through this endpoint; use POST /metadata-fields/reorder"
                )
            }
            try SchemaTransition.check(from: existing.jsonSchema, to: command.jsonSchema)
            try await connection.execute(
                """
                UPDATE metadata_field SET label = \(command.label), json_schema = \(JSONValue.object(command.jsonSchema).jsonText)::jsonb,
                                          updated_by_id = \(caller.userID), updated_at = now()
                WHERE id = \(id)
                """,
                logger: database.logger
            )
            let field = try await MetadataFieldRows.find(id: id, organizationID: caller.organizationID, on: connection, logger: database.logger)!
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: MetadataFieldEvents.updated, data: field),
                on: connection,
                logger: database.logger
            )
            return field
        }
    }
}
