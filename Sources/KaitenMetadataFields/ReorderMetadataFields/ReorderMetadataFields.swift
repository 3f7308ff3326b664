import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /metadata-fields/reorder`: each listed field's display order becomes its index in `ids`, all or
/// nothing. The fields must be active and of one resource type.
package enum ReorderMetadataFields {
    static let operation = APIOperation("reorder-metadata-fields", .post, "/metadata-fields/reorder")
    static let requiredScope = Scope.write(.metadataFields)

    package struct Command {
        let ids: [UUID]

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            let texts = reader.stringArray("ids", required: true, nullable: true)
            var ids: [UUID] = []
            for (index, text) in (texts ?? []).enumerated() {
                guard let id = UUID(uuidString: text) else {
                    reader.reject("ids[\(index)]", "expected string to be RFC 4122 uuid", value: .string(text))
                    continue
                }
                ids.append(id)
            }
            // A reorder of nothing names no resource type to reorder.
            if reader.contains("ids"), texts?.isEmpty ?? true, !reader.hasViolations {
                reader.reject("ids", "expected at least one metadata field id")
            }
            self.ids = ids
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: MetadataFieldsModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            try await module.reorder(command, caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension MetadataFieldsModule {
    package func reorder(_ command: ReorderMetadataFields.Command, caller: OrganizationCaller) async throws {
        try caller.require(ReorderMetadataFields.requiredScope)
        var seen: Set<UUID> = []
        for id in command.ids where !seen.insert(id).inserted {
            throw APIError.unprocessable(
                "ReorderMetadataFields.DuplicateID",
                "metadata field \(id.lowercased) appears multiple times in the reorder payload"
            )
        }
        try await database.transaction { connection in
            let types = try await connection.all(
                """
                SELECT resource_type::text FROM metadata_field
                WHERE organization_id = \(caller.organizationID) AND id = ANY(\(command.ids)) AND archived_at IS NULL
                FOR UPDATE
                """,
                as: String.self,
                logger: database.logger
            )
            guard types.count == command.ids.count else {
                throw APIError.notFound(
                    "ReorderMetadataFields.UnknownID",
                    "expected \(command.ids.count) active metadata fields, found \(types.count): some ids are missing, archived, or belong to another organization"
                )
            }
            guard Set(types).count == 1 else {
                throw APIError.unprocessable("ReorderMetadataFields.MixedResourceTypes", "all ids in a reorder must belong to the same resource type")
            }
            try await connection.execute(
                """
                UPDATE metadata_field f SET display_order = o.position - 1, updated_by_id = \(caller.userID), updated_at = now()
                FROM unnest(\(command.ids)::uuid[]) WITH ORDINALITY AS o(id, position)
                WHERE f.id = o.id AND f.organization_id = \(caller.organizationID)
                """,
                logger: database.logger
            )
            try await Outbox.append(
                OutboxMessage(
                    organizationID: caller.organizationID,
                    event: MetadataFieldEvents.reordered,
                    data: MetadataFieldsReordered(ids: command.ids.map(\.lowercased))
                ),
                on: connection,
                logger: database.logger
            )
        }
    }
}
