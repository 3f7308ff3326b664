import Foundation
import KaitenCore
import PostgresNIO

extension CDCRelay {
    /// Records that the slot's backlog is due, when the slot does not exist yet and is about to be created.
    ///
    /// Written before the slot, so a relay that dies between creating the slot and finishing the backlog finds it
    /// still due next time; an existing slot (streaming for a while, its rows never marked published) gets no
    /// backlog.
    func markBacklogIfSlotIsMissing() async throws {
        try await database.execute(
            """
            INSERT INTO outbox_relay_slots (slot_name)
            SELECT \(configuration.slot)
            WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = \(configuration.slot))
            ON CONFLICT (slot_name) DO UPDATE SET created_at = now(), backlog_published_at = NULL
            """,
            logger: database.logger
        )
    }

    /// Publishes the rows the polling relay left unpublished, when the slot's backlog is due; returns false when a
    /// graceful shutdown interrupted it (it resumes on the next start).
    ///
    /// A new slot streams only transactions that commit after its consistent point. The backlog's ids are read in
    /// the `snapshot` the slot was created at, which holds exactly the rows committed before that point, so the
    /// two neither overlap nor leave a gap. Without a snapshot (the slot was created by a relay that died before
    /// its backlog was done) they are read now, and rows the stream also carries are published by both. Rows go
    /// out in `occurred_at` order, in batches, each marked published once the transport confirmed it.
    func publishBacklogIfPending(_ lifecycle: Lifecycle, snapshot: String?) async throws -> Bool {
        let due = try await database.first(
            "SELECT backlog_published_at IS NULL FROM outbox_relay_slots WHERE slot_name = \(configuration.slot)",
            as: Bool.self,
            logger: database.logger
        )
        guard due == true else { return true }
        let ids = try await backlogIDs(snapshot: snapshot)
        for start in stride(from: 0, to: ids.count, by: configuration.batchSize) {
            guard !lifecycle.isStopping else { return false }
            let chunk = Array(ids[start..<min(start + configuration.batchSize, ids.count)])
            let rows = try await database.all(
                """
                SELECT id, organization_id, event_name, event_type, occurred_at, data::text, COALESCE(headers::text, '{}')
                FROM outbox_events WHERE id = ANY(\(chunk)) AND published_at IS NULL
                ORDER BY occurred_at, id
                """,
                as: (UUID, UUID, String, String, Date, String, String).self,
                logger: database.logger
            )
            let records = try rows.map(OutboxRecord.init(row:))
            guard !records.isEmpty else { continue }
            try await publisher.publish(records.map { CloudEventEnvelope(record: $0, position: "backlog") })
            KaitenMetrics.eventsPublished(records.count, relay: "cdc")
            try await database.execute(
                "UPDATE outbox_events SET published_at = now(), relay_claimed_until = NULL WHERE id = ANY(\(records.map(\.id)))",
                logger: database.logger
            )
        }
        try await database.execute(
            "UPDATE outbox_relay_slots SET backlog_published_at = now() WHERE slot_name = \(configuration.slot)",
            logger: database.logger
        )
        if !ids.isEmpty { database.logger.info("published the outbox backlog", metadata: ["kaiten.count": "\(ids.count)"]) }
        return true
    }

    /// The unpublished rows' ids, oldest first, as of `snapshot` when there is one.
    private func backlogIDs(snapshot: String?) async throws -> [UUID] {
        let query: PostgresQuery = "SELECT id FROM outbox_events WHERE published_at IS NULL AND relay_failed_at IS NULL ORDER BY occurred_at, id"
        guard let snapshot else { return try await database.all(query, as: UUID.self, logger: database.logger) }
        return try await database.transaction { connection in
            try await connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", logger: database.logger)
            // SET takes no parameters; the replication client only hands out names of hex digits and dashes.
            try await connection.execute(PostgresQuery(unsafeSQL: "SET TRANSACTION SNAPSHOT '\(snapshot)'"), logger: database.logger)
            return try await connection.all(query, as: UUID.self, logger: database.logger)
        }
    }
}
