import Foundation
import KaitenCore
import Logging
import PostgresNIO
import ServiceLifecycle

/// The relay for databases without logical replication: it claims unpublished outbox rows, publishes them
/// and marks them published.
///
/// Claims are short leases (`FOR UPDATE SKIP LOCKED`, then `relay_claimed_until`), so several relays share
/// the work and a relay that dies mid-batch only delays its rows until the lease runs out. A failed publish
/// makes the rows available again after an exponential backoff; after `maximumAttempts` a row is marked
/// failed and left for an operator. Rows are published in `occurred_at` order within a batch; across
/// concurrent writers that is the order their transactions started, not committed (the CDC relay gives
/// commit order).
package struct PollingRelay: Service {
    package struct Configuration: Sendable {
        package var batchSize = 500
        package var claimTTL: Duration = .seconds(30)
        /// How long an idle relay waits before it looks again, unless a commit of this process wakes it first
        /// (``Outbox/committed``): its whole latency in a process of its own, a fallback beside the API.
        package var idleInterval: Duration = .milliseconds(100)
        package var maximumAttempts = 12
        package var firstRetryDelay: Duration = .seconds(1)
        package var maximumRetryDelay: Duration = .seconds(300)

        package init() {}
    }

    let database: Database
    let publisher: any EventPublisher
    let configuration: Configuration

    /// A database out of reach is logged once as it begins and once as it ends.
    let claiming: OutageLog
    /// So is a transport that refuses the batches (a broker out of reach, a consumer failing in-process).
    let publishing: OutageLog

    package init(database: Database, publisher: any EventPublisher, configuration: Configuration = .init()) {
        self.database = database
        self.publisher = publisher
        self.configuration = configuration
        claiming = OutageLog("the relay could not claim outbox rows", logger: database.logger)
        publishing = OutageLog("the relay could not publish outbox rows; retrying them", logger: database.logger)
    }

    package func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let relayed: Int
            do {
                relayed = try await relayBatch()
                claiming.succeeded()
            } catch {
                claiming.failed(error)
                relayed = 0
            }
            if relayed == 0 {
                await cancelWhenGracefulShutdown {
                    await Outbox.committed.wait(until: .now + configuration.idleInterval, on: ContinuousClock())
                }
            }
        }
    }

    /// Claims, publishes and settles one batch; returns how many rows it claimed.
    @discardableResult
    package func relayBatch() async throws -> Int {
        let claimed = try await claim()
        guard !claimed.isEmpty else { return 0 }
        let ids = claimed.map(\.id)
        do {
            try await publisher.publish(claimed.map { CloudEventEnvelope(record: $0, position: "poll") })
            KaitenMetrics.eventsPublished(claimed.count, relay: "poll")
            publishing.succeeded()
            try await database.execute(
                "UPDATE outbox_events SET published_at = now(), relay_claimed_until = NULL WHERE id = ANY(\(ids))",
                logger: database.logger
            )
        } catch {
            let delay = Double(configuration.firstRetryDelay.components.seconds)
            let cap = Double(configuration.maximumRetryDelay.components.seconds)
            try await database.execute(
                """
                UPDATE outbox_events
                SET relay_claimed_until = NULL,
                    relay_last_error = \(String(describing: error)),
                    relay_available_at = now() + make_interval(secs => LEAST(\(cap), \(delay) * power(2, relay_attempts - 1))),
                    relay_failed_at = CASE WHEN relay_attempts >= \(configuration.maximumAttempts) THEN now() END
                WHERE id = ANY(\(ids))
                """,
                logger: database.logger
            )
            publishing.failed(error, metadata: ["kaiten.count": "\(ids.count)"])
        }
        await measureBacklog()
        return claimed.count
    }

    /// Counts what is left to publish, for `kaiten_outbox_backlog_events`, after each batch: an idle relay keeps
    /// the last count, which its last batch left at what remained.
    private func measureBacklog() async {
        do {
            let pending = try await database.first(
                "SELECT count(*)::int FROM outbox_events WHERE published_at IS NULL AND relay_failed_at IS NULL",
                as: Int.self,
                logger: database.logger
            )
            KaitenMetrics.outboxBacklog(events: pending ?? 0)
        } catch {
            database.logger.debug("the relay could not count its backlog", metadata: ["kaiten.error": "\(String(reflecting: error))"])
        }
    }

    private func claim() async throws -> [OutboxRecord] {
        let ttl = Double(configuration.claimTTL.components.seconds)
        let rows = try await database.all(
            """
            WITH claimable AS (
                SELECT id FROM outbox_events
                WHERE published_at IS NULL AND relay_failed_at IS NULL AND relay_available_at <= now()
                  AND (relay_claimed_until IS NULL OR relay_claimed_until < now())
                ORDER BY occurred_at, id
                LIMIT \(configuration.batchSize)
                FOR UPDATE SKIP LOCKED
            )
            UPDATE outbox_events o
            SET relay_claimed_until = now() + make_interval(secs => \(ttl)), relay_attempts = o.relay_attempts + 1
            FROM claimable WHERE o.id = claimable.id
            RETURNING o.id, o.organization_id, o.event_name, o.event_type, o.occurred_at, o.data::text, COALESCE(o.headers::text, '{}')
            """,
            as: (UUID, UUID, String, String, Date, String, String).self,
            logger: database.logger
        )
        return try rows.map(OutboxRecord.init(row:)).sorted { ($0.occurredAt, $0.id.uuidString) < ($1.occurredAt, $1.id.uuidString) }
    }
}

extension OutboxRecord {
    /// A row read back from `outbox_events` (`data` and `headers` as text).
    init(row: (UUID, UUID, String, String, Date, String, String)) throws {
        let headers = try JSONValue.parse(Array(row.6.utf8))
        self.init(
            id: row.0,
            organizationID: row.1,
            eventName: row.2,
            eventType: row.3,
            occurredAt: row.4,
            data: try JSONValue.parse(Array(row.5.utf8)),
            headers: (headers.objectValue ?? [:]).compactMapValues(\.stringValue)
        )
    }
}
