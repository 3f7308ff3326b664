import KaitenCore
import KaitenIdentity
import KaitenMigrations
import Logging
import PostgresNIO

/// One-shot operator tasks: each opens a pool, does its work and closes it.
public enum Operator {
    public static func migrate(_ configuration: ServerConfiguration, logger: Logger) async throws -> [String] {
        try await withDatabase(configuration, logger: logger) { database in
            try await Migrator().migrate(database.client, logger: logger)
        }
    }

    public static func createPlatformToken(
        _ configuration: ServerConfiguration, name: String, scopes: [Scope], logger: Logger
    ) async throws -> (slug: String, token: String) {
        try await withDatabase(configuration, logger: logger) { database in
            let issued = try await IdentityModule(database: database).createPlatformToken(name: name, scopes: scopes)
            return (issued.slug, issued.plaintext)
        }
    }

    public static func revokePlatformToken(_ configuration: ServerConfiguration, slug: String, logger: Logger) async throws -> Int {
        try await withDatabase(configuration, logger: logger) { database in
            try await IdentityModule(database: database).revokePlatformToken(slug: slug)
        }
    }

    static func withDatabase<Result: Sendable>(
        _ configuration: ServerConfiguration,
        logger: Logger,
        _ body: @Sendable (Database) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: configuration.database, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(Database(client: client, logger: logger))
        }
    }
}
