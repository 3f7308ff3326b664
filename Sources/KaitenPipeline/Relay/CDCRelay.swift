import Foundation
import KaitenCore
import Logging
import PostgresNIO
import PostgresReplication
import PostgresReplicationProtocol
import ServiceLifecycle
import Synchronization

/// The relay for databases with logical replication (`kaiten relay --mode cdc`): it streams the inserts into
/// `outbox_events` from a pgoutput slot and publishes them in commit order.
///
/// A WAL position is confirmed only after the transport confirmed every event up to it, so the slot never
/// passes an event that is not safely published: a crash, a failed publish or a lost connection makes the
/// next session stream the unconfirmed events again (at-least-once; consumers deduplicate on the row id).
/// Batches are confirmed in order, one after the other, so a later batch can never be confirmed while an
/// earlier one is unconfirmed.
///
/// One relay streams per slot: the slot admits one walsender (a second gets SQLSTATE 55006), and a session
/// advisory lock taken on the replication connection itself makes the others standbys before they get that far,
/// including through the backlog. Standbys retry every `standbyInterval` and take over when the active relay's
/// connection goes away, which releases both the slot and the lock.
///
/// The publication is insert-only (`publish = 'insert'`): retention's deletes and the polling relay's
/// bookkeeping updates never reach the stream. When the relay creates the slot, it first publishes what the
/// polling relay left unpublished (see ``RelayCutover`` for both directions).
package struct CDCRelay: Service {
    package struct Configuration: Sendable {
        package var slot = "kaiten_relay"
        package var publication = "kaiten_outbox"
        /// The most outbox rows in one publish; a transaction is never split across publishes.
        package var batchSize = 500
        /// How long the publisher waits for more events after the first one, so bursts go out as one batch.
        package var batchDelay: Duration = .milliseconds(20)
        /// After this long without any change streamed, a heartbeat message is written, so the slot advances
        /// (and the server can recycle WAL) while other tables of the database are busy and the outbox is not.
        package var heartbeatInterval: Duration = .seconds(10)
        /// How often a standby tries to become the active relay.
        package var standbyInterval: Duration = .seconds(2)
        package var firstReconnectDelay: Duration = .milliseconds(250)
        package var maximumReconnectDelay: Duration = .seconds(30)
        /// How often a standby status update goes to the server while streaming, confirmed or not.
        package var statusInterval: Duration = .seconds(10)

        package init() {}
    }

    /// The prefix of the relay's heartbeat messages (`pg_logical_emit_message`).
    package static let heartbeatPrefix = "kaiten_heartbeat"

    let database: Database
    let replication: ReplicationConfiguration
    let publisher: any EventPublisher
    let configuration: Configuration
    /// The process's logger, naming the slot.
    let logger: Logger
    /// A stream lost and not regained is logged once as it is lost and once as the relay streams again.
    let streaming: OutageLog

    /// - Parameters:
    ///   - database: The pool for the set-up, the backlog and heartbeats.
    ///   - connection: Where the replication connection goes; the same server, user and database as the pool.
    ///     Its TLS settings are not used: the replication client speaks plain TCP.
    /// - Throws: ``CDCRelayError`` for a Unix-socket connection or a slot or publication name PostgreSQL would not take.
    package init(
        database: Database, connection: PostgresClient.Configuration, publisher: any EventPublisher, configuration: Configuration = .init()
    ) throws {
        guard let host = connection.host else { throw CDCRelayError.unsupportedConnection("the replication client connects over TCP only") }
        for name in [configuration.slot, configuration.publication] where !Self.isValidName(name) {
            throw CDCRelayError.invalidName(name)
        }
        self.database = database
        self.publisher = publisher
        self.configuration = configuration
        replication = ReplicationConfiguration(
            host: host,
            port: connection.port ?? 5432,
            username: connection.username,
            password: connection.password,
            database: connection.database.flatMap { $0.isEmpty ? nil : $0 } ?? connection.username,
            applicationName: "kaiten-relay",
            statusInterval: configuration.statusInterval
        )
        var logger = database.logger
        logger[metadataKey: "kaiten.relay.slot"] = "\(configuration.slot)"
        self.logger = logger
        streaming = OutageLog("the relay lost its stream; reconnecting", logger: logger)
    }

    package func run() async throws {
        let lifecycle = Lifecycle()
        await withGracefulShutdownHandler {
            var delay = configuration.firstReconnectDelay
            var standby = false
            while !lifecycle.isStopping && !Task.isCancelled {
                do {
                    switch try await relayWhileActive(lifecycle) {
                    case .stopped:
                        return
                    case .standby:
                        if !standby { logger.info("another relay holds the outbox slot; standing by") }
                        standby = true
                        await pause(configuration.standbyInterval)
                    }
                    delay = configuration.firstReconnectDelay
                } catch ReplicationError.server(let error) where error.sqlState == "55006" {
                    if !standby { logger.info("the outbox slot is streaming to another relay; standing by") }
                    standby = true
                    await pause(configuration.standbyInterval)
                } catch {
                    if Task.isCancelled { return }
                    standby = false
                    var metadata: Logger.Metadata = ["kaiten.relay.delay": "\(delay)"]
                    if let unconfirmed = error as? UnconfirmedPublish { metadata["kaiten.count"] = "\(unconfirmed.events)" }
                    streaming.failed(error, metadata: metadata)
                    await pause(delay)
                    delay = min(delay * 2, configuration.maximumReconnectDelay)
                }
            }
        } onGracefulShutdown: {
            lifecycle.stop()
        }
    }

    private enum Outcome {
        case stopped
        case standby
    }

    /// One session: take the lock, set up, publish the backlog if due, then stream until stopped or failed.
    private func relayWhileActive(_ lifecycle: Lifecycle) async throws -> Outcome {
        try await ReplicationConnection.withConnection(configuration: replication, logger: logger) { connection in
            let lock = try await connection.simpleQuery("SELECT pg_try_advisory_lock(\(advisoryLockKey))::text AS locked")
            guard lock.firstValue("locked") == "true" else { return .standby }
            try await preparePublication()
            try await markBacklogIfSlotIsMissing()
            let slot = try await connection.createLogicalSlotIfMissing(configuration.slot)
            if slot.created { logger.info("created the outbox slot", metadata: ["kaiten.relay.position": "\(slot.position.map { "\($0)" } ?? "-")"]) }
            guard try await publishBacklogIfPending(lifecycle, snapshot: slot.exportedSnapshot) else { return .stopped }

            let stream = try await connection.startReplication(
                slot: configuration.slot, publications: [configuration.publication], logicalMessages: true)
            logger.info("the relay is streaming the outbox")
            streaming.succeeded()
            let buffer = RelayBuffer(capacity: configuration.batchSize * 4)
            let feedback = connection.feedback
            lifecycle.streaming(into: buffer)
            defer { lifecycle.streaming(into: nil) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await publish(from: buffer, feedback: feedback) }
                group.addTask { await emitHeartbeats(while: buffer) }
                defer { group.cancelAll() }
                do {
                    for try await event in stream {
                        try await buffer.append(try Self.item(for: event))
                    }
                } catch {
                    // A failed publish is the cause of whatever ends the stream after it.
                    throw buffer.failure ?? error
                }
                if let failure = buffer.failure { throw failure }
            }
            guard lifecycle.isStopping else { throw ReplicationError.connectionClosed }
            logger.info("the relay stopped streaming")
            return .stopped
        }
    }

    /// Publishes batch after batch and confirms each once the transport confirmed it; ends the stream when
    /// publishing fails or the buffer is closed for shutdown, after the batch in flight is confirmed.
    private func publish(from buffer: RelayBuffer, feedback: ReplicationFeedback) async {
        while let batch = await buffer.take(maximumRecords: configuration.batchSize, delay: configuration.batchDelay) {
            var lastCommit: Double?
            let envelopes = batch.flatMap { item -> [CloudEventEnvelope] in
                guard case .transaction(let records, let position, let committed, _) = item else { return [] }
                lastCommit = committed
                return records.map { CloudEventEnvelope(record: $0, position: position) }
            }
            do {
                if !envelopes.isEmpty {
                    try await publisher.publish(envelopes)
                    KaitenMetrics.eventsPublished(envelopes.count, relay: "cdc")
                }
                if let lastCommit { KaitenMetrics.relayLag(seconds: Date().timeIntervalSince1970 - lastCommit) }
            } catch {
                // The session ends with this failure, logged once with the stream's loss.
                buffer.fail(UnconfirmedPublish(events: envelopes.count, cause: error))
                break
            }
            if let last = batch.last { feedback.confirm(upTo: last.confirmation) }
        }
        feedback.stop()
    }

    private func emitHeartbeats(while buffer: RelayBuffer) async {
        let interval = configuration.heartbeatInterval
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            await measureLag()
            guard buffer.isIdle(for: interval) else { continue }
            KaitenMetrics.relayLag(seconds: 0)
            do {
                try await database.execute("SELECT pg_logical_emit_message(false, \(Self.heartbeatPrefix), ''::text)", logger: logger)
            } catch {
                logger.debug("the relay could not write a heartbeat", metadata: ["kaiten.error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Samples how much WAL the slot has yet to confirm, for `kaiten_relay_lag_bytes`.
    private func measureLag() async {
        do {
            let behind = try await database.first(
                """
                SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::float8
                FROM pg_replication_slots WHERE slot_name = \(configuration.slot)
                """,
                as: Double?.self,
                logger: logger
            )
            if let bytes = behind ?? nil { KaitenMetrics.relayLag(bytes: bytes) }
        } catch {
            logger.debug("the relay could not measure its lag", metadata: ["kaiten.error": "\(String(reflecting: error))"])
        }
    }

    /// What the publisher does with a streamed event. Messages (heartbeats and any other) carry nothing to
    /// publish; confirming them in turn is what moves the slot on an idle outbox.
    static func item(for event: ReplicationEvent) throws -> RelayBuffer.Item {
        switch event {
        case .transaction(let transaction):
            let records = try transaction.inserts
                .filter { $0.relation.schema == "public" && $0.relation.name == "outbox_events" }
                .map(OutboxRecord.init(insert:))
            return .transaction(
                records, position: "lsn:\(transaction.commitLSN)", committed: transaction.commitTime.secondsSinceUnixEpoch,
                confirm: transaction.position)
        case .message(let message):
            return .position(message.position)
        }
    }

    /// Creates the insert-only publication of the outbox, or brings an existing one of that name to it.
    private func preparePublication() async throws {
        let name = configuration.publication
        let existing = try await database.first(
            "SELECT pubinsert, pubupdate OR pubdelete OR pubtruncate FROM pg_publication WHERE pubname = \(name)",
            as: (Bool, Bool).self,
            logger: logger
        )
        guard let existing else {
            do {
                try await database.execute(
                    PostgresQuery(unsafeSQL: "CREATE PUBLICATION \(name) FOR TABLE public.outbox_events WITH (publish = 'insert')"),
                    logger: logger
                )
            } catch let error where PostgresFailure(error)?.sqlState == "42710" {
                try await preparePublication()
            }
            return
        }
        if existing != (true, false) {
            try await database.execute(PostgresQuery(unsafeSQL: "ALTER PUBLICATION \(name) SET (publish = 'insert')"), logger: logger)
        }
        let member = try await database.first(
            """
            SELECT EXISTS (SELECT 1 FROM pg_publication_tables
                WHERE pubname = \(name) AND schemaname = 'public' AND tablename = 'outbox_events')
            """,
            as: Bool.self,
            logger: logger
        )
        if member != true {
            try await database.execute(PostgresQuery(unsafeSQL: "ALTER PUBLICATION \(name) ADD TABLE public.outbox_events"), logger: logger)
        }
    }

    /// The advisory lock key of this slot: FNV-1a of its name, stable across processes and builds.
    private var advisoryLockKey: Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "kaiten.cdc-relay:\(configuration.slot)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    /// Sleeps, or returns early when a graceful shutdown begins.
    private func pause(_ duration: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }

    /// Slot and publication names as PostgreSQL takes slot names: lower-case letters, digits, underscores.
    static func isValidName(_ name: String) -> Bool {
        (1...63).contains(name.utf8.count) && name.utf8.first.map { !(0x30...0x39).contains($0) } == true
            && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// Whether a graceful shutdown began, and the buffer to close when it does.
    final class Lifecycle: Sendable {
        private let state = Mutex<(stopping: Bool, buffer: RelayBuffer?)>((false, nil))

        var isStopping: Bool { state.withLock { $0.stopping } }

        func stop() {
            state.withLock { state in
                state.stopping = true
                return state.buffer
            }?.close()
        }

        func streaming(into buffer: RelayBuffer?) {
            let stopping = state.withLock { state in
                state.buffer = buffer
                return state.stopping
            }
            if stopping { buffer?.close() }
        }
    }
}

/// A batch the transport did not confirm, which ends the session: the slot still holds its events unconfirmed, so
/// the next session streams them again, and the broker may already have some of them (consumers deduplicate).
struct UnconfirmedPublish: Error, CustomStringConvertible {
    let events: Int
    let cause: any Error

    var description: String { "the transport did not confirm \(events) streamed events: \(String(reflecting: cause))" }
}

package enum CDCRelayError: Error, Equatable, CustomStringConvertible {
    case unsupportedConnection(String)
    case invalidName(String)

    package var description: String {
        switch self {
        case .unsupportedConnection(let reason): "the CDC relay cannot use this connection: \(reason)"
        case .invalidName(let name): "'\(name)' is not a valid slot or publication name (lower-case letters, digits and underscores)"
        }
    }
}
