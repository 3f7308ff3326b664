import KaitenCore
import KaitenIdentity
import KaitenMigrations
import KaitenPipeline
import Logging
import PostgresNIO

/// One-shot operator tasks: each opens a pool, does its work and closes it.
package enum Operator {
    package static func migrate(_ configuration: ServerConfiguration, logger: Logger) async throws -> [String] {
        try await CompositionRoot.withDatabase(configuration.database, logger: logger) { database in
            try await Migrator().migrate(database.client, logger: logger)
        }
    }

    package static func createPlatformToken(
        _ configuration: ServerConfiguration, name: String, scopes: [Scope], logger: Logger
    ) async throws -> (slug: String, token: String) {
        try await CompositionRoot.withDatabase(configuration.database, logger: logger) { database in
            let issued = try await IdentityModule(database: database).createPlatformToken(name: name, scopes: scopes)
            return (issued.slug, issued.plaintext)
        }
    }

    package static func revokePlatformToken(_ configuration: ServerConfiguration, slug: String, logger: Logger) async throws -> Int {
        try await CompositionRoot.withDatabase(configuration.database, logger: logger) { database in
            try await IdentityModule(database: database).revokePlatformToken(slug: slug)
        }
    }

    /// `kaiten relay cutover --to <mode>`: prepares the outbox for relays of the other mode, with every relay
    /// stopped; returns what an operator should know.
    package static func cutoverRelay(_ configuration: PipelineConfiguration, to mode: RelayMode, logger: Logger) async throws -> String {
        try await CompositionRoot.withDatabase(configuration.database, logger: logger) { database in
            switch mode {
            case .poll:
                let report = try await RelayCutover.toPolling(database: database, slot: configuration.relaySlot)
                return """
                    Dropped slot \(configuration.relaySlot): \(report.markedPublished) rows it had confirmed are marked published, \
                    \(report.unconfirmed) it had not are left to the polling relay. Start kaiten relay --mode poll.
                    """
            case .cdc:
                let backlog = try await RelayCutover.toCDC(database: database)
                return "No polling relay holds a claim. Start kaiten relay --mode cdc: it publishes the \(backlog) unpublished rows first."
            }
        }
    }
}
