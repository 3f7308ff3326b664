import Foundation
import KaitenTestSupport
import Logging
import PostgresNIO
import PostgresReplication
import PostgresReplicationProtocol
import Testing

/// A fresh database on the test PostgreSQL (wal_level=logical), an ordinary SQL client for it, and replication
/// settings pointing at it.
struct ReplicationTestDatabase {
    static let logger: Logger = {
        var logger = Logger(label: "kaiten.tests.replication")
        logger.logLevel = .warning
        return logger
    }()

    let client: PostgresClient
    let configuration: PostgresClient.Configuration

    static func with(_ body: (ReplicationTestDatabase) async throws -> Void) async throws {
        let configuration = try await TestDatabaseServer.shared.newDatabase()
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(ReplicationTestDatabase(client: client, configuration: configuration))
        }
    }

    /// Replication settings for this database; feedback every second so tests see the slot move quickly.
    func replication(username: String? = nil, password: String? = nil) -> ReplicationConfiguration {
        ReplicationConfiguration(
            host: configuration.host!, port: configuration.port!, username: username ?? configuration.username, password: password,
            database: configuration.database!, applicationName: "kaiten-replication-tests", statusInterval: .seconds(1)
        )
    }

    func execute(_ sql: String) async throws {
        try await client.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger)
    }

    /// The statements run in one transaction, committed, or rolled back when `commit` is false.
    func transaction(commit: Bool = true, _ statements: String...) async throws {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: Self.logger)
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Self.logger)
            }
            try await connection.query(commit ? "COMMIT" : "ROLLBACK", logger: Self.logger)
        }
    }

    func text(_ sql: String) async throws -> String? {
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger).decode(String?.self) {
            return value
        }
        return nil
    }

    /// The slot's `confirmed_flush_lsn`.
    func confirmedFlush(_ slot: String) async throws -> LSN? {
        try await text("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '\(slot)'").flatMap { LSN($0) }
    }

    /// Waits until the server has taken the standby status update that flushed `position`.
    func waitUntilConfirmed(_ slot: String, at position: LSN) async throws {
        for _ in 0..<100 {
            if try await confirmedFlush(slot) == position { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("slot \(slot) stayed at \(String(describing: try await confirmedFlush(slot))), expected \(position)")
    }

    /// Creates the test table, its publication and a slot with a unique name (slots are cluster-wide).
    func prepareStream(table: String = "replication_events") async throws -> String {
        try await execute("CREATE TABLE \(table) (id integer PRIMARY KEY, name text NOT NULL, note text)")
        let slot = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        try await ReplicationConnection.withConnection(configuration: replication(), logger: Self.logger) { connection in
            try await connection.createPublicationIfMissing("test_publication", table: table)
            _ = try await connection.createLogicalSlotIfMissing(slot)
        }
        return slot
    }

    /// Drops the slot so finished tests neither use up the cluster's slots nor keep its WAL.
    func dropSlot(_ slot: String) async throws {
        try await ReplicationConnection.withConnection(configuration: replication(), logger: Self.logger) { connection in
            _ = try await connection.dropSlotIfExists(slot)
        }
    }
}

extension ReplicationConnection {
    /// Streams from `slot` and collects `count` events; gives up (stops the stream) after `seconds`, so a missing
    /// event fails the test instead of hanging it.
    func collect(_ count: Int, from stream: ReplicationStream, within seconds: Int = 10) async throws -> [ReplicationEvent] {
        let feedback = self.feedback
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                feedback.stop()
            }
            defer { group.cancelAll() }
            var events: [ReplicationEvent] = []
            var iterator = stream.makeAsyncIterator()
            while events.count < count, let event = try await iterator.next() {
                events.append(event)
            }
            return events
        }
    }
}

extension ReplicationEvent {
    var transaction: ReplicationTransaction? {
        guard case .transaction(let transaction) = self else { return nil }
        return transaction
    }

    var message: LogicalMessage? {
        guard case .message(let message) = self else { return nil }
        return message
    }

    /// The `id` of every inserted row, as text.
    var insertedIDs: [String] {
        transaction?.inserts.compactMap { $0["id"]?.text } ?? []
    }
}
