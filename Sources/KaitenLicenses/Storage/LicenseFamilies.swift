import Foundation
import KaitenCore
import Logging
import PostgresNIO

/// A license family row: the product whose versions licenses are.
struct FamilyRow {
    let id: UUID
    let slug: String
    let lastVersion: Int
    let createdAt: Date
    let updatedAt: Date
}

/// Reads and locks license families, and resolves what each serves.
///
/// Every write to a version locks its family's row first (family, then version: one order, so these writes
/// never deadlock one another). Under that lock the version a family serves cannot move under a write, so
/// reading it before and after the write tells whether the write moved it.
enum LicenseFamilies: OrganizationRows {
    static let alias = "f"
    static let selection = "SELECT f.id, f.slug, f.last_version, f.created_at, f.updated_at FROM license_family f"

    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [FamilyRow] {
        try await executor.all(query, as: (UUID, String, Int, Date, Date).self, logger: logger).map {
            FamilyRow(id: $0.0, slug: $0.1, lastVersion: $0.2, createdAt: $0.3, updatedAt: $0.4)
        }
    }

    static func find(slug: String, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> FamilyRow? {
        try await fetch("\(unescaped: selection) WHERE f.organization_id = \(organizationID) AND f.slug = \(slug)", on: executor, logger: logger)
            .first
    }

    /// The family with this slug, locked until the transaction ends.
    static func lock(slug: String, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> FamilyRow? {
        try await fetch(
            "\(unescaped: selection) WHERE f.organization_id = \(organizationID) AND f.slug = \(slug) FOR UPDATE",
            on: executor,
            logger: logger
        ).first
    }

    /// The family with this id, locked until the transaction ends.
    static func lock(id: UUID, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> FamilyRow? {
        try await fetch(
            "\(unescaped: selection) WHERE f.organization_id = \(organizationID) AND f.id = \(id) FOR UPDATE",
            on: executor,
            logger: logger
        ).first
    }

    /// Locks the family of the version with this slug; nil when the organization has no such version.
    static func lock(ofLicense slug: String, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> UUID? {
        try await executor.first(
            """
            SELECT f.id FROM license_family f JOIN license l ON l.family_id = f.id
            WHERE l.organization_id = \(organizationID) AND l.slug = \(slug)
            FOR UPDATE OF f
            """,
            as: UUID.self,
            logger: logger
        )
    }

    /// The version each family serves: its default, otherwise its highest-numbered PUBLISHED version. A family
    /// with nothing published has no entry. The rule lives in this one query, so lists, reads and events agree.
    static func served(familyIDs: [UUID], organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> [UUID: LicenseResource]
    {
        guard !familyIDs.isEmpty else { return [:] }
        let versions = try await LicenseRows.fetch(
            """
            SELECT DISTINCT ON (l.family_id) \(unescaped: LicenseRows.columns) FROM license l
            WHERE l.organization_id = \(organizationID) AND l.family_id = ANY(\(familyIDs)) AND l.lifecycle_state = 'PUBLISHED'
            ORDER BY l.family_id, l.is_default DESC, l.version DESC
            """,
            on: executor,
            logger: logger
        )
        return Dictionary(versions.map { (UUID(uuidString: $0.familyId)!, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// How many versions each family has, whatever their state.
    static func versionCounts(familyIDs: [UUID], organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> [UUID: Int] {
        guard !familyIDs.isEmpty else { return [:] }
        let rows = try await executor.all(
            """
            SELECT family_id, count(*)::integer FROM license
            WHERE organization_id = \(organizationID) AND family_id = ANY(\(familyIDs)) GROUP BY family_id
            """,
            as: (UUID, Int).self,
            logger: logger
        )
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0.1) })
    }

    /// Every version of the family, oldest first.
    static func versions(of familyID: UUID, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> [LicenseResource] {
        try await LicenseRows.fetch(
            "\(unescaped: LicenseRows.selection) WHERE l.organization_id = \(organizationID) AND l.family_id = \(familyID) ORDER BY l.version",
            on: executor,
            logger: logger
        )
    }

    /// The families' views without their history, each with the version it serves, in the order given.
    static func views(
        of families: [FamilyRow], organizationID: UUID, on executor: some SQLExecutor, logger: Logger
    ) async throws -> [LicenseFamilyView] {
        let ids = families.map(\.id)
        let served = try await served(familyIDs: ids, organizationID: organizationID, on: executor, logger: logger)
        let counts = try await versionCounts(familyIDs: ids, organizationID: organizationID, on: executor, logger: logger)
        return families.map { family in
            LicenseFamilyView(
                id: family.id.lowercased,
                slug: family.slug,
                currentVersion: served[family.id],
                versionCount: counts[family.id] ?? 0,
                versions: nil,
                createdAt: family.createdAt,
                updatedAt: family.updatedAt
            )
        }
    }

    /// The family's view as events carry it, read through the write's transaction.
    static func view(of familyID: UUID, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> LicenseFamilyView {
        let family = try await fetch(
            "\(unescaped: selection) WHERE f.organization_id = \(organizationID) AND f.id = \(familyID)",
            on: executor,
            logger: logger
        )
        return try await views(of: family, organizationID: organizationID, on: executor, logger: logger)[0]
    }

    /// Takes the family's default from every version but `keeping` (all of them when nil) and returns the
    /// versions that lost it, each of which the caller announces.
    static func clearDefault(
        familyID: UUID,
        keeping slug: String?,
        organizationID: UUID,
        on executor: some SQLExecutor,
        logger: Logger
    ) async throws -> [LicenseResource] {
        try await LicenseRows.fetch(
            """
            UPDATE license l SET is_default = false, updated_at = now()
            WHERE l.organization_id = \(organizationID) AND l.family_id = \(familyID) AND l.is_default
              AND l.slug IS DISTINCT FROM \(slug)
            RETURNING \(unescaped: LicenseRows.columns)
            """,
            on: executor,
            logger: logger
        )
    }
}

/// The family events a version write records in its own transaction, after its own event.
///
/// A family has no write operation: its first version opens it, its last takes it away, and in between it
/// changes only by serving another version. `LICENSE_FAMILY_UPDATED` is recorded when, and only when, that
/// served version moved; a draft added, a rename or a restated default records none.
struct FamilyWatch {
    let familyID: UUID
    let organizationID: UUID
    let servedBefore: UUID?

    /// Reads what the family serves now; the caller holds the family's lock.
    static func begin(familyID: UUID, organizationID: UUID, on executor: some SQLExecutor, logger: Logger) async throws -> FamilyWatch {
        let served = try await LicenseFamilies.served(familyIDs: [familyID], organizationID: organizationID, on: executor, logger: logger)
        return FamilyWatch(familyID: familyID, organizationID: organizationID, servedBefore: served[familyID].flatMap { UUID(uuidString: $0.id) })
    }

    /// Records `LICENSE_FAMILY_UPDATED` if the family serves another version than before, or none.
    func recordMove(on executor: some SQLExecutor, logger: Logger) async throws {
        let served = try await LicenseFamilies.served(familyIDs: [familyID], organizationID: organizationID, on: executor, logger: logger)
        guard served[familyID].flatMap({ UUID(uuidString: $0.id) }) != servedBefore else { return }
        let view = try await LicenseFamilies.view(of: familyID, organizationID: organizationID, on: executor, logger: logger)
        try await Outbox.append(
            OutboxMessage(organizationID: organizationID, event: LicenseEvents.familyUpdated, data: view), on: executor, logger: logger)
    }
}

extension Outbox {
    /// One `LICENSE_UPDATED` per version that just lost its family's default to another.
    static func announceClearedDefaults(
        _ versions: [LicenseResource], organizationID: UUID, on executor: some SQLExecutor, logger: Logger
    ) async throws {
        for version in versions {
            try await append(OutboxMessage(organizationID: organizationID, event: LicenseEvents.updated, data: version), on: executor, logger: logger)
        }
    }
}
