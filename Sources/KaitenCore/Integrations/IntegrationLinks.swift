import Foundation
import Logging
import PostgresNIO

/// The links of one kind of owner: customers' in `customer_integration`, instances' in `instance_integration`.
/// Both modules keep their links the same way, so the SQL is written once, for the table each names.
package struct IntegrationLinks: Sendable {
    private let table: String
    private let ownerColumn: String

    package static let customers = IntegrationLinks(table: "customer_integration", ownerColumn: "customer_id")
    package static let instances = IntegrationLinks(table: "instance_integration", ownerColumn: "instance_id")

    private typealias Columns = (UUID, String, String, String, String?, Date, String?)

    private var selection: String {
        "SELECT \(ownerColumn), adapter, external_id, metadata::text, web_url, synced_at, last_error FROM \(table)"
    }

    private static func link(_ row: Columns) -> IntegrationLink {
        let metadata = (try? JSONValue.parse(Array(row.3.utf8)))?.objectValue ?? [:]
        return IntegrationLink(externalID: row.2, metadata: metadata, webURL: row.4, syncedAt: row.5, lastError: row.6)
    }

    /// Every link of these owners, by owner and then adapter.
    package func links(of owners: [UUID], on executor: some SQLExecutor, logger: Logger) async throws -> [UUID: [String: IntegrationLink]] {
        guard !owners.isEmpty else { return [:] }
        let rows = try await executor.all(
            "\(unescaped: selection) WHERE \(unescaped: ownerColumn) = ANY(\(owners))", as: Columns.self, logger: logger)
        var links: [UUID: [String: IntegrationLink]] = [:]
        for row in rows { links[row.0, default: [:]][row.1] = Self.link(row) }
        return links
    }

    /// The owner's link to the adapter, if it has one.
    package func link(of owner: UUID, adapter: String, on executor: some SQLExecutor, logger: Logger) async throws -> IntegrationLink? {
        try await executor.first(
            "\(unescaped: selection) WHERE \(unescaped: ownerColumn) = \(owner) AND adapter = \(adapter)", as: Columns.self, logger: logger
        ).map(Self.link)
    }

    /// The organization's owner linked to this record of the adapter, with the link.
    package func owner(
        adapter: String, externalID: String, organizationID: UUID, on executor: some SQLExecutor, logger: Logger
    ) async throws -> (owner: UUID, link: IntegrationLink)? {
        try await executor.first(
            """
            \(unescaped: selection)
            WHERE organization_id = \(organizationID) AND adapter = \(adapter) AND external_id = \(externalID)
            """,
            as: Columns.self,
            logger: logger
        ).map { row in (row.0, Self.link(row)) }
    }

    /// Writes the owner's link to the adapter, replacing any it had, and stamps it as synchronized now.
    ///
    /// A record of the adapter links to one owner of the organization at most: linking it to another is a 409
    /// with `conflictCode`.
    package func save(
        _ input: IntegrationLinkInput, adapter: String, owner: UUID, organizationID: UUID, conflictCode: String,
        on executor: some SQLExecutor, logger: Logger
    ) async throws -> IntegrationLink {
        do {
            return try await write(input, adapter: adapter, owner: owner, organizationID: organizationID, on: executor, logger: logger)
        } catch {
            guard let failure = PostgresFailure(error), failure.isUniqueViolation, failure.constraint == "\(table)_external_id_key" else {
                throw error
            }
            throw APIError.conflict(
                conflictCode, "external id \"\(input.externalID)\" of \"\(adapter)\" is already linked to another record of this organization")
        }
    }

    /// Writes every link a create carries, as ``save(_:adapter:owner:organizationID:conflictCode:on:logger:)`` does.
    package func saveAll(
        _ links: [String: IntegrationLinkInput], owner: UUID, organizationID: UUID, conflictCode: String,
        on executor: some SQLExecutor, logger: Logger
    ) async throws {
        for (adapter, input) in links.sorted(by: { $0.key < $1.key }) {
            _ = try await save(
                input, adapter: adapter, owner: owner, organizationID: organizationID, conflictCode: conflictCode, on: executor, logger: logger)
        }
    }

    private func write(
        _ input: IntegrationLinkInput, adapter: String, owner: UUID, organizationID: UUID, on executor: some SQLExecutor, logger: Logger
    ) async throws -> IntegrationLink {
        let row = try await executor.first(
            """
            INSERT INTO \(unescaped: table) (\(unescaped: ownerColumn), organization_id, adapter, external_id, metadata, web_url, synced_at, last_error)
            VALUES (\(owner), \(organizationID), \(adapter), \(input.externalID), \(JSONValue.object(input.metadata).jsonText)::jsonb,
                    \(input.webURL), clock_timestamp(), \(input.lastError))
            ON CONFLICT (\(unescaped: ownerColumn), adapter) DO UPDATE
            SET external_id = EXCLUDED.external_id, metadata = EXCLUDED.metadata, web_url = EXCLUDED.web_url,
                synced_at = EXCLUDED.synced_at, last_error = EXCLUDED.last_error
            RETURNING \(unescaped: ownerColumn), adapter, external_id, metadata::text, web_url, synced_at, last_error
            """,
            as: Columns.self,
            logger: logger
        )!
        return Self.link(row)
    }

    /// Removes the owner's link to the adapter; false when there was none.
    package func delete(owner: UUID, adapter: String, on executor: some SQLExecutor, logger: Logger) async throws -> Bool {
        try await executor.first(
            "DELETE FROM \(unescaped: table) WHERE \(unescaped: ownerColumn) = \(owner) AND adapter = \(adapter) RETURNING 1",
            as: Int.self,
            logger: logger
        ) != nil
    }
}

/// The per-owner integration operations (`get-customer-integration`, `create-instance-integration`, …), the
/// same for customers and instances once the module has found the owner. Error codes are the operation's,
/// as in Kaiten: `<Operation>.NotFound`, `<Operation>.AlreadyExists`, `<Operation>.ExternalIDConflict`,
/// `<Operation>.InvalidExternalID`, `<Operation>.InvalidWebURL`.
extension IntegrationLinks {
    /// The owner's link to `adapter`, or the operation's 404.
    package func existing(
        of owner: UUID, adapter: String, operation: String, ownerDescription: String, on executor: some SQLExecutor, logger: Logger
    ) async throws -> IntegrationLink {
        guard let link = try await link(of: owner, adapter: adapter, on: executor, logger: logger) else {
            throw APIError.notFound("\(operation).NotFound", "integration \"\(adapter)\" not found for \(ownerDescription)")
        }
        return link
    }

    /// Links the owner to a record of `adapter`, which it must not be linked to yet (the operation's 409).
    package func create(
        _ input: IntegrationLinkInput, adapter: String, owner: UUID, organizationID: UUID, operation: String, ownerDescription: String,
        on executor: some SQLExecutor, logger: Logger
    ) async throws -> IntegrationLink {
        let normalized = try input.normalized(adapter: adapter, invalidCodePrefix: "\(operation).Invalid")
        if try await link(of: owner, adapter: adapter, on: executor, logger: logger) != nil {
            throw APIError.conflict("\(operation).AlreadyExists", "integration \"\(adapter)\" already exists for \(ownerDescription)")
        }
        return try await save(
            normalized, adapter: adapter, owner: owner, organizationID: organizationID, conflictCode: "\(operation).ExternalIDConflict",
            on: executor, logger: logger)
    }

    /// Replaces the owner's existing link to `adapter` (the operation's 404 when it has none).
    package func replace(
        _ input: IntegrationLinkInput, adapter: String, owner: UUID, organizationID: UUID, operation: String, ownerDescription: String,
        on executor: some SQLExecutor, logger: Logger
    ) async throws -> IntegrationLink {
        let normalized = try input.normalized(adapter: adapter, invalidCodePrefix: "\(operation).Invalid")
        _ = try await existing(of: owner, adapter: adapter, operation: operation, ownerDescription: ownerDescription, on: executor, logger: logger)
        return try await save(
            normalized, adapter: adapter, owner: owner, organizationID: organizationID, conflictCode: "\(operation).ExternalIDConflict",
            on: executor, logger: logger)
    }

    /// Removes the owner's link to `adapter` (the operation's 404 when it has none).
    package func remove(
        adapter: String, owner: UUID, operation: String, ownerDescription: String, on executor: some SQLExecutor, logger: Logger
    ) async throws {
        guard try await delete(owner: owner, adapter: adapter, on: executor, logger: logger) else {
            throw APIError.notFound("\(operation).NotFound", "integration \"\(adapter)\" not found for \(ownerDescription)")
        }
    }
}

extension IntegrationLinkInput {
    /// The body of a create or replace of one link.
    package static func body(_ body: JSONValue) throws -> IntegrationLinkInput {
        var reader = JSONObjectReader(body)
        let input = IntegrationLinkInput(reading: &reader)
        try reader.finish()
        return input!
    }
}
