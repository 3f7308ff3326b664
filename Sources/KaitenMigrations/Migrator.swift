import Foundation
import Logging
import PostgresNIO

/// Applies the SQL migrations shipped in this module, in file-name order, each in its own transaction.
///
/// Applied versions are recorded in `kaiten_schema_migrations`. A session-level advisory lock serializes
/// concurrent migrators, so several replicas starting at once apply each file exactly once.
package struct Migrator: Sendable {
    package struct Migration: Sendable {
        package let version: String
        package let sql: String
    }

    static let advisoryLockKey: Int64 = 7_202_611_220_001

    package let migrations: [Migration]

    package init() throws {
        guard let directory = Bundle.module.url(forResource: "SQL", withExtension: nil) else {
            throw MigrationError.resourcesMissing
        }
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        migrations = try files.map {
            Migration(version: $0.deletingPathExtension().lastPathComponent, sql: try String(contentsOf: $0, encoding: .utf8))
        }
    }

    /// The version a fully migrated database reports.
    package var latestVersion: String? { migrations.last?.version }

    /// Applies every migration not yet applied; returns the versions it applied.
    @discardableResult
    package func migrate(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            do {
                let applied = try await apply(on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                throw error
            }
        }
    }

    /// The newest applied version, or nil on an empty database.
    package func currentVersion(_ client: PostgresClient, logger: Logger) async throws -> String? {
        let rows = try await client.query(
            "SELECT version FROM kaiten_schema_migrations ORDER BY version DESC LIMIT 1",
            logger: logger
        )
        for try await (version) in rows.decode(String.self) { return version }
        return nil
    }

    private func apply(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS kaiten_schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            logger: logger
        )
        var done: Set<String> = []
        for try await (version) in try await connection.query("SELECT version FROM kaiten_schema_migrations", logger: logger).decode(String.self) {
            done.insert(version)
        }
        var applied: [String] = []
        for migration in migrations where !done.contains(migration.version) {
            logger.info("applying migration", metadata: ["kaiten.migration": "\(migration.version)"])
            try await connection.withTransaction(logger: logger) { transaction in
                for statement in SQLScript.statements(migration.sql) {
                    try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await transaction.query("INSERT INTO kaiten_schema_migrations (version) VALUES (\(migration.version))", logger: logger)
            }
            applied.append(migration.version)
        }
        return applied
    }
}

package enum MigrationError: Error, CustomStringConvertible {
    case resourcesMissing

    package var description: String { "the migration SQL files are missing from the module's resources" }
}
