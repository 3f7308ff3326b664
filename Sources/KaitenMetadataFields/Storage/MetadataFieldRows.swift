import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import Logging
import PostgresNIO

/// Reads metadata fields with the names of the users who created and last updated them.
enum MetadataFieldRows {
    static let selection = """
        SELECT f.id, f.resource_type::text, f.key, f.label, f.json_schema::text, f.display_order, f.archived_at,
               COALESCE(f.created_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), creator.name, f.created_at,
               COALESCE(f.updated_by_id, '\(DeterministicIdentifiers.systemUserID.lowercased)'::uuid), updater.name, f.updated_at
        FROM metadata_field f
        LEFT JOIN "user" creator ON creator.id = f.created_by_id
        LEFT JOIN "user" updater ON updater.id = f.updated_by_id
        """

    typealias Columns = (UUID, String, String, String, String, Int, Date?, UUID, String?, Date, UUID, String?, Date)

    /// Decodes the fields of a query that starts with `selection`.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [MetadataFieldResource] {
        try await executor.all(query, as: Columns.self, logger: logger).map { row in
            guard let resourceType = MetadataResourceType(rawValue: row.1),
                case .object(let jsonSchema)? = try? JSONValue.parse(Array(row.4.utf8))
            else { throw StoredSchemaCorrupted(key: row.2, problems: []) }
            return MetadataFieldResource(
                id: row.0,
                resourceType: resourceType,
                key: row.2,
                label: row.3,
                jsonSchema: jsonSchema,
                displayOrder: row.5,
                archivedAt: row.6,
                createdBy: UserReference(id: row.7, name: row.8),
                createdAt: row.9,
                updatedBy: UserReference(id: row.10, name: row.11),
                updatedAt: row.12
            )
        }
    }

    /// The organization's field with this id, locked for the rest of the transaction when `forUpdate`.
    static func find(
        id: UUID, organizationID: UUID, forUpdate: Bool = false, on executor: some SQLExecutor, logger: Logger
    ) async throws -> MetadataFieldResource? {
        try await fetch(
            """
            \(unescaped: selection) WHERE f.organization_id = \(organizationID) AND f.id = \(id)
            \(unescaped: forUpdate ? "FOR UPDATE OF f" : "")
            """,
            on: executor,
            logger: logger
        ).first
    }
}

/// The `{id}` of a metadata-field path: a UUID, or a 422 as Kaiten's typed path parameter answers.
enum MetadataFieldPath {
    static func id(_ context: KaitenRequestContext) throws -> UUID {
        let text = try context.parameters.path("id")
        guard let id = UUID(uuidString: text) else {
            throw APIError.schemaViolations([ErrorDetail(message: "expected string to be RFC 4122 uuid", location: "path.id", value: .string(text))])
        }
        return id
    }
}

extension MetadataResourceType {
    /// What a problem says of a resource type that is none of these.
    static let expectation = "expected value to be one of \"\(allCases.map(\.rawValue).joined(separator: ", "))\""
}

extension JSONObjectReader {
    /// The `resourceType` member: one of the resource types that carry metadata.
    mutating func resourceType(required: Bool) -> MetadataResourceType? {
        guard let text = string("resourceType", required: required) else { return nil }
        guard let type = MetadataResourceType(rawValue: text) else {
            reject("resourceType", MetadataResourceType.expectation, value: .string(text))
            return nil
        }
        return type
    }

    /// The `jsonSchema` member: a JSON object, checked as a schema by the use case.
    mutating func jsonSchema() -> [String: JSONValue]? {
        object("jsonSchema", required: true)
    }

    /// An int32 member.
    mutating func int32(_ key: String) -> Int32? {
        guard let value = raw(key) else { return nil }
        guard let integer = value.integralValue, let int32 = Int32(exactly: integer) else {
            reject(key, "expected 32-bit integer, got \(value.typeName)", value: value)
            return nil
        }
        return int32
    }

    /// Members the resource reports but no request sets (`id`, timestamps, authors): accepted and ignored,
    /// so a client may send a field back as it read it.
    mutating func ignoreReadOnlyMembers() {
        for key in ["id", "archivedAt", "createdBy", "createdAt", "updatedBy", "updatedAt"] {
            _ = raw(key)
        }
    }
}
