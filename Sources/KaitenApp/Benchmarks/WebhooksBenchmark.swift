import EmbeddedServers
import Foundation
import Hummingbird
import KaitenCore
import KaitenMigrations
import KaitenWebhooks
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// `kaiten bench webhooks`: signed deliveries per second from the delivery service to local receivers, once
/// with ten healthy endpoints and once with one of them answering in 5 s, and how much of the healthy
/// endpoints' throughput survives the slow one; then once with one of them throttled, and how close its
/// rate comes to its `throttleRate`.
///
/// Each run gets a fresh database with one organization, ten endpoints and a backlog of `messages` events
/// fanned out to all of them by the webhook consumer; the delivery service then runs for `duration` (or,
/// unless one endpoint is throttled, until the healthy endpoints have everything) while the receivers count
/// what arrives.
public struct WebhooksBenchmark: Sendable {
    public var dataDirectory: URL
    public var endpoints = 10
    public var messages = 3000
    public var duration: Duration = .seconds(10)
    public var slowAnswer: Duration = .seconds(5)
    public var throttleRate = 50

    /// What the first endpoint does in a run; the others are healthy.
    enum Variant {
        case healthy
        case slow
        case throttled(Int)
    }

    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    public struct Run: Sendable {
        public let healthyEndpoints: Int
        public let healthyDeliveries: Int
        /// The slow or throttled endpoint's deliveries.
        public let otherDeliveries: Int
        public let seconds: Double

        public var healthyPerSecond: Double { Double(healthyDeliveries) / seconds }
        public var perHealthyEndpoint: Double { healthyPerSecond / Double(healthyEndpoints) }
    }

    public struct Result: Sendable, CustomStringConvertible {
        public let allHealthy: Run
        public let oneSlow: Run
        public let slowAnswer: Duration
        public let oneThrottled: Run
        public let throttleRate: Int

        /// The healthy endpoints' per-endpoint throughput with the slow one, over the all-healthy run's.
        public var ratio: Double { oneSlow.perHealthyEndpoint / allHealthy.perHealthyEndpoint }
        /// The throttled endpoint's deliveries per second.
        public var throttledPerSecond: Double { Double(oneThrottled.otherDeliveries) / oneThrottled.seconds }

        public var description: String {
            func line(_ run: Run) -> String {
                String(format: "%.0f deliveries/s (%.0f per endpoint, %d in %.1f s)", run.healthyPerSecond, run.perHealthyEndpoint, run.healthyDeliveries, run.seconds)
            }
            return """
                all \(allHealthy.healthyEndpoints) healthy       \(line(allHealthy))
                one slow (\(slowAnswer))   healthy \(oneSlow.healthyEndpoints): \(line(oneSlow)); the slow one: \(oneSlow.otherDeliveries)
                ratio               \(String(format: "%.3f", ratio)) of the all-healthy per-endpoint throughput
                one throttled       \(String(format: "%.1f", throttledPerSecond))/s (\(oneThrottled.otherDeliveries) in \(String(format: "%.1f", oneThrottled.seconds)) s) \
                at throttleRate \(throttleRate): \(String(format: "%.3f", throttledPerSecond / Double(throttleRate))) of it; healthy \(oneThrottled.healthyEndpoints): \(line(oneThrottled))
                """
        }
    }

    public func run(logger: Logger) async throws -> Result {
        let configuration = EmbeddedPostgres.Configuration(dataDirectory: dataDirectory.appendingPathComponent("postgres"), port: try LoopbackPort.free())
        let postgres = EmbeddedPostgres(configuration: configuration, logger: logger)
        try await postgres.start()
        do {
            let receivers = Receivers(slowAnswer: slowAnswer)
            let result = try await receivers.serving(logger: logger) { port in
                let allHealthy = try await measure(.healthy, postgres: postgres, database: "healthy", receiverPort: port, receivers: receivers, logger: logger)
                let oneSlow = try await measure(.slow, postgres: postgres, database: "one_slow", receiverPort: port, receivers: receivers, logger: logger)
                let oneThrottled = try await measure(
                    .throttled(throttleRate), postgres: postgres, database: "one_throttled", receiverPort: port, receivers: receivers, logger: logger
                )
                return Result(allHealthy: allHealthy, oneSlow: oneSlow, slowAnswer: slowAnswer, oneThrottled: oneThrottled, throttleRate: throttleRate)
            }
            await postgres.stop()
            return result
        } catch {
            await postgres.stop()
            throw error
        }
    }

    private func measure(_ variant: Variant, postgres: EmbeddedPostgres, database name: String, receiverPort: Int, receivers: Receivers, logger: Logger)
        async throws -> Run
    {
        let port = postgres.configuration.port
        let user = postgres.configuration.superuser
        try await DatabaseProvisioning.ensureDatabase(name, host: "127.0.0.1", port: port, user: user, logger: logger)
        let client = PostgresClient(
            configuration: .init(host: "127.0.0.1", port: port, username: user, password: nil, database: name, tls: .disable),
            backgroundLogger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            _ = try await Migrator().migrate(client, logger: logger)
            let database = Database(client: client, logger: logger)
            var webhooks = WebhooksConfiguration()
            webhooks.allowPrivateAddresses = true
            webhooks.attemptTimeout = slowAnswer + .seconds(5)
            let prefix = "/\(name)/"
            let paths = (0..<endpoints).map { "\(prefix)\($0)" }
            var otherPath: String?
            var throttleRates = [Int?](repeating: nil, count: endpoints)
            switch variant {
            case .healthy: break
            case .slow: otherPath = paths[0]
            case .throttled(let rate):
                otherPath = paths[0]
                throttleRates[0] = rate
            }
            let slowPath: String? = if case .slow = variant { otherPath } else { nil }
            await receivers.prepare(slowPath: slowPath)
            try await Self.load(
                database, module: WebhooksModule(database: database, configuration: webhooks),
                endpoints: zip(paths, throttleRates).map { ("http://127.0.0.1:\(receiverPort)\($0)", $1) }, messages: messages
            )
            let healthy = paths.filter { $0 != otherPath }
            // A throttled endpoint's rate is measured over the whole run, not just until the others are done.
            let stopsEarly = if case .throttled = variant { false } else { true }
            let service = WebhookDeliveryService(database: database, configuration: webhooks)
            let services = ServiceGroup(services: [service], logger: logger)
            // The service stops gracefully (its in-flight attempts finish) before the pool goes away.
            return try await withThrowingTaskGroup(of: Void.self) { delivering in
                let start = ContinuousClock.now
                delivering.addTask { try await services.run() }
                var elapsed = Duration.zero
                while elapsed < duration {
                    try await Task.sleep(for: .milliseconds(50))
                    elapsed = .now - start
                    if stopsEarly, await receivers.count(healthy) >= healthy.count * messages { break }
                }
                let run = Run(
                    healthyEndpoints: healthy.count,
                    healthyDeliveries: await receivers.count(healthy),
                    otherDeliveries: await receivers.count(otherPath.map { [$0] } ?? []),
                    seconds: elapsed.seconds
                )
                await services.triggerGracefulShutdown()
                try await delivering.waitForAll()
                return run
            }
        }
    }

    /// An organization, its endpoints (URL and throttle rate), and `messages` events fanned out to all of them by
    /// the consumer.
    private static func load(_ database: Database, module: WebhooksModule, endpoints: [(url: String, throttleRate: Int?)], messages: Int) async throws {
        let organizationID = UUID()
        try await database.client.query(
            "INSERT INTO organization (id, external_id, name) VALUES (\(organizationID), \("bench-\(organizationID)"), 'Webhooks benchmark')",
            logger: database.logger
        )
        for endpoint in endpoints {
            try await database.client.query(
                """
                INSERT INTO webhook_endpoint (organization_id, url, throttle_rate, secret)
                VALUES (\(organizationID), \(endpoint.url), \(endpoint.throttleRate), \(WebhookSecret.generate().text))
                """,
                logger: database.logger
            )
        }
        let consumer = module.consumer
        let event = EventType(name: "CUSTOMER_CREATED", type: "com.kaiten.customer.v1.created")
        for batch in stride(from: 0, to: messages, by: 500) {
            try await database.transaction { connection in
                for index in batch..<min(batch + 500, messages) {
                    let data: JSONValue = ["id": .string(UUID().uuidString.lowercased()), "name": .string("Customer \(index)"), "slug": .string("customer-\(index)")]
                    let consumed = ConsumedEvent(id: UUID(), organizationID: organizationID, event: event, occurredAt: Date(), data: data, headers: [:])
                    try await consumer.consume(consumed, on: connection, logger: database.logger)
                }
            }
        }
    }
}

/// The local receivers: one HTTP listener, a path per endpoint, counting deliveries; one path may answer slowly.
private actor Receivers {
    let slowAnswer: Duration
    private var counts: [String: Int] = [:]
    private var slowPath: String?

    init(slowAnswer: Duration) {
        self.slowAnswer = slowAnswer
    }

    func prepare(slowPath: String?) { self.slowPath = slowPath }

    func count(_ paths: [String]) -> Int { paths.reduce(0) { $0 + (counts[$1] ?? 0) } }

    /// Records a delivery; returns how long to wait before answering.
    func received(_ path: String) -> Duration {
        counts[path, default: 0] += 1
        return path == slowPath ? slowAnswer : .zero
    }

    nonisolated func serving<T: Sendable>(logger: Logger, _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let router = Router()
        router.post("**") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            let delay = await self.received(request.uri.path)
            if delay > .zero { try await Task.sleep(for: delay) }
            return Response(status: .noContent)
        }
        let bound = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "kaiten-bench-receiver"),
            onServerRunning: { bound.continuation.yield($0.localAddress?.port ?? 0) },
            logger: logger
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            var ports = bound.stream.makeAsyncIterator()
            return try await body(await ports.next() ?? 0)
        }
    }
}
