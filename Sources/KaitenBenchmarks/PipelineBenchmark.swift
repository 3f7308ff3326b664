import AMQPClient
import AMQPProtocol
import EmbeddedServers
import Foundation
import KaitenApp
import KaitenCore
import KaitenMigrations
import KaitenPipeline
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// `kaiten bench pipeline`: how fast `kaiten relay` moves committed outbox events to RabbitMQ, and how long an
/// event takes from its commit to a consumer, next to what PostgreSQL itself does with the same rows.
///
/// One run, on a private PostgreSQL (durable by default) and a private RabbitMQ:
/// 1. writers commit outbox inserts, one event per transaction, as fast as they can, with nothing reading them
///    (baseline a);
/// 2. `pg_recvlogical` decodes those rows from a pgoutput slot of their own to /dev/null (baseline b);
/// 3. `kaiten relay` is started as its own process over the same rows and timed from the moment it streams to
///    the moment its slot has confirmed the last of them (every event confirmed by the broker);
/// 4. with the relay running, writers commit 1,000 events per second, and a consumer on the broker records when
///    each arrives: commit → consumer latency;
/// 5. the relay's peak resident memory is read from /proc;
/// 6. baseline (c), the broker's own limit: the same messages, published by a bare AMQP publisher with
///    pipelined confirms in the relay's batch size, to a queue of the same type, with no PostgreSQL involved.
package struct PipelineBenchmark: Sendable {
    package var dataDirectory: URL
    package var mode: RelayMode = .cdc
    package var queueType = KaitenExchange.QueueType.quorum
    package var writers = 8
    package var baselineDuration: Duration = .seconds(5)
    package var latencyRate = 1_000
    package var latencyDuration: Duration = .seconds(10)
    package var durable = true
    package var relayExecutable: URL
    package var pgRecvlogical = "/usr/lib/postgresql/15/bin/pg_recvlogical"

    static let database = "kaiten"
    static let queue = "bench-kaiten.events"
    static let recvlogicalSlot = "bench_recvlogical"

    package init(dataDirectory: URL, relayExecutable: URL) {
        self.dataDirectory = dataDirectory
        self.relayExecutable = relayExecutable
    }

    package struct Result: Sendable, CustomStringConvertible {
        package var mode: RelayMode
        package var events = 0
        package var commitRate = 0.0
        package var recvlogicalRate = 0.0
        package var relayRate = 0.0
        package var brokerRate = 0.0
        package var latency = LatencySample()
        package var latencyEventsPerSecond = 0.0
        package var relayPeakMemory = 0

        package var description: String {
            func rate(_ value: Double) -> String { String(format: "%8.0f events/s", value) }
            return """
                events                         \(events) (one per transaction)
                (a) outbox commits, no reader  \(rate(commitRate))
                (b) pg_recvlogical → /dev/null \(rate(recvlogicalRate))   \(String(format: "%.2f", recvlogicalRate / commitRate))× (a)
                kaiten relay (\(mode.rawValue)) → RabbitMQ  \(rate(relayRate))   \(String(format: "%.2f", relayRate / commitRate))× (a), \
                \(String(format: "%.2f", relayRate / recvlogicalRate))× (b), \(String(format: "%.2f", relayRate / brokerRate))× (c)   \
                goal ≥ 0.8× (a) and (c)
                (c) bare AMQP publisher        \(rate(brokerRate))   (same messages, pipelined confirms, no PostgreSQL)
                commit → consumer at \(String(format: "%.0f", latencyEventsPerSecond))/s   \
                p50 \(latency.milliseconds(0.50)), p99 \(latency.milliseconds(0.99)), max \(latency.milliseconds(1.0))   goal p99 ≤ 100 ms
                relay peak resident memory     \(String(format: "%.1f", Double(relayPeakMemory) / 1_048_576)) MiB   goal ≤ 64 MiB
                """
        }
    }

    package func run(logger: Logger) async throws -> Result {
        var configuration = EmbeddedPostgres.Configuration(
            dataDirectory: dataDirectory.appendingPathComponent("postgres"), port: try LoopbackPort.free())
        configuration.durable = durable
        let postgres = EmbeddedPostgres(configuration: configuration, logger: logger)
        let broker = RabbitMQBroker()
        try await postgres.start()
        do {
            let endpoint = try await broker.endpoint()
            let result = try await measure(postgres: postgres, broker: endpoint, logger: logger)
            await broker.stop()
            await postgres.stop()
            return result
        } catch {
            await broker.stop()
            await postgres.stop()
            throw error
        }
    }

    private func measure(postgres: EmbeddedPostgres, broker: RabbitMQBroker.Endpoint, logger: Logger) async throws -> Result {
        let port = postgres.configuration.port
        let user = postgres.configuration.superuser
        try await DatabaseProvisioning.ensureDatabase(Self.database, host: "127.0.0.1", port: port, user: user, logger: logger)
        let connection = PostgresClient.Configuration(
            host: "127.0.0.1", port: port, username: user, password: nil, database: Self.database, tls: .disable)
        let amqp = AMQPConfiguration(host: broker.host, port: broker.port, connectionName: "kaiten-bench")
        var pool = connection
        pool.options.maximumConnections = writers + 2
        return try await CompositionRoot.withDatabase(pool, logger: logger) { database in
            try await Migrator().migrate(database.client, logger: logger)
            let organization = try await Self.prepare(database, amqp: amqp, queueType: queueType, logger: logger)
            let arrivals = try await Arrivals.consume(amqp, queue: Self.queue, logger: logger)

            var result = Result(mode: mode)
            let baseline = try await commitAtFullSpeed(database, organization: organization)
            result.events = baseline.events
            result.commitRate = Double(baseline.events) / baseline.seconds
            let end = try await database.first("SELECT pg_current_wal_lsn()::text", as: String.self, logger: logger) ?? "0/0"
            // pg_recvlogical runs to completion in a blocking call, which belongs on a thread of its own.
            let spawner = DedicatedThreadExecutor()
            defer { spawner.shutdown() }
            let decoding = try await withTaskExecutorPreference(spawner) { try recvlogical(port: port, user: user, endPosition: end) }
            result.recvlogicalRate = Double(baseline.events) / decoding

            let relay = try startRelay(database: connection, amqp: broker)
            do {
                result.relayRate = Double(baseline.events) / (try await timeRelay(database, events: baseline.events, end: end, relay: relay))
                try await arrivals.waitForCount(baseline.events, timeout: .seconds(120))
                let paced = try await commitPaced(database, organization: organization, arrivals: arrivals)
                result.latency = paced.latency
                result.latencyEventsPerSecond = paced.rate
                result.relayPeakMemory = Self.peakResidentMemory(of: relay.processIdentifier)
            } catch {
                relay.terminate()
                await arrivals.stop()
                throw error
            }
            relay.terminate()
            relay.waitUntilExit()
            await arrivals.stop()
            result.brokerRate = Double(baseline.events) / (try await publishBare(baseline.events, amqp: amqp))
            return result
        }
    }

    /// Baseline (c): seconds a bare publisher takes to have `count` relay-shaped messages confirmed, in batches of
    /// the relay's size, to an exchange and queue of their own (the relay's queue keeps its count).
    private func publishBare(_ count: Int, amqp: AMQPConfiguration) async throws -> Double {
        let exchange = "bench.bare"
        let connection = try await AMQPConnection.connect(amqp, logger: Logger(label: "kaiten.bench"))
        let channel = try await connection.openChannel()
        try await AMQPTopology(
            exchanges: [ExchangeDeclare(exchange: exchange, type: "fanout")],
            queues: [QueueDeclare(queue: exchange, arguments: ["x-queue-type": .string(queueType.rawValue)])],
            bindings: [QueueBind(queue: exchange, exchange: exchange)]
        ).declare(on: channel)
        try await channel.confirmSelect()
        let record = OutboxRecord(
            id: UUID(), organizationID: UUID(), eventName: "CUSTOMER_CREATED", eventType: "com.kaiten.customer.v1.created",
            occurredAt: Date(), data: ["name": "Bench", "slug": "bench"], headers: [:]
        )
        let envelope = CloudEventEnvelope(record: record, position: "lsn:0/0")
        let message = AMQPOutgoingMessage(body: ByteBuffer(bytes: envelope.bytes), properties: RabbitMQPublisher.properties(of: envelope))
        let batch = CDCRelay.Configuration().batchSize
        let clock = ContinuousClock()
        let start = clock.now
        for sent in stride(from: 0, to: count, by: batch) {
            try await channel.publish(Array(repeating: message, count: min(batch, count - sent)), exchange: exchange)
        }
        let seconds = (clock.now - start).seconds
        try await connection.close()
        return seconds
    }

    /// The publication and both slots exist before the first write, so the relay and `pg_recvlogical` decode
    /// exactly the rows of the baseline; the broker's exchange has a queue, so the relay's messages are kept.
    private static func prepare(
        _ database: Database, amqp: AMQPConfiguration, queueType: KaitenExchange.QueueType, logger: Logger
    ) async throws -> UUID {
        let relaying = CDCRelay.Configuration()
        let organization = UUID()
        try await database.execute(
            "INSERT INTO organization (id, external_id, name) VALUES (\(organization), 'bench', 'Bench')",
            logger: logger
        )
        for statement in [
            "CREATE PUBLICATION \(relaying.publication) FOR TABLE public.outbox_events WITH (publish = 'insert')",
            "SELECT pg_create_logical_replication_slot('\(relaying.slot)', 'pgoutput')",
            "SELECT pg_create_logical_replication_slot('\(recvlogicalSlot)', 'pgoutput')",
        ] {
            try await database.execute(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
        let broker = try await AMQPConnection.connect(amqp, logger: logger)
        let channel = try await broker.openChannel()
        let exchange = KaitenExchange.standard
        try await AMQPTopology(
            exchanges: [ExchangeDeclare(exchange: exchange.name, type: "fanout")],
            queues: [QueueDeclare(queue: queue, arguments: ["x-queue-type": .string(queueType.rawValue)])],
            bindings: [QueueBind(queue: queue, exchange: exchange.name)]
        ).declare(on: channel)
        try await broker.close()
        return organization
    }

    private static func insert(_ organization: UUID, on connection: PostgresConnection, logger: Logger) async throws -> UUID? {
        try await connection.first(
            """
            INSERT INTO outbox_events (organization_id, event_name, event_type, data)
            VALUES (\(organization), 'CUSTOMER_CREATED', 'com.kaiten.customer.v1.created', '{"name":"Bench","slug":"bench"}')
            RETURNING id
            """,
            as: UUID.self,
            logger: logger
        )
    }

    /// Baseline (a): `writers` connections committing one insert after another.
    private func commitAtFullSpeed(_ database: Database, organization: UUID) async throws -> (events: Int, seconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + baselineDuration
        let events = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    try await database.client.withConnection { connection in
                        var committed = 0
                        while clock.now < deadline {
                            _ = try await Self.insert(organization, on: connection, logger: database.logger)
                            committed += 1
                        }
                        return committed
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        return (events, (clock.now - start).seconds)
    }

    /// Baseline (b): seconds `pg_recvlogical` takes to decode its slot up to `endPosition`.
    private func recvlogical(port: Int, user: String, endPosition: String) throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        _ = try ExternalCommand.run(
            pgRecvlogical,
            [
                "-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", Self.database, "--slot", Self.recvlogicalSlot,
                "--start", "--endpos", endPosition, "--no-loop", "-o", "proto_version=1",
                "-o", "publication_names=\(CDCRelay.Configuration().publication)", "-f", "/dev/null",
            ]
        )
        return (clock.now - start).seconds
    }

    private func startRelay(database: PostgresClient.Configuration, amqp: RabbitMQBroker.Endpoint) throws -> Process {
        let process = Process()
        process.executableURL = relayExecutable
        process.arguments = ["relay", "--mode", mode.rawValue]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "KAITEN_DATABASE_URL": "postgres://\(database.username)@127.0.0.1:\(database.port ?? 5432)/\(Self.database)",
            "KAITEN_AMQP_URL": "amqp://guest:guest@\(amqp.host):\(amqp.port)/",
        ]) { _, benchmark in benchmark }
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Seconds from the relay's first published event to its last: in CDC mode, from the slot becoming active
    /// to the slot confirming the baseline's last commit; in poll mode, from the first row marked published to
    /// the last.
    private func timeRelay(_ database: Database, events: Int, end: String, relay: Process) async throws -> Double {
        let started: PostgresQuery
        let finished: PostgresQuery
        switch mode {
        case .cdc:
            let slot = CDCRelay.Configuration().slot
            started = "SELECT active FROM pg_replication_slots WHERE slot_name = \(slot)"
            finished = "SELECT confirmed_flush_lsn >= \(end)::pg_lsn FROM pg_replication_slots WHERE slot_name = \(slot)"
        case .poll:
            started = "SELECT EXISTS (SELECT 1 FROM outbox_events WHERE published_at IS NOT NULL)"
            finished = "SELECT NOT EXISTS (SELECT 1 FROM outbox_events WHERE published_at IS NULL)"
        }
        func reached(_ query: PostgresQuery) async throws -> ContinuousClock.Instant {
            try await poll("the relay did not publish \(events) events within 300 s", every: .milliseconds(5), timeout: .seconds(300)) {
                guard relay.isRunning else { throw BenchmarkError.relayStopped(relay.terminationStatus) }
                return try await database.first(query, as: Bool.self, logger: database.logger) ?? false
            }
        }
        let start = try await reached(started)
        return (try await reached(finished) - start).seconds
    }

    /// Commits at `latencyRate` events per second, each in its own transaction, and measures commit → arrival.
    private func commitPaced(_ database: Database, organization: UUID, arrivals: Arrivals) async throws -> (latency: LatencySample, rate: Double) {
        let clock = ContinuousClock()
        let writerCount = min(writers, 4)
        let interval = Duration.seconds(Double(writerCount) / Double(latencyRate))
        let start = clock.now
        let deadline = start + latencyDuration
        let commits = try await withThrowingTaskGroup(of: [(UUID, ContinuousClock.Instant)].self) { group in
            for writer in 0..<writerCount {
                group.addTask {
                    try await database.client.withConnection { connection in
                        var committed: [(UUID, ContinuousClock.Instant)] = []
                        var next = start + interval * (Double(writer) / Double(writerCount))
                        while next < deadline {
                            try await Task.sleep(until: next, clock: clock)
                            if let id = try await Self.insert(organization, on: connection, logger: database.logger) {
                                committed.append((id, clock.now))
                            }
                            next += interval
                        }
                        return committed
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let rate = Double(commits.count) / (clock.now - start).seconds
        var latency = LatencySample()
        for (id, committed) in commits {
            let arrived = try await arrivals.arrival(of: id.lowercased, timeout: .seconds(30))
            latency.record(arrived - committed)
        }
        return (latency, rate)
    }

    /// The peak resident set (`VmHWM`) of a process, in bytes.
    static func peakResidentMemory(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        return (Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0) * 1024
    }
}

/// When each message reached a consumer of the benchmark's queue, by message id (the outbox row's id).
final class Arrivals: Sendable {
    private let times = Mutex<[String: ContinuousClock.Instant]>([:])
    private let connection: AMQPConnection

    private init(connection: AMQPConnection) {
        self.connection = connection
    }

    static func consume(_ configuration: AMQPConfiguration, queue: String, logger: Logger) async throws -> Arrivals {
        let connection = try await AMQPConnection.connect(configuration, logger: logger)
        let channel = try await connection.openChannel()
        try await channel.basicQos(prefetchCount: 2_000)
        let consumer = try await channel.consume(queue: queue)
        let arrivals = Arrivals(connection: connection)
        Task { await arrivals.read(consumer) }
        return arrivals
    }

    /// Acknowledges in groups, so the consumer costs the broker little and never holds back what it measures.
    private func read(_ consumer: AMQPConsumer) async {
        let clock = ContinuousClock()
        var unacknowledged = 0
        do {
            for try await delivery in consumer {
                let now = clock.now
                times.withLock { $0[delivery.properties.messageID ?? ""] = now }
                unacknowledged += 1
                if unacknowledged == 500 {
                    try await delivery.channel.ack(deliveryTag: delivery.deliveryTag, multiple: true)
                    unacknowledged = 0
                }
            }
        } catch {
            // The connection closed: the benchmark is over.
        }
    }

    func waitForCount(_ count: Int, timeout: Duration) async throws {
        try await poll("fewer than \(count) events reached the consumer", every: .milliseconds(10), timeout: timeout) {
            times.withLock { $0.count } >= count
        }
    }

    func arrival(of id: String, timeout: Duration) async throws -> ContinuousClock.Instant {
        try await poll("event \(id) never reached the consumer", every: .milliseconds(10), timeout: timeout) {
            times.withLock { $0[id] } != nil
        }
        return times.withLock { $0[id] }!
    }

    func stop() async {
        try? await connection.close()
    }
}
