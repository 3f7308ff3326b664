import Foundation
import KaitenCore
import Logging
import PostgresNIO
import ServiceLifecycle

/// How a deployment relays its outbox, which decides when an outbox row has served its purpose.
package enum RelayMode: String, Sendable, CaseIterable {
    /// The polling relay marks each row published (or failed).
    case poll
    /// The CDC relay reads rows from the WAL and never marks them.
    case cdc
}

/// Bounds the tables that only grow: the outbox, the inbox and retired credentials.
///
/// One replica sweeps at a time: each pass first takes a session advisory lock, and a replica that does not
/// get it skips the pass. Rows go oldest first in bounded batches (`FOR UPDATE SKIP LOCKED`), each its own
/// statement, so a large backlog never holds long locks or writes one huge WAL record, and a pass stops after
/// `maximumBatches` per table, leaving the rest to the next. Deletes of `outbox_events` are not change events
/// for the CDC relay or Debezium (they skip deletes), so nothing downstream sees them.
package struct RetentionSweeper: Service {
    package struct Configuration: Sendable {
        package var initialDelay: Duration = .seconds(300)
        package var interval: Duration = .seconds(12 * 3600)
        package var batchSize = 1000
        package var maximumBatches = 100
        /// Outbox rows older than this are deleted once relayed.
        package var outboxRetention: Duration = .seconds(168 * 3600)
        package var inboxRetention: Duration = .seconds(168 * 3600)
        /// Tokens revoked or expired longer ago than this are deleted.
        package var retiredTokenRetention: Duration = .seconds(2160 * 3600)
        /// In `poll` mode an old outbox row is kept until the relay published it or gave up on it; in `cdc`
        /// mode rows are never marked, and age alone decides.
        package var relayMode = RelayMode.poll

        package init() {}
    }

    /// Unique among this database's advisory locks; the Go server's value, so mixed fleets elect one sweeper.
    package static let lockKey: Int64 = 20_260_817_010_000

    /// Rows deleted by one pass, per table.
    package struct Swept: Sendable, Equatable {
        package var outboxEvents = 0
        package var inboxEvents = 0
        package var retiredTokens = 0

        package init(outboxEvents: Int = 0, inboxEvents: Int = 0, retiredTokens: Int = 0) {
            self.outboxEvents = outboxEvents
            self.inboxEvents = inboxEvents
            self.retiredTokens = retiredTokens
        }
    }

    let database: Database
    let configuration: Configuration
    let clock: any DatabaseClock

    /// - Parameter clock: Times the passes and gives the cut-offs their "now" (this machine's wall time in
    ///   production); tests pass a manual clock.
    package init(database: Database, configuration: Configuration = .init(), clock: any DatabaseClock = ContinuousClock()) {
        self.database = database
        self.configuration = configuration
        self.clock = clock
    }

    package func run() async throws {
        try? await gracefulShutdownOrCancellation(after: configuration.initialDelay)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if let swept = try await sweep(), swept != Swept() {
                    database.logger.info(
                        "retention sweep deleted rows",
                        metadata: [
                            "kaiten.outbox_events": "\(swept.outboxEvents)", "kaiten.inbox_events": "\(swept.inboxEvents)",
                            "kaiten.tokens": "\(swept.retiredTokens)",
                        ]
                    )
                }
            } catch {
                database.logger.warning("the retention sweep failed", metadata: ["kaiten.error": "\(String(reflecting: error))"])
            }
            try? await gracefulShutdownOrCancellation(after: configuration.interval)
        }
    }

    /// Sleeps, returning early on graceful shutdown.
    private func gracefulShutdownOrCancellation(after delay: Duration) async throws {
        try await cancelWhenGracefulShutdown { [clock] in try await clock.sleep(for: delay) }
    }

    /// One pass; nil when another replica holds the lock.
    package func sweep() async throws -> Swept? {
        try await database.withConnection { connection in
            let locked = try await connection.first("SELECT pg_try_advisory_lock(\(Self.lockKey))", as: Bool.self, logger: database.logger)
            guard locked == true else { return nil }
            do {
                let swept = try await pass(on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: database.logger)
                return swept
            } catch {
                // The lock is the session's: release it before the connection goes back to the pool.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: database.logger)
                throw error
            }
        }
    }

    private func pass(on connection: PostgresConnection) async throws -> Swept {
        let now = clock.wallNow
        let outboxCutoff = now.addingTimeInterval(-configuration.outboxRetention.seconds)
        let inboxCutoff = now.addingTimeInterval(-configuration.inboxRetention.seconds)
        let tokenCutoff = now.addingTimeInterval(-configuration.retiredTokenRetention.seconds)
        let ageAlone = configuration.relayMode == .cdc
        var swept = Swept()
        swept.outboxEvents = try await drain(on: connection) { limit in
            """
            WITH deleted AS (
                DELETE FROM outbox_events WHERE id IN (
                    SELECT id FROM outbox_events
                    WHERE occurred_at < \(outboxCutoff) AND (published_at IS NOT NULL OR relay_failed_at IS NOT NULL OR \(ageAlone))
                    ORDER BY occurred_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                ) RETURNING 1
            )
            SELECT count(*) FROM deleted
            """
        }
        swept.inboxEvents = try await drain(on: connection) { limit in
            """
            WITH deleted AS (
                DELETE FROM inbox_events WHERE id IN (
                    SELECT id FROM inbox_events WHERE processed_at < \(inboxCutoff)
                    ORDER BY processed_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                ) RETURNING 1
            )
            SELECT count(*) FROM deleted
            """
        }
        // A token stops working when it is revoked or expires, whichever came first (LEAST ignores NULLs).
        swept.retiredTokens = try await drain(on: connection) { limit in
            """
            WITH deleted AS (
                DELETE FROM token WHERE id IN (
                    SELECT id FROM token WHERE LEAST(revoked_date, expires_at) < \(tokenCutoff)
                    ORDER BY LEAST(revoked_date, expires_at), id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                ) RETURNING 1
            )
            SELECT count(*) FROM deleted
            """
        }
        return swept
    }

    /// Runs a counted delete (`statement` returns how many rows it removed) batch after batch until one comes back short or the pass's budget is spent.
    private func drain(on connection: PostgresConnection, _ statement: (Int) -> PostgresQuery) async throws -> Int {
        var total = 0
        for _ in 0..<configuration.maximumBatches {
            guard !Task.isCancelled else { break }
            let deleted = try await connection.first(statement(configuration.batchSize), as: Int.self, logger: database.logger) ?? 0
            total += deleted
            if deleted < configuration.batchSize { break }
        }
        return total
    }
}
