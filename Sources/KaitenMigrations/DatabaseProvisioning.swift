import Foundation
import Logging
import NIOPosix
import PostgresNIO

/// Creates databases on a server, for `kaiten dev` and the test fixtures.
package enum DatabaseProvisioning {
    /// Creates `name` (optionally as a copy of `template`) unless it exists, connecting to the `postgres`
    /// maintenance database as `user`.
    package static func ensureDatabase(
        _ name: String,
        template: String? = nil,
        host: String,
        port: Int,
        user: String,
        logger: Logger
    ) async throws {
        let configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: nil, database: "postgres", tls: .disable)
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(),
            configuration: configuration,
            id: 1,
            logger: logger
        )
        do {
            let existing = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger).collect()
            if existing.isEmpty {
                let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                let templateClause = template.map { " TEMPLATE \"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" } ?? ""
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(quoted)\(templateClause)"), logger: logger)
            }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
