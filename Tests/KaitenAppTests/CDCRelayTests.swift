import Foundation
import HTTPTypes
import KaitenApp
import KaitenCore
import KaitenPipeline
import Logging
import PostgresNIO
import ServiceLifecycle
import Testing

/// The CDC relay against the test PostgreSQL (wal_level=logical). Serialized: slots are per cluster and few.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CDCRelayTests {
    @Test func streamsCommittedEventsInCommitOrderAfterTheBacklog() async throws {
        try await RelayHarness.run { harness in
            let (organization, token) = try await harness.kaiten.organization()
            _ = try await harness.kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Before the relay"])
            let recorder = Recorder()
            let relay = try harness.start(recorder)
            try await harness.waitUntilStreaming()
            let before = try await harness.walPosition()

            // The first transaction starts first and commits last: the stream follows commit order.
            let (first, second) = (UUID(), UUID())
            try await harness.kaiten.database.client.withConnection { connection in
                try await connection.query("BEGIN", logger: harness.logger)
                try await harness.insert(first, organization: organization, on: connection)
                _ = try await harness.kaiten.database.client.withConnection { other in
                    try await harness.insert(second, organization: organization, on: other)
                }
                try await connection.query("COMMIT", logger: harness.logger)
            }
            for name in ["Acme", "Globex", "Initech"] {
                _ = try await harness.kaiten.core.json(.post, "/api/customers", token: token, body: ["name": .string(name)])
            }

            try await harness.waitUntilPublished(by: [recorder])
            let published = await recorder.published
            let ids = published.compactMap(\.messageID)
            #expect(Set(ids).count == ids.count, "nothing is published twice")
            #expect(try await Set(harness.outboxIDs().map(\.lowercased)) == Set(ids))
            #expect(try #require(ids.firstIndex(of: second.lowercased)) < (try #require(ids.firstIndex(of: first.lowercased))))
            let customers = published.filter { $0.eventName == "CUSTOMER_CREATED" }.compactMap(\.messageID)
            let committed = try await harness.kaiten.database.all(
                "SELECT id FROM outbox_events WHERE event_name = 'CUSTOMER_CREATED' ORDER BY occurred_at", as: UUID.self, logger: harness.logger
            )
            #expect(customers == committed.map(\.lowercased))
            #expect(published.first?.id.contains(";backlog;") == true, "what was written before the slot comes from the backlog")
            #expect(published.last?.id.contains(";lsn:") == true)
            try await harness.waitUntilConfirmed(past: before)
            await relay.stop()
        }
    }

    @Test func aFailingPublisherIsRetriedAndNothingIsConfirmedPastIt() async throws {
        try await RelayHarness.run { harness in
            let (organization, _) = try await harness.kaiten.organization()
            let recorder = Recorder()
            let relay = try harness.start(recorder)
            try await harness.waitUntilStreaming()
            try await harness.waitUntilPublished(by: [recorder])

            let beforeFirst = try await harness.walPosition()
            let first = try await harness.insert(organization: organization)
            try await harness.waitUntilConfirmed(past: beforeFirst)

            await recorder.set(failing: true)
            let beforeSecond = try await harness.walPosition()
            let second = try await harness.insert(organization: organization)
            let attempts = await recorder.attempts
            try await harness.waitUntil { await recorder.attempts >= attempts + 3 }
            #expect(try await harness.isConfirmed(atMost: beforeSecond), "the slot does not pass the unpublished event")

            await recorder.set(failing: false)
            try await harness.waitUntilPublished(by: [recorder])
            try await harness.waitUntilConfirmed(past: beforeSecond)
            let ids = await recorder.published.compactMap(\.messageID)
            #expect(ids.filter { $0 == first.lowercased }.count == 1 && ids.filter { $0 == second.lowercased }.count == 1)
            await relay.stop()
        }
    }

    @Test func aRestartResumesAfterTheConfirmedPositionAndResendsOnlyWhatWasUnconfirmed() async throws {
        try await RelayHarness.run { harness in
            let (organization, _) = try await harness.kaiten.organization()
            let first = Recorder()
            let firstRelay = try harness.start(first)
            try await harness.waitUntilStreaming()
            for _ in 0..<5 { try await harness.insert(organization: organization) }
            try await harness.waitUntilPublished(by: [first])
            await firstRelay.stop()

            let firstWhileStopped = try await harness.insert(organization: organization)
            let beforeLast = try await harness.walPosition()
            let whileStopped = [firstWhileStopped, try await harness.insert(organization: organization)]
            let second = Recorder()
            let secondRelay = try harness.start(second)
            // Confirmed past the last insert, the relay has published all it ever will of what came before.
            try await harness.waitUntilConfirmed(past: beforeLast)
            #expect(await second.published.compactMap(\.messageID) == whileStopped.map(\.lowercased), "a graceful stop leaves nothing unconfirmed")

            // A transport that takes the events and never confirms them, then the relay dies. One batch is in flight
            // at a time, and whether the two transactions share one depends on when the server flushes WAL (the
            // walsender streams only flushed WAL; the test cluster commits asynchronously): the second may be taken
            // with the first or wait behind it, unconfirmed either way.
            await second.set(hanging: true)
            let unconfirmed = [try await harness.insert(organization: organization), try await harness.insert(organization: organization)]
            try await harness.waitUntil { await second.attempted.compactMap(\.messageID).contains(unconfirmed[0].lowercased) }
            await secondRelay.kill()

            let third = Recorder()
            let thirdRelay = try harness.start(third)
            let beforeAfter = try await harness.walPosition()
            let after = try await harness.insert(organization: organization)
            try await harness.waitUntilConfirmed(past: beforeAfter)
            #expect(await third.published.compactMap(\.messageID) == (unconfirmed + [after]).map(\.lowercased))
            await thirdRelay.stop()
        }
    }

    @Test func onlyOneRelayStreamsAndTheStandbyTakesOver() async throws {
        try await RelayHarness.run { harness in
            let (organization, _) = try await harness.kaiten.organization()
            let (a, b) = (Recorder(), Recorder())
            let relayA = try harness.start(a)
            let relayB = try harness.start(b)
            try await harness.waitUntilStreaming()
            for _ in 0..<3 { try await harness.insert(organization: organization) }
            try await harness.waitUntilPublished(by: [a, b])
            let (countA, countB) = (await a.published.count, await b.published.count)
            #expect((countA == 0) != (countB == 0), "exactly one relay published")

            let (active, standby, activeRelay, standbyRelay) = countA > 0 ? (a, b, relayA, relayB) : (b, a, relayB, relayA)
            await activeRelay.kill()
            for _ in 0..<3 { try await harness.insert(organization: organization) }
            try await harness.waitUntilPublished(by: [a, b])
            #expect(await standby.published.count >= 3, "the standby took over")
            let (fromActive, fromStandby) = (await active.published, await standby.published)
            let all = (fromActive + fromStandby).compactMap(\.messageID)
            #expect(try await Set(all) == Set(harness.outboxIDs().map(\.lowercased)))
            await standbyRelay.stop()
        }
    }

    @Test func pollingToCDCWhileEventsAreWrittenLosesNothing() async throws {
        try await RelayHarness.run { harness in
            let (organization, _) = try await harness.kaiten.organization()
            let writer = harness.startWriting(organization: organization)
            var pollConfiguration = PollingRelay.Configuration()
            pollConfiguration.batchSize = 10
            let polled = Recorder()
            let polling = PollingRelay(database: harness.kaiten.database, publisher: polled, configuration: pollConfiguration)
            for _ in 0..<4 {
                try await polling.relayBatch()
                try await Task.sleep(for: .milliseconds(30))
            }
            // Polling relays stopped (their claims settled); the CDC relay creates its slot.
            let streamed = Recorder()
            let relay = try harness.start(streamed)
            try await harness.waitUntilStreaming()
            // Past the backlog: the stream carries rows written after the slot was created.
            try await harness.waitUntil { await streamed.published.contains { $0.id.contains(";lsn:") } }
            try await writer.stop()

            try await harness.waitUntilPublished(by: [polled, streamed])
            let (fromPolling, fromCDC) = (await polled.published.compactMap(\.messageID), await streamed.published.compactMap(\.messageID))
            #expect(!fromPolling.isEmpty && !fromCDC.isEmpty)
            #expect(Set(fromPolling).isDisjoint(with: fromCDC), "the backlog skips what the polling relay published")
            #expect(fromCDC.count == Set(fromCDC).count, "the backlog, read in the slot's snapshot, and the stream never overlap")
            #expect(try await Set(fromPolling + fromCDC) == Set(harness.outboxIDs().map(\.lowercased)))
            await relay.stop()
        }
    }

    @Test func cutoverToCDCWaitsUntilNoPollingRelayHoldsAClaim() async throws {
        try await TestKaiten.run { kaiten in
            _ = try await kaiten.organization()
            let pending = try await kaiten.count("SELECT count(*) FROM outbox_events")
            try await kaiten.database.client.query(
                "UPDATE outbox_events SET relay_claimed_until = now() + interval '30 seconds'", logger: kaiten.database.logger)
            await #expect(throws: RelayCutoverError.claimsHeld(pending)) { try await RelayCutover.toCDC(database: kaiten.database) }
            try await kaiten.database.client.query(
                "UPDATE outbox_events SET relay_claimed_until = now() - interval '1 second'", logger: kaiten.database.logger)
            #expect(try await RelayCutover.toCDC(database: kaiten.database) == pending)
        }
    }

    @Test func theCutoverCommandTellsTheOperatorWhatHappensNext() async throws {
        try await TestKaiten.run { kaiten in
            _ = try await kaiten.organization()
            let pending = try await kaiten.count("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")
            var configuration = PipelineConfiguration(database: kaiten.databaseConfiguration)
            configuration.relaySlot = "never_created"
            let toCDC = try await Operator.cutoverRelay(configuration, to: .cdc, logger: kaiten.database.logger)
            #expect(toCDC.contains("publishes the \(pending) unpublished rows"))
            await #expect(throws: RelayCutoverError.slotNotFound("never_created")) {
                try await Operator.cutoverRelay(configuration, to: .poll, logger: kaiten.database.logger)
            }
        }
    }

    @Test func cdcToPollingWhileEventsAreWrittenLosesNothing() async throws {
        try await RelayHarness.run { harness in
            let (organization, _) = try await harness.kaiten.organization()
            let writer = harness.startWriting(organization: organization)
            let streamed = Recorder()
            await streamed.set(delay: .milliseconds(40))
            let relay = try harness.start(streamed) { $0.batchSize = 10 }
            try await harness.waitUntilStreaming()
            // A streamed row confirmed: the cutover has rows to mark published.
            var streamedCommit: Substring?
            try await harness.waitUntil {
                streamedCommit = await streamed.published.lazy.compactMap { $0.id.split(separator: ";").first { $0.hasPrefix("lsn:") } }.first
                return streamedCommit != nil
            }
            try await harness.waitUntilConfirmed(past: String(try #require(streamedCommit).dropFirst("lsn:".count)))
            // The relay dies with a batch taken by the transport but unconfirmed.
            await streamed.set(hanging: true)
            try await harness.waitUntil { await streamed.attempted.count > streamed.published.count }
            await relay.kill()
            try await harness.waitUntil {
                try await harness.kaiten.count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = \(harness.slot) AND active") == 0
            }

            let report = try await RelayCutover.toPolling(database: harness.kaiten.database, slot: harness.slot)
            #expect(report.markedPublished > 0 && report.unconfirmed > 0)
            #expect(try await harness.kaiten.count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = \(harness.slot)") == 0)

            let polled = Recorder()
            let polling = PollingRelay(database: harness.kaiten.database, publisher: polled)
            for _ in 0..<3 {
                try await polling.relayBatch()
                try await Task.sleep(for: .milliseconds(50))
            }
            try await writer.stop()
            while try await polling.relayBatch() > 0 {}

            let (fromCDC, fromPolling) = (await streamed.attempted.compactMap(\.messageID), await polled.published.compactMap(\.messageID))
            #expect(try await Set(fromCDC + fromPolling) == Set(harness.outboxIDs().map(\.lowercased)))
            #expect(Set(fromCDC).intersection(fromPolling).count <= 10, "only the unconfirmed batch comes twice")
        }
    }

    @Test func heartbeatsAdvanceTheSlotOnAnIdleOutbox() async throws {
        try await RelayHarness.run { harness in
            let relay = try harness.start(Recorder()) { $0.heartbeatInterval = .milliseconds(200) }
            try await harness.waitUntilStreaming()
            try await harness.kaiten.database.execute("CREATE TABLE busy (n integer)", logger: harness.logger)
            try await harness.kaiten.database.execute("INSERT INTO busy SELECT generate_series(1, 100)", logger: harness.logger)
            let busy = try await harness.walPosition()
            try await harness.waitUntilConfirmed(past: busy)
            await relay.stop()
        }
    }
}

/// A transport that records what it is given; it can refuse, hang, or confirm slowly.
actor Recorder: EventPublisher {
    struct Refused: Error {}

    private(set) var attempted: [CloudEventEnvelope] = []
    private(set) var published: [CloudEventEnvelope] = []
    private(set) var attempts = 0
    private var failing = false
    private var hanging = false
    private var delay: Duration = .zero

    func set(failing: Bool) { self.failing = failing }
    func set(hanging: Bool) { self.hanging = hanging }
    func set(delay: Duration) { self.delay = delay }

    func publish(_ envelopes: [CloudEventEnvelope]) async throws {
        attempts += 1
        if failing { throw Refused() }
        attempted += envelopes
        if hanging { try await Task.sleep(for: .seconds(3600)) }
        if delay > .zero { try await Task.sleep(for: delay) }
        published += envelopes
    }
}

extension CloudEventEnvelope {
    var eventName: String? {
        guard case .record(let record) = content else { return nil }
        return record.eventName
    }
}

/// A test database with its own slot name, dropped at the end, and relays run as services.
struct RelayHarness {
    let kaiten: TestKaiten
    let connection: PostgresClient.Configuration
    let slot: String
    var logger: Logger { kaiten.database.logger }

    static func run(_ body: @escaping @Sendable (RelayHarness) async throws -> Void) async throws {
        try await TestKaiten.run { kaiten in
            let (database, port, user) = try #require(
                try await kaiten.database.first(
                    "SELECT current_database()::text, inet_server_port(), current_user::text", as: (String, Int, String).self,
                    logger: kaiten.database.logger
                )
            )
            let connection = PostgresClient.Configuration(
                host: "127.0.0.1", port: port, username: user, password: nil, database: database, tls: .disable)
            let slot = "test_relay_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            let harness = RelayHarness(kaiten: kaiten, connection: connection, slot: slot)
            do {
                try await body(harness)
            } catch {
                try? await harness.dropSlot()
                throw error
            }
            try await harness.dropSlot()
        }
    }

    func start(_ publisher: Recorder, _ configure: (inout CDCRelay.Configuration) -> Void = { _ in }) throws -> RunningRelay {
        var configuration = CDCRelay.Configuration()
        configuration.slot = slot
        configuration.batchDelay = .milliseconds(5)
        configuration.heartbeatInterval = .seconds(60)
        configuration.standbyInterval = .milliseconds(100)
        configuration.firstReconnectDelay = .milliseconds(100)
        configuration.maximumReconnectDelay = .milliseconds(400)
        configuration.statusInterval = .seconds(1)
        configure(&configuration)
        let relay = try CDCRelay(database: kaiten.database, connection: connection, publisher: publisher, configuration: configuration)
        let group = ServiceGroup(configuration: .init(services: [relay], logger: logger))
        return RunningRelay(group: group, task: Task { try await group.run() })
    }

    /// Inserts one outbox row in its own transaction (or on `connection`); returns its id.
    @discardableResult
    func insert(_ id: UUID = UUID(), organization: String, on connection: PostgresConnection? = nil) async throws -> UUID {
        let query: PostgresQuery = """
            INSERT INTO outbox_events (id, organization_id, event_name, event_type, data, headers)
            VALUES (\(id), \(UUID(uuidString: organization)!), 'TEST_EVENT', 'com.kaiten.test.v1.event', '{"n": 1}', '{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}')
            """
        if let connection {
            try await connection.execute(query, logger: logger)
        } else {
            try await kaiten.database.execute(query, logger: logger)
        }
        return id
    }

    /// Writes an outbox row every few milliseconds, each in its own transaction, until stopped.
    func startWriting(organization: String) -> Writer {
        let task = Task {
            while !Task.isCancelled {
                do {
                    try await insert(organization: organization)
                } catch {
                    if Task.isCancelled { return }
                    throw error
                }
                try? await Task.sleep(for: .milliseconds(3))
            }
        }
        return Writer(task: task)
    }

    func outboxIDs() async throws -> [UUID] {
        try await kaiten.database.all("SELECT id FROM outbox_events", as: UUID.self, logger: logger)
    }

    /// Where the next WAL record will go: every transaction committed so far ends at or before it. (The write
    /// position can lag a commit that returned, since the test cluster commits asynchronously.)
    func walPosition() async throws -> String {
        try await kaiten.database.first("SELECT pg_current_wal_insert_lsn()::text", as: String.self, logger: logger) ?? "0/0"
    }

    /// Whether the slot's `confirmed_flush_lsn` is at or before `position`.
    func isConfirmed(atMost position: String) async throws -> Bool {
        try await kaiten.count(
            "SELECT count(*) FROM pg_replication_slots WHERE slot_name = \(slot) AND confirmed_flush_lsn <= \(position)::pg_lsn"
        ) == 1
    }

    func waitUntilConfirmed(past position: String) async throws {
        try await waitUntil {
            try await kaiten.count(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = \(slot) AND confirmed_flush_lsn > \(position)::pg_lsn") == 1
        }
    }

    /// Waits until the relay holds the slot and has published the backlog of a new slot.
    func waitUntilStreaming() async throws {
        try await waitUntil {
            try await kaiten.count(
                """
                SELECT count(*) FROM pg_replication_slots s JOIN outbox_relay_slots r ON r.slot_name = s.slot_name::text
                WHERE s.slot_name = \(slot) AND s.active AND r.backlog_published_at IS NOT NULL
                """
            ) == 1
        }
    }

    /// Waits until every outbox row was published by one of the recorders.
    func waitUntilPublished(by recorders: [Recorder]) async throws {
        try await waitUntil {
            var published: Set<String> = []
            for recorder in recorders { published.formUnion(await recorder.published.compactMap(\.messageID)) }
            return try await published.isSuperset(of: outboxIDs().map(\.lowercased))
        }
    }

    func waitUntil(within seconds: Int = 60, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool) async throws {
        try await eventually("the relay's condition", timeout: .seconds(seconds), sourceLocation: sourceLocation, condition)
    }

    /// Drops the slot once no relay holds it (slots are per cluster, so a leftover would use one up).
    func dropSlot() async throws {
        try await waitUntil {
            try await kaiten.count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = \(slot) AND active") == 0
        }
        try await kaiten.database.execute(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = \(slot)", logger: logger
        )
    }
}

struct RunningRelay {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// A graceful shutdown, as on SIGTERM.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// The relay dies without ceremony: its connections drop.
    func kill() async {
        task.cancel()
        _ = try? await task.value
    }
}

struct Writer {
    let task: Task<Void, any Error>

    func stop() async throws {
        task.cancel()
        try await task.value
    }
}
