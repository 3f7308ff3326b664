import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /metadata-fields/{id}/unarchive`: the field rejoins the active schema, unless an active field has
/// taken its key meanwhile.
enum UnarchiveMetadataField {
    static let operation = APIOperation("unarchive-metadata-field", .post, "/metadata-fields/{id}/unarchive")
    static let requiredScope = Scope.write(.metadataFields)

    static func register(on router: OperationRouter, module: MetadataFieldsModule) {
        router.on(operation) { _, context in
            let id = try MetadataFieldPath.id(context)
            return try JSONResponse.make(try await module.unarchive(id: id, caller: try context.organizationCaller()))
        }
    }
}

extension MetadataFieldsModule {
    package func unarchive(id: UUID, caller: OrganizationCaller) async throws -> MetadataFieldResource {
        try caller.require(UnarchiveMetadataField.requiredScope)
        do {
            return try await database.transaction { connection in
                let restored = try await connection.first(
                    """
                    UPDATE metadata_field SET archived_at = NULL, updated_by_id = \(caller.userID), updated_at = now()
                    WHERE id = \(id) AND organization_id = \(caller.organizationID) AND archived_at IS NOT NULL
                    RETURNING id
                    """,
                    as: UUID.self,
                    logger: database.logger
                )
                guard restored != nil else {
                    throw APIError.notFound("UnarchiveMetadataField.NotFound", "metadata field \(id.lowercased) not found or not archived")
                }
                let field = try await MetadataFieldRows.find(id: id, organizationID: caller.organizationID, on: connection, logger: database.logger)!
                try await Outbox.append(
                    OutboxMessage(organizationID: caller.organizationID, event: MetadataFieldEvents.unarchived, data: field),
                    on: connection,
                    logger: database.logger
                )
                return field
            }
        } catch let error where PostgresFailure(error)?.isUniqueViolation == true {
            throw APIError.conflict(
                "UnarchiveMetadataField.KeyConflict",
                "cannot unarchive: an active metadata field already uses this key for this resource type"
            )
        }
    }
}
