import Foundation
import KaitenCore

/// Validates resource metadata against the organization's active metadata fields.
public struct MetadataValidator: MetadataValidating {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func validate(
        _ proposed: [String: JSONValue],
        current: [String: JSONValue]?,
        resourceType: MetadataResourceType,
        organizationID: UUID,
        on executor: any SQLExecutor
    ) async throws -> [String: JSONValue] {
        proposed
    }
}
