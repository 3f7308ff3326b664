import Foundation

/// The kinds of resource that carry typed metadata.
package enum MetadataResourceType: String, Sendable, CaseIterable {
    case deploymentZone = "DEPLOYMENT_ZONE"
    case instance = "INSTANCE"
}

/// Validates a resource's metadata against the organization's metadata fields.
///
/// Declared here, in the kernel, because several modules (instances, deployment zones) consume it and the
/// metadata-fields module provides it; `KaitenApp` hands the implementation to the consumers.
package protocol MetadataValidating: Sendable {
    /// Returns the metadata to store: `proposed`, validated, with archived keys of `current` carried over as
    /// Kaiten does. Throws a 422 problem (with one `errors[]` entry per offending key) when it fails.
    /// - Parameters:
    ///   - current: the resource's stored metadata on an update, nil on a create.
    ///   - executor: the transaction the write runs in, so the fields read are the ones it commits against.
    func validate(
        _ proposed: [String: JSONValue],
        current: [String: JSONValue]?,
        resourceType: MetadataResourceType,
        organizationID: UUID,
        on executor: any SQLExecutor
    ) async throws -> [String: JSONValue]
}
