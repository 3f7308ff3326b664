import Foundation
import KaitenCore
import NIOCore
import PostgresNIO
import PostgresReplicationProtocol

/// Moving one outbox between the two relay modes without losing an event; duplicates stay within
/// at-least-once and are few.
///
/// **Polling → CDC.** Stop the polling relays and wait one claim TTL (a relay that died mid-batch may still
/// publish what it claimed), then start ``CDCRelay``. Creating its slot, it publishes the backlog first
/// (see ``CDCRelay`` and `outbox_relay_slots`), then streams.
///
/// **CDC → polling.** Stop the CDC relays, call ``toPolling(database:slot:publication:)``, then start the
/// polling relays.
package enum RelayCutover {
    package struct Report: Sendable, Equatable {
        /// Outbox rows the slot still held unconfirmed; they stay unpublished for the polling relay.
        package let unconfirmed: Int
        /// Rows the slot had already confirmed, now marked published.
        package let markedPublished: Int
    }

    /// Hands an outbox from the CDC relay to the polling relay: marks what the slot has confirmed as published,
    /// leaves the rest to the polling relay, and drops the slot.
    ///
    /// Rows streamed through the slot never get `published_at`, so the polling relay would send the whole outbox
    /// again. Instead, in one REPEATABLE READ transaction with snapshot S:
    /// 1. the position L of the end of the WAL is read right after S is taken, so every commit S sees lies before
    ///    L; the call waits until the WAL is flushed past L (an asynchronous commit may be visible before it is
    ///    flushed, and decoding stops at the flushed end);
    /// 2. the slot's pending changes are peeked without consuming them
    ///    (`pg_logical_slot_peek_binary_changes`, decoded as pgoutput): U, the outbox ids committed after the
    ///    slot's confirmed position, up to at least L;
    /// 3. every row S sees that is unpublished, not failed and not in U is marked published.
    ///
    /// Why nothing is lost: a row that step 3 marks is visible in S and so committed before L; it is not in U, so
    /// it committed before the slot's confirmed position, which the CDC relay moves only past events the
    /// transport confirmed; or it committed before the slot existed, when the backlog the CDC relay publishes
    /// on creating its slot covered it (the call refuses while that backlog is due). Rows in U, and rows that
    /// commit after S (S does not see them, so step 3 leaves them alone), stay unpublished and the polling relay
    /// sends them. Duplicates are the rows of U the CDC relay had published without confirming yet.
    ///
    /// The slot is dropped after the commit. Calling again after a crash in between is safe: the slot still
    /// holds the same unconfirmed changes and whatever committed since.
    ///
    /// - Throws: ``RelayCutoverError`` when there is no such slot, a relay still streams from it, or its backlog
    ///   is still due; database errors as they come.
    @discardableResult
    package static func toPolling(
        database: Database,
        slot: String = CDCRelay.Configuration().slot,
        publication: String = CDCRelay.Configuration().publication
    ) async throws -> Report {
        let logger = database.logger
        guard
            let active = try await database.first(
                "SELECT active FROM pg_replication_slots WHERE slot_name = \(slot) AND database = current_database()",
                as: Bool.self,
                logger: logger
            )
        else { throw RelayCutoverError.slotNotFound(slot) }
        guard !active else { throw RelayCutoverError.slotInUse(slot) }
        let backlogDue = try await database.first(
            "SELECT backlog_published_at IS NULL FROM outbox_relay_slots WHERE slot_name = \(slot)",
            as: Bool.self,
            logger: logger
        )
        guard backlogDue != true else { throw RelayCutoverError.backlogDue(slot) }

        let report = try await database.withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ", logger: logger)
            do {
                let end = try await connection.first("SELECT pg_current_wal_insert_lsn()::text", as: String.self, logger: logger) ?? "0/0"
                while true {
                    let flushed = try await connection.first("SELECT pg_current_wal_flush_lsn() >= \(end)::pg_lsn", as: Bool.self, logger: logger)
                    if flushed == true { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                let changes = try await connection.all(
                    """
                    SELECT data FROM pg_logical_slot_peek_binary_changes(\(slot)::name, NULL, NULL,
                        'proto_version', '1', 'publication_names', \(publication))
                    """,
                    as: ByteBuffer.self,
                    logger: logger
                )
                let unconfirmed = try outboxIDs(in: changes)
                let marked = try await connection.first(
                    """
                    WITH marked AS (
                        UPDATE outbox_events SET published_at = now(), relay_claimed_until = NULL
                        WHERE published_at IS NULL AND relay_failed_at IS NULL AND id <> ALL(\(unconfirmed))
                        RETURNING 1
                    )
                    SELECT count(*)::int FROM marked
                    """,
                    as: Int.self,
                    logger: logger
                )
                try await connection.query("COMMIT", logger: logger)
                return Report(unconfirmed: Set(unconfirmed).count, markedPublished: marked ?? 0)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
        try await database.execute("SELECT pg_drop_replication_slot(\(slot)::name)", logger: logger)
        try await database.execute("DELETE FROM outbox_relay_slots WHERE slot_name = \(slot)", logger: logger)
        logger.info(
            "handed the outbox over to the polling relay",
            metadata: ["kaiten.relay.slot": "\(slot)", "kaiten.count": "\(report.unconfirmed)", "kaiten.relay.marked": "\(report.markedPublished)"]
        )
        return report
    }

    /// Checks that an outbox can be handed from the polling relays to the CDC relay: no polling relay holds a
    /// live claim (one that died mid-batch may still publish what it claimed until its lease runs out). The CDC
    /// relay then takes over when it starts: creating its slot, it publishes what is still unpublished first.
    ///
    /// - Returns: The unpublished rows the CDC relay's backlog will publish.
    /// - Throws: ``RelayCutoverError/claimsHeld(_:)`` while claims are live.
    package static func toCDC(database: Database) async throws -> Int {
        let claimed = try await database.first(
            "SELECT count(*)::int FROM outbox_events WHERE relay_claimed_until > now()",
            as: Int.self,
            logger: database.logger
        )
        guard claimed ?? 0 == 0 else { throw RelayCutoverError.claimsHeld(claimed ?? 0) }
        return try await database.first(
            "SELECT count(*)::int FROM outbox_events WHERE published_at IS NULL AND relay_failed_at IS NULL",
            as: Int.self,
            logger: database.logger
        ) ?? 0
    }

    /// The ids of the outbox rows inserted by a sequence of pgoutput messages.
    static func outboxIDs(in messages: [ByteBuffer]) throws -> [UUID] {
        var idColumns: [UInt32: Int] = [:]
        var ids: [UUID] = []
        for payload in messages {
            switch try PgOutputMessage.decode(from: payload) {
            case .relation(let relation):
                idColumns[relation.oid] =
                    relation.namespace == "public" && relation.name == "outbox_events" ? relation.columns.firstIndex { $0.name == "id" } : nil
            case .insert(let insert):
                guard let column = idColumns[insert.relationOID], column < insert.tuple.values.count,
                    case .text(let text) = insert.tuple.values[column]
                else { continue }
                guard let id = UUID(uuidString: String(buffer: text)) else {
                    throw EnvelopeError.malformed("a streamed outbox id is not a UUID")
                }
                ids.append(id)
            case .begin, .commit, .logicalMessage, .skipped:
                continue
            }
        }
        return ids
    }
}

package enum RelayCutoverError: Error, Equatable, CustomStringConvertible {
    case slotNotFound(String)
    case slotInUse(String)
    case backlogDue(String)
    case claimsHeld(Int)

    package var description: String {
        switch self {
        case .slotNotFound(let slot): "there is no replication slot '\(slot)' in this database"
        case .slotInUse(let slot): "a CDC relay still streams from slot '\(slot)'; stop it first"
        case .backlogDue(let slot): "slot '\(slot)' was created but its backlog is not published yet; run the CDC relay until it is"
        case .claimsHeld(let count): "polling relays hold live claims on \(count) outbox rows; stop them and wait for the claims to expire"
        }
    }
}
