import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /metadata-fields/{id}/archive`: the soft delete. The row stays, so values stored under the key keep
/// their meaning, and the key is free for a new field.
enum ArchiveMetadataField {
    static let operation = APIOperation("archive-metadata-field", .post, "/metadata-fields/{id}/archive")
    static let requiredScope = Scope.write(.metadataFields)

    static func register(on router: OperationRouter, module: MetadataFieldsModule) {
        router.on(operation) { _, context in
            let id = try MetadataFieldPath.id(context)
            return try JSONResponse.make(try await module.archive(id: id, caller: try context.organizationCaller()))
        }
    }
}

extension MetadataFieldsModule {
    package func archive(id: UUID, caller: OrganizationCaller) async throws -> MetadataFieldResource {
        try caller.require(ArchiveMetadataField.requiredScope)
        return try await database.transaction { connection in
            let archived = try await connection.first(
                """
                UPDATE metadata_field SET archived_at = now(), updated_by_id = \(caller.userID), updated_at = now()
                WHERE id = \(id) AND organization_id = \(caller.organizationID) AND archived_at IS NULL
                RETURNING id
                """,
                as: UUID.self,
                logger: database.logger
            )
            guard archived != nil else {
                throw APIError.notFound("ArchiveMetadataField.NotFound", "metadata field \(id.lowercased) not found or already archived")
            }
            let field = try await MetadataFieldRows.find(id: id, organizationID: caller.organizationID, on: connection, logger: database.logger)!
            try await Outbox.append(
                OutboxMessage(organizationID: caller.organizationID, event: MetadataFieldEvents.archived, data: field),
                on: connection,
                logger: database.logger
            )
            return field
        }
    }
}
