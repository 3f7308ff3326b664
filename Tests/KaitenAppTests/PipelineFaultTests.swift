import AMQPClient
import AMQPProtocol
import EmbeddedServers
import Foundation
import KaitenCore
import KaitenPipeline
import Logging
import PostgresNIO
import Testing

/// `kaiten relay`, `kaiten worker` and RabbitMQ as separate processes, one of them killed with SIGKILL in the
/// middle of a stream of 10,000 events and started again: every event reaches the audit trail, and the
/// duplicates each side saw are counted and stay within the window that was unconfirmed at the kill — the
/// relay's batch in flight when it was killed and every batch whose publish failed, the worker's prefetch for
/// a worker or broker crash. The worker's queue is a quorum queue, which logs acknowledgements before they
/// take effect; a classic queue would not keep that bound through a broker crash.
@Suite("Pipeline faults: kill -9 mid-stream", .serialized, .timeLimit(.minutes(6)))
struct PipelineFaultTests {
    enum Victim: String, Sendable {
        case relay, worker, broker
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        let victim: Victim
        let mode: RelayMode

        var testDescription: String { "kill -9 the \(victim.rawValue) (\(mode.rawValue) relay)" }
    }

    static let eventCount = 10_000
    /// The relay's batch (`PollingRelay`/`CDCRelay` default): what killing it can make it publish twice.
    static let relayBatch = 500
    /// The worker's prefetch (`RabbitMQWorker` default): what one crash can make the broker deliver twice.
    static let workerPrefetch = 100
    static let observerQueue = "fault-observer"

    static let logger: Logger = {
        var logger = Logger(label: "kaiten.fault.tests")
        logger.logLevel = .error
        return logger
    }()

    @Test(arguments: [
        Scenario(victim: .relay, mode: .poll),
        Scenario(victim: .relay, mode: .cdc),
        Scenario(victim: .worker, mode: .poll),
        Scenario(victim: .broker, mode: .cdc),
    ])
    func everyEventIsConsumedAfterACrash(_ scenario: Scenario) async throws {
        try await TestKaiten.run { kaiten in
            let organization = try #require(UUID(uuidString: try await kaiten.organization().id))
            let broker = RabbitMQBroker()
            let endpoint = try await broker.endpoint()
            let amqp = AMQPConfiguration(host: endpoint.host, port: endpoint.port, connectionName: "kaiten-fault-tests")
            try await Self.declareQueues(amqp)
            let environment = [
                "KAITEN_DATABASE_URL": kaiten.databaseConfiguration.url,
                "KAITEN_AMQP_URL": "amqp://guest:guest@\(endpoint.host):\(endpoint.port)/",
                "KAITEN_RELAY_SLOT": "kaiten_fault_\(UUID().uuidString.prefix(8).lowercased())",
            ]
            let relayArguments = ["relay", "--mode", scenario.mode.rawValue, "--log-level", "info"]
            let workerArguments = ["worker", "--log-level", "info"]
            var relay = try KaitenProcess.start("relay", arguments: relayArguments, environment: environment)
            var worker = try KaitenProcess.start("worker", arguments: workerArguments, environment: environment)
            var processes = [relay, worker]
            do {
                let writer = Task { try await Self.writeEvents(into: kaiten.database, organization: organization) }
                try await eventually("a third of the stream consumed", timeout: .seconds(120)) {
                    try await Self.consumed(kaiten) >= Self.eventCount / 3
                }
                switch scenario.victim {
                case .relay:
                    await relay.stop(SIGKILL)
                    relay = try KaitenProcess.start("relay", arguments: relayArguments, environment: environment)
                    processes.append(relay)
                case .worker:
                    await worker.stop(SIGKILL)
                    worker = try KaitenProcess.start("worker", arguments: workerArguments, environment: environment)
                    processes.append(worker)
                case .broker:
                    await broker.kill()
                    try await Task.sleep(for: .seconds(1))
                    try await broker.restart()
                }
                try await writer.value
                try await eventually("all \(Self.eventCount) events consumed", reaches: Self.eventCount) {
                    try await Self.consumed(kaiten)
                }
                #expect(
                    try await kaiten.count(
                        """
                        SELECT count(*) FROM outbox_events o
                        WHERE o.event_name = 'CUSTOMER_CREATED' AND NOT EXISTS (SELECT 1 FROM audit_trail a WHERE a.id = o.id)
                        """
                    ) == 0,
                    "no event lost"
                )
                await relay.stop()
                await worker.stop()
                #expect(relay.terminationStatus == 0 && worker.terminationStatus == 0, "SIGTERM stops both cleanly")

                let workerDuplicates = try #require(
                    worker.logged("kaiten.duplicates").last.flatMap { Int($0) }, "the worker logs its statistics on SIGTERM")
                let published = try await Self.drainObserver(amqp)
                let relayDuplicates = published.total - published.distinct
                // Every batch the relay published unconfirmed may reach the broker twice: the one in flight when a
                // relay was killed, and each one whose publish failed (the relay logs its size as it loses the stream).
                let failedPublishes = relay.logged("kaiten.count", onLinesContaining: "the relay lost its stream").compactMap {
                    Int($0)
                }
                let unconfirmedWindow = (scenario.victim == .relay ? Self.relayBatch : 0) + failedPublishes.reduce(0, +)
                print(
                    "\(scenario.testDescription): relay published \(published.total) (\(relayDuplicates) duplicates, "
                        + "\(failedPublishes.count) failed publishes of \(failedPublishes)); worker skipped \(workerDuplicates) duplicates"
                )
                #expect(published.distinct == Self.eventCount + 1, "every event published (and the token event before them)")
                // The worker sees the relay's duplicates again, and a dead worker or broker adds at most the prefetch
                // window of unacknowledged deliveries.
                let redeliveryWindow = scenario.victim == .relay ? 0 : Self.workerPrefetch
                #expect(relayDuplicates <= unconfirmedWindow)
                #expect(workerDuplicates <= relayDuplicates + redeliveryWindow)
            } catch {
                print("— state at failure —")
                print("consumed \(try await Self.consumed(kaiten)) of \(Self.eventCount)")
                let slots = try await kaiten.database.all(
                    "SELECT slot_name, active, confirmed_flush_lsn::text, pg_current_wal_lsn()::text FROM pg_replication_slots",
                    as: (String, Bool, String, String).self, logger: kaiten.database.logger
                )
                print("slots \(slots)")
                if let queues = try? await Self.queueDepths(amqp) { print("queues \(queues)") }
                for process in processes {
                    await process.stop(SIGKILL)
                    print("— \(process.name) log —\n\(process.log.suffix(4_000))")
                }
                await broker.stop()
                throw error
            }
            await broker.stop()
        }
    }

    static func consumed(_ kaiten: TestKaiten) async throws -> Int {
        try await kaiten.count("SELECT count(*) FROM audit_trail WHERE event_name = 'CUSTOMER_CREATED'")
    }

    /// The worker's queue, and an observer queue on the same exchange that nobody consumes during the test:
    /// afterwards it holds exactly what the relay published, duplicates included.
    static func declareQueues(_ configuration: AMQPConfiguration) async throws {
        let connection = try await AMQPConnection.connect(configuration, logger: logger)
        let channel = try await connection.openChannel()
        try await RabbitMQWorker.topology(RabbitMQWorker.Configuration()).declare(on: channel)
        _ = try await channel.queueDeclare(QueueDeclare(queue: observerQueue))
        try await channel.queueBind(QueueBind(queue: observerQueue, exchange: KaitenExchange.standard.name))
        try await connection.close()
    }

    static func queueDepths(_ configuration: AMQPConfiguration) async throws -> [String: (messages: UInt32, consumers: UInt32)] {
        let connection = try await AMQPConnection.connect(configuration, logger: logger)
        let channel = try await connection.openChannel()
        var depths: [String: (messages: UInt32, consumers: UInt32)] = [:]
        for queue in [KaitenExchange.standard.queue(consumerID: "kaiten-worker"), observerQueue] {
            let declared = try await channel.queueDeclare(QueueDeclare(queue: queue, passive: true))
            depths[queue] = (declared.messageCount, declared.consumerCount)
        }
        try await connection.close()
        return depths
    }

    /// 10,000 events in 100 transactions, as a busy API would commit them.
    static func writeEvents(into database: Database, organization: UUID) async throws {
        for batch in 0..<(eventCount / 100) {
            try await database.client.query(
                """
                INSERT INTO outbox_events (organization_id, event_name, event_type, data)
                SELECT \(organization), 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created', jsonb_build_object('batch', \(batch), 'n', n)
                FROM generate_series(1, 100) AS n
                """,
                logger: database.logger
            )
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Reads the observer queue to the end: how many messages the relay published, and how many distinct events.
    static func drainObserver(_ configuration: AMQPConfiguration) async throws -> (total: Int, distinct: Int) {
        let connection = try await AMQPConnection.connect(configuration, logger: logger)
        let channel = try await connection.openChannel()
        try await channel.basicQos(prefetchCount: 1_000)
        let expected = try await channel.queueDeclare(QueueDeclare(queue: observerQueue, passive: true)).messageCount
        var ids: [String] = []
        var iterator = try await channel.consume(queue: observerQueue).makeAsyncIterator()
        while ids.count < Int(expected), let delivery = try await iterator.next() {
            ids.append(delivery.properties.messageID ?? "")
            try await delivery.ack()
        }
        try await connection.close()
        return (ids.count, Set(ids).count)
    }
}
