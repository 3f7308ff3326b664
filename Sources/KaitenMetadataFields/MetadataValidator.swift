import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// Validates resource metadata against the organization's active metadata fields.
///
/// The active fields of a resource type compose one object schema, a property per key. Deployment zones are
/// strict (administrators write them: a key no field declares is refused); instances are tolerant (they report
/// their own metadata, so new keys must keep flowing). Until a type has a declared field there is no contract,
/// and anything is accepted.
///
/// An archived field's key is not validated any more, but it is not free either: a value already on the
/// resource stays (changed or not, as raw JSON), a PUT that omits it does not delete it (it is put back), and
/// a resource that never had it cannot introduce it (422 `MetadataValidation.ArchivedKeyIntroduced`).
///
/// Go caches each composed schema for five minutes and invalidates it over NOTIFY; here the fields are read
/// on every write, in the writer's transaction, so a field change is seen by the very next write on every
/// replica.
package struct MetadataValidator: MetadataValidating {
    let database: Database

    package init(database: Database) {
        self.database = database
    }

    package func validate(
        _ proposed: [String: JSONValue],
        current: [String: JSONValue]?,
        resourceType: MetadataResourceType,
        organizationID: UUID,
        on executor: any SQLExecutor
    ) async throws -> [String: JSONValue] {
        // The previous write already passed, and nothing is introduced or changed.
        if let current, JSONValue.object(proposed).jsonEquals(.object(current)) {
            return proposed
        }
        let fields = try await MetadataFieldSet.load(
            resourceType: resourceType, organizationID: organizationID, on: executor, logger: database.logger)
        if fields.active.isEmpty && fields.archivedKeys.isEmpty {
            return proposed
        }
        let introduced = proposed.keys.filter { fields.archivedKeys.contains($0) && current?[$0] == nil }.sorted()
        if let first = introduced.first {
            throw APIError.unprocessable(
                "MetadataValidation.ArchivedKeyIntroduced",
                "metadata key \"\(first)\" refers to an archived field and cannot be introduced; it can only persist if it was already present on the resource",
                errors: introduced.map {
                    ErrorDetail(message: "refers to an archived metadata field", location: "body.metadata.\($0)", value: proposed[$0])
                }
            )
        }
        if !fields.active.isEmpty {
            let strict = resourceType == .deploymentZone
            var problems: [ErrorDetail] = []
            for (key, value) in proposed.sorted(by: { $0.key < $1.key }) where !fields.archivedKeys.contains(key) {
                if let schema = fields.active[key] {
                    let violations = schema.violations(of: value)
                    if !violations.isEmpty {
                        let message = violations.map { $0.path.isEmpty ? $0.message : "\(key)\($0.path): \($0.message)" }.joined(separator: "; ")
                        problems.append(ErrorDetail(message: message, location: "body.metadata.\(key)", value: value))
                    }
                } else if strict {
                    problems.append(
                        ErrorDetail(message: "no active metadata field declares this key", location: "body.metadata.\(key)", value: value))
                }
            }
            if !problems.isEmpty {
                throw APIError.unprocessable("MetadataValidation.Failed", "metadata does not satisfy the resource schema", errors: problems)
            }
        }
        var stored = proposed
        for (key, value) in current ?? [:] where fields.archivedKeys.contains(key) && stored[key] == nil {
            stored[key] = value
        }
        return stored
    }
}

/// The metadata fields of one resource type: the active schemas by key, and the keys only archived fields hold.
struct MetadataFieldSet {
    let active: [String: JSONSchema]
    /// A key is archived only while no active field holds it: once a new field is declared under an archived
    /// key, the new field is the contract.
    let archivedKeys: Set<String>

    static func load(
        resourceType: MetadataResourceType, organizationID: UUID, on executor: any SQLExecutor, logger: Logger
    ) async throws -> MetadataFieldSet {
        let rows = try await executor.all(
            """
            SELECT key, json_schema::text, archived_at IS NOT NULL FROM metadata_field
            WHERE organization_id = \(organizationID) AND resource_type = \(resourceType.rawValue)::metadata_field_resource_type
            """,
            as: (String, String, Bool).self,
            logger: logger
        )
        var active: [String: JSONSchema] = [:]
        var archived: Set<String> = []
        for (key, schemaText, isArchived) in rows {
            if isArchived {
                archived.insert(key)
                continue
            }
            guard case .object(let document)? = try? JSONValue.parse(Array(schemaText.utf8)) else {
                throw StoredSchemaCorrupted(key: key, problems: [])
            }
            active[key] = try JSONSchema.compileStored(document, key: key)
        }
        return MetadataFieldSet(active: active, archivedKeys: archived.subtracting(active.keys))
    }
}
