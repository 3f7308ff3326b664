import AMQPClient
import AMQPProtocol
import EmbeddedServers
import Foundation
import HTTPTypes
import KaitenAuditTrail
import KaitenCore
import KaitenPipeline
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Testing

/// The whole way through a real RabbitMQ: API write → outbox → polling relay → `kaiten.events` → worker →
/// consumers. Each test has its own exchange on the shared test broker, so tests never see each other's events.
@Suite("RabbitMQ transport", .timeLimit(.minutes(3)))
struct RabbitMQTransportTests {
    static let logger: Logger = {
        var logger = Logger(label: "kaiten.transport.tests")
        logger.logLevel = .error
        return logger
    }()

    /// Records what reaches it, so a test sees the headers a consumer was handed; fails its first `failures`
    /// calls, as a consumer does while its database is unreachable.
    final class Recorder: EventConsumer {
        struct Refused: Error {}

        let name: String
        private let seen = Mutex<[ConsumedEvent]>([])
        private let failuresLeft: Mutex<Int>

        init(name: String = "recorder", failures: Int = 0) {
            self.name = name
            self.failuresLeft = Mutex(failures)
        }

        func accepts(_ event: EventType) -> Bool { true }

        func consume(_ event: ConsumedEvent, on connection: PostgresConnection, logger: Logger) async throws {
            let refuse = failuresLeft.withLock { left in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            if refuse { throw Refused() }
            seen.withLock { $0.append(event) }
        }

        var events: [ConsumedEvent] { seen.withLock { $0 } }
    }

    struct Worker {
        let worker: RabbitMQWorker
        let dispatcher: EventDispatcher
    }

    struct Pipeline {
        let exchange: KaitenExchange
        let configuration: AMQPConfiguration
        let workers: [Worker]
    }

    /// Runs a relay and `workerCount` workers of one consumer group around `body`, then shuts them down
    /// gracefully. The group's queue is declared before anything is published, as a deployment does by
    /// starting its workers first.
    static func withPipeline(
        _ kaiten: TestKaiten, workerCount: Int = 1, consumers: @escaping @Sendable (Database) -> [any EventConsumer],
        _ body: (Pipeline) async throws -> Void
    ) async throws {
        let endpoint = try await RabbitMQBroker.shared.endpoint()
        let configuration = AMQPConfiguration(host: endpoint.host, port: endpoint.port, connectionName: "kaiten-transport-tests")
        let exchange = KaitenExchange(name: "kaiten.events.\(UUID().uuidString.prefix(8).lowercased())")
        var consuming = RabbitMQWorker.Configuration()
        consuming.exchange = exchange
        consuming.retryDelay = .milliseconds(50)
        let setup = try await AMQPConnection.connect(configuration, logger: logger)
        try await RabbitMQWorker.topology(consuming).declare(on: try await setup.openChannel())
        try await setup.close()

        let publishing = AMQPConnectionService(configuration: configuration, topology: exchange.publisherTopology, logger: logger)
        var relaying = PollingRelay.Configuration()
        relaying.idleInterval = .milliseconds(20)
        var services: [any Service] = [publishing]
        var workers: [Worker] = []
        for _ in 0..<workerCount {
            let connection = AMQPConnectionService(configuration: configuration, topology: RabbitMQWorker.topology(consuming), logger: logger)
            let dispatcher = EventDispatcher(database: kaiten.database, consumers: consumers(kaiten.database))
            let worker = RabbitMQWorker(connection: connection, dispatcher: dispatcher, configuration: consuming, logger: logger)
            services += [connection, worker]
            workers.append(Worker(worker: worker, dispatcher: dispatcher))
        }
        services.append(
            PollingRelay(database: kaiten.database, publisher: RabbitMQPublisher(connection: publishing, exchange: exchange), configuration: relaying)
        )
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body(Pipeline(exchange: exchange, configuration: configuration, workers: workers))
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func apiWritesReachTheAuditTrailThroughTheBrokerWithTheirTraceContext() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let recorder = Recorder()
            try await Self.withPipeline(kaiten, consumers: { [AuditTrailModule(database: $0).consumer, recorder] }) { _ in
                let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                var headers = HTTPFields()
                headers[HTTPField.Name("traceparent")!] = traceparent
                for name in ["Acme", "Globex", "Initech"] {
                    let created = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": .string(name)], headers: headers)
                    #expect(created.status == .created)
                }
                // Each consumer commits its own inbox transaction: wait for both, not for one and then read the other.
                try await eventually("three customers in the audit trail and the recorder") {
                    try await kaiten.count("SELECT count(*) FROM audit_trail WHERE event_name = 'CUSTOMER_CREATED'") == 3
                        && recorder.events.filter { $0.event.name == "CUSTOMER_CREATED" }.count == 3
                }
                let customerEvents = recorder.events.filter { $0.event.name == "CUSTOMER_CREATED" }
                #expect(
                    customerEvents.allSatisfy {
                        $0.headers["traceparent"] == traceparent && $0.organizationID.lowercased == organization.lowercased()
                    })
                // The relay marks rows published after the broker's confirm, which can be after the worker consumed them.
                try await eventually("the relay marked every row published") {
                    try await kaiten.count("SELECT count(*) FROM outbox_events WHERE published_at IS NULL") == 0
                }
            }
        }
    }

    @Test func aMalformedMessageIsDeadLetteredWithItsReasonAndTheQueueMovesOn() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            try await Self.withPipeline(kaiten, consumers: { [AuditTrailModule(database: $0).consumer] }) { pipeline in
                let connection = try await AMQPConnection.connect(pipeline.configuration, logger: Self.logger)
                let channel = try await connection.openChannel()
                try await channel.publish(ByteBuffer(string: "{\"specversion\": \"1.0\", \"id\": "), exchange: pipeline.exchange.name)
                _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "After the bad one"])
                try await eventually("the event behind the malformed message is consumed") {
                    try await kaiten.count("SELECT count(*) FROM audit_trail WHERE event_name = 'CUSTOMER_CREATED'") == 1
                }
                let deadLetters = try await channel.consume(queue: pipeline.exchange.deadLetterQueue(consumerID: "kaiten-worker"))
                var iterator = deadLetters.makeAsyncIterator()
                let deadLetter = try #require(try await iterator.next())
                try await deadLetter.ack()
                #expect(String(buffer: deadLetter.body) == "{\"specversion\": \"1.0\", \"id\": ")
                guard case .string(let reason)? = deadLetter.properties.headers?[RabbitMQWorker.deadLetterReasonHeader] else {
                    Issue.record("the dead letter carries no reason")
                    return
                }
                #expect(!reason.isEmpty)
                // The worker counts a dead letter after publishing it, so it can arrive before it is counted.
                try await eventually("the dead letter counted") {
                    pipeline.workers[0].worker.statistics.deadLettered.load(ordering: .relaxed) == 1
                }
                try await connection.close()
            }
        }
    }

    @Test func aFailingConsumerIsRetriedInPlaceAndTheOrganizationsLaterEventsWait() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let recorder = Recorder(failures: 3)
            try await Self.withPipeline(kaiten, consumers: { _ in [recorder] }) { pipeline in
                for name in ["Acme", "Globex", "Initech"] {
                    _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": .string(name)])
                }
                try await eventually("all three customers consumed despite the failures") {
                    recorder.events.filter { $0.event.name == "CUSTOMER_CREATED" }.count == 3
                }
                let names = recorder.events.filter { $0.event.name == "CUSTOMER_CREATED" }.map { $0.data["name"]?.stringValue }
                #expect(names == ["Acme", "Globex", "Initech"], "the organization's events are consumed in commit order")
                let worker = pipeline.workers[0].worker
                #expect(worker.statistics.retried.load(ordering: .relaxed) == 3)
                #expect(worker.statistics.deadLettered.load(ordering: .relaxed) == 0)
            }
        }
    }

    @Test func aWorkerRetryingAnEventStillShutsDownAndLeavesItQueued() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let recorder = Recorder(failures: .max)
            var queue: (name: String, configuration: AMQPConfiguration)?
            try await Self.withPipeline(kaiten, consumers: { _ in [recorder] }) { pipeline in
                queue = (pipeline.exchange.queue(consumerID: RabbitMQWorker.Configuration().consumerID), pipeline.configuration)
                _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme"])
                try await eventually("the worker retries") { pipeline.workers[0].worker.statistics.retried.load(ordering: .relaxed) >= 2 }
            }
            let (name, configuration) = try #require(queue)
            let connection = try await AMQPConnection.connect(configuration, logger: Self.logger)
            let left = try await connection.openChannel().queueDeclare(QueueDeclare(queue: name, passive: true))
            try await connection.close()
            // The event being retried, and the organization's events behind it, wait for the next worker.
            #expect(Int(left.messageCount) == (try await kaiten.count("SELECT count(*) FROM outbox_events")))
        }
    }

    @Test func anEventOfAnUnknownTypeIsAcknowledgedAndCounted() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            try await kaiten.database.client.query(
                """
                INSERT INTO outbox_events (organization_id, event_name, event_type, data)
                VALUES (\(UUID(uuidString: organization)!), 'FUTURE_THING_HAPPENED', 'com.kaiten.future.v9.happened', '{}')
                """,
                logger: kaiten.database.logger
            )
            try await Self.withPipeline(kaiten, consumers: { [AuditTrailModule(database: $0).consumer] }) { pipeline in
                _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Known"])
                try await eventually("the known event behind the unknown one is consumed") {
                    try await kaiten.count("SELECT count(*) FROM audit_trail WHERE event_name = 'CUSTOMER_CREATED'") == 1
                }
                let worker = pipeline.workers[0]
                #expect(worker.dispatcher.statistics.unknownTypes.load(ordering: .relaxed) == 1)
                #expect(worker.worker.statistics.deadLettered.load(ordering: .relaxed) == 0)
                #expect(worker.worker.statistics.retried.load(ordering: .relaxed) == 0)
                #expect(try await kaiten.count("SELECT count(*) FROM audit_trail WHERE event_name = 'FUTURE_THING_HAPPENED'") == 0)
            }
        }
    }

    @Test func competingWorkersShareTheQueueAndConsumeEveryEventOnce() async throws {
        try await TestKaiten.run { kaiten in
            let organizations = try await (0..<4).asyncMap { _ in try await kaiten.organization().id }
            try await Self.withPipeline(kaiten, workerCount: 2, consumers: { [AuditTrailModule(database: $0).consumer] }) { pipeline in
                for organization in organizations {
                    try await kaiten.database.client.query(
                        """
                        INSERT INTO outbox_events (organization_id, event_name, event_type, data)
                        SELECT \(UUID(uuidString: organization)!), 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created', jsonb_build_object('n', n)
                        FROM generate_series(1, 100) AS n
                        """,
                        logger: kaiten.database.logger
                    )
                }
                let events = try await kaiten.count("SELECT count(*) FROM outbox_events")
                // A dispatcher counts an event after its transaction committed: wait for the rows and the counts.
                try await eventually("every event in the audit trail and counted") {
                    let processed = pipeline.workers.map { $0.dispatcher.statistics.processed.load(ordering: .relaxed) }.reduce(0, +)
                    return try await kaiten.count("SELECT count(*) FROM audit_trail") == events && processed == events
                }
                #expect(try await kaiten.count("SELECT count(*) FROM audit_trail WHERE event_name = 'CUSTOMER_CREATED'") == 400)
                let processed = pipeline.workers.map { $0.dispatcher.statistics.processed.load(ordering: .relaxed) }
                #expect(processed.reduce(0, +) == events, "each event processed once: \(processed)")
                #expect(processed.allSatisfy { $0 > 0 }, "both workers took a share: \(processed)")
            }
        }
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { try await results.append(transform(element)) }
        return results
    }
}
