import Foundation
import NIOCore
import PostgresNIO
import PostgresReplication
import PostgresReplicationProtocol
import Testing

/// Against the real PostgreSQL 15 of the test process.
///
/// No suite time limit: every wait on a stream has its own deadline (`collect(_:from:within:)`), and a suite limit
/// also counted the start of the process's shared PostgreSQL, which on a loaded machine took longer than the tests.
@Suite
struct ReplicationIntegrationTests {
    let logger = ReplicationTestDatabase.logger

    @Test func setUpIsIdempotentAndIdentifiesTheServer() async throws {
        try await ReplicationTestDatabase.with { database in
            try await database.execute("CREATE TABLE first_table (id integer PRIMARY KEY)")
            try await database.execute("CREATE TABLE second_table (id integer PRIMARY KEY)")
            let slot = "test_setup_" + UUID().uuidString.lowercased().prefix(8)
            try await ReplicationConnection.withConnection(configuration: database.replication(), logger: logger) { connection in
                let system = try await connection.identifySystem()
                #expect(system.database == database.configuration.database)
                #expect(system.timeline >= 1 && system.walPosition > .zero)

                #expect(try await connection.createPublicationIfMissing("test_publication", table: "first_table"))
                #expect(try await !connection.createPublicationIfMissing("test_publication", table: "first_table"))
                #expect(try await connection.createPublicationIfMissing("test_publication", table: "second_table"))

                let created = try await connection.createLogicalSlotIfMissing(slot)
                #expect(created.created && created.position != nil)
                let reused = try await connection.createLogicalSlotIfMissing(slot)
                #expect(!reused.created)
                #expect(try await connection.dropSlotIfExists(slot))
                #expect(try await !connection.dropSlotIfExists(slot))
            }
            let tables = try await database.text(
                "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_publication_tables WHERE pubname = 'test_publication'"
            )
            #expect(tables == "first_table,second_table")
        }
    }

    @Test func streamsCommittedInsertsWithTheirTransactionBoundaries() async throws {
        try await ReplicationTestDatabase.with { database in
            let slot = try await database.prepareStream()
            try await database.execute("CREATE TABLE unpublished (id integer)")
            try await database.execute("INSERT INTO replication_events VALUES (1, 'one', NULL)")
            try await database.execute("INSERT INTO replication_events VALUES (2, 'two', 'a'), (3, 'three', NULL), (4, 'four', 'it''s')")
            try await database.transaction(commit: false, "INSERT INTO replication_events VALUES (5, 'rolled back', NULL)")
            try await database.transaction(
                "INSERT INTO replication_events VALUES (6, 'six', NULL)",
                "SELECT pg_logical_emit_message(true, 'kaiten.test', 'inside')"
            )
            try await database.execute("SELECT pg_logical_emit_message(false, 'kaiten.heartbeat', 'beat')")
            try await database.execute("UPDATE replication_events SET note = 'updated' WHERE id = 1")
            try await database.execute("INSERT INTO unpublished VALUES (1)")
            try await database.execute("INSERT INTO replication_events VALUES (7, 'seven', repeat('x', 100000))")

            try await ReplicationConnection.withConnection(configuration: database.replication(), logger: logger) { connection in
                let stream = try await connection.startReplication(slot: slot, publications: ["test_publication"])
                let events = try await connection.collect(5, from: stream)
                try #require(events.count == 5)

                #expect(events.map(\.insertedIDs) == [["1"], ["2", "3", "4"], ["6"], [], ["7"]])
                let first = try #require(events[0].transaction?.inserts.first)
                #expect(first.relation.schema == "public" && first.relation.name == "replication_events")
                #expect(first.relation.columns == ["id", "name", "note"])
                #expect(first["name"] == .text("one") && first["note"] == .null)
                #expect(events[1].transaction?.inserts.map { $0["note"] } == [.text("a"), .null, .text("it's")])
                guard case .message(let inside) = events[2].transaction?.changes.last else {
                    Issue.record("expected the transactional message after the insert")
                    return
                }
                #expect(inside.transactional && inside.prefix == "kaiten.test" && String(buffer: inside.content) == "inside")
                let heartbeat = try #require(events[3].message)
                #expect(!heartbeat.transactional && heartbeat.prefix == "kaiten.heartbeat" && String(buffer: heartbeat.content) == "beat")
                #expect(events[4].transaction?.inserts.first?["note"]?.text?.count == 100_000)

                for event in events {
                    if let transaction = event.transaction { #expect(transaction.commitLSN < transaction.endLSN) }
                }
                #expect(zip(events, events.dropFirst()).allSatisfy { $0.position < $1.position })
                #expect(connection.unconfirmedCount == 5)
                connection.confirm(upTo: events[4].position)
                #expect(connection.unconfirmedCount == 0)
                try await database.waitUntilConfirmed(slot, at: events[4].position)
            }
            try await database.dropSlot(slot)
        }
    }

    @Test func resumesAfterTheConfirmedPositionAndRedeliversTheRest() async throws {
        try await ReplicationTestDatabase.with { database in
            let slot = try await database.prepareStream()
            let before = try await database.confirmedFlush(slot)
            for id in 1...3 {
                try await database.execute("INSERT INTO replication_events VALUES (\(id), 'row \(id)', NULL)")
            }

            try await ReplicationConnection.withConnection(configuration: database.replication(), logger: logger) { connection in
                let stream = try await connection.startReplication(slot: slot, publications: ["test_publication"])
                let events = try await connection.collect(3, from: stream)
                #expect(events.map(\.insertedIDs) == [["1"], ["2"], ["3"]])
                try #require(events.count == 3)
                // Confirmed out of order: the third cannot carry the slot past the unconfirmed second.
                connection.confirm(events[2].position)
                connection.confirm(events[0].position)
                #expect(connection.unconfirmedCount == 2)
                try await database.waitUntilConfirmed(slot, at: events[0].position)
                #expect(try await database.confirmedFlush(slot) != before)
            }

            try await ReplicationConnection.withConnection(configuration: database.replication(), logger: logger) { connection in
                let stream = try await connection.startReplication(slot: slot, publications: ["test_publication"])
                let redelivered = try await connection.collect(2, from: stream)
                #expect(redelivered.map(\.insertedIDs) == [["2"], ["3"]])
                try await database.execute("INSERT INTO replication_events VALUES (4, 'row 4', NULL)")
                let next = try await connection.collect(1, from: stream)
                #expect(next.map(\.insertedIDs) == [["4"]])
                try #require(next.count == 1)
                connection.confirm(upTo: next[0].position)
                try await database.waitUntilConfirmed(slot, at: next[0].position)
            }

            try await database.execute("INSERT INTO replication_events VALUES (5, 'row 5', NULL)")
            try await ReplicationConnection.withConnection(configuration: database.replication(), logger: logger) { connection in
                let stream = try await connection.startReplication(slot: slot, publications: ["test_publication"])
                #expect(try await connection.collect(1, from: stream).map(\.insertedIDs) == [["5"]])
            }
            try await database.dropSlot(slot)
        }
    }

    @Test func aConfirmedLogicalMessageIsNotDeliveredAgain() async throws {
        try await ReplicationTestDatabase.with { database in
            let slot = try await database.prepareStream()
            try await database.execute("SELECT pg_logical_emit_message(false, 'kaiten.heartbeat', '{\"ts\":1}')")
            try await database.execute("INSERT INTO replication_events VALUES (1, 'after the heartbeat', NULL)")

            try await ReplicationConnection.withConnection(configuration: database.replication(), logger: logger) { connection in
                let stream = try await connection.startReplication(slot: slot, publications: ["test_publication"])
                let events = try await connection.collect(2, from: stream)
                try #require(events.count == 2)
                let heartbeat = try #require(events[0].message)
                #expect(heartbeat.prefix == "kaiten.heartbeat" && String(buffer: heartbeat.content) == "{\"ts\":1}")
                connection.confirm(heartbeat.position)
                try await database.waitUntilConfirmed(slot, at: heartbeat.position)
            }

            try await ReplicationConnection.withConnection(configuration: database.replication(), logger: logger) { connection in
                let stream = try await connection.startReplication(slot: slot, publications: ["test_publication"])
                #expect(try await connection.collect(1, from: stream).map(\.insertedIDs) == [["1"]])
            }
            try await database.dropSlot(slot)
        }
    }

    @Test func serverErrorsCarryTheirSQLState() async throws {
        try await ReplicationTestDatabase.with { database in
            let slot = try await database.prepareStream()
            try await ReplicationConnection.withConnection(configuration: database.replication(), logger: logger) { connection in
                await #expect(throws: ReplicationError.self) {
                    do {
                        _ = try await connection.startReplication(slot: "missing_slot", publications: ["test_publication"])
                    } catch ReplicationError.server(let error) {
                        #expect(error.sqlState == "42704")
                        throw ReplicationError.server(error)
                    }
                }
                // A failed command leaves the connection usable.
                await #expect(throws: ReplicationError.self) { _ = try await connection.simpleQuery("SELECT 1/0") }
                #expect(try await connection.simpleQuery("SELECT 2 AS two").firstValue("two") == "2")

                // Ending the walsender from outside surfaces the FATAL error in the stream.
                let stream = try await connection.startReplication(slot: slot, publications: ["test_publication"])
                try await database.execute(
                    "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '\(slot)' AND active_pid IS NOT NULL"
                )
                var state = ""
                do {
                    _ = try await connection.collect(Int.max, from: stream)
                } catch ReplicationError.server(let error) {
                    state = error.sqlState
                }
                #expect(state == "57P01")
            }
            try await database.dropSlot(slot)
        }
    }
}
