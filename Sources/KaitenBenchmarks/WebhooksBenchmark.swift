import EmbeddedServers
import Foundation
import KaitenApp
import KaitenCore
import KaitenMigrations
import KaitenWebhooks
import Logging
import PostgresNIO
import ServiceLifecycle

/// `kaiten bench webhooks`: signed deliveries per second from the delivery service to local receivers, once
/// with ten healthy endpoints and once with one of them answering in 5 s, and how much of the healthy
/// endpoints' throughput survives the slow one; then once with one of them throttled, and how close its
/// rate comes to its `throttleRate`; then, with one endpoint, the time from an event's write to its delivery.
///
/// Each run gets a fresh database with one organization, ten endpoints and a backlog of `messages` events
/// fanned out to all of them by the webhook consumer; the delivery service then runs for `duration` (or,
/// unless one endpoint is throttled, until the healthy endpoints have everything) while the receivers count
/// what arrives.
package struct WebhooksBenchmark: Sendable {
    package var dataDirectory: URL
    package var endpoints = 10
    package var messages = 3000
    package var duration: Duration = .seconds(10)
    package var slowAnswer: Duration = .seconds(5)
    package var throttleRate = 50
    /// Events per second, one per transaction, in the latency run.
    package var latencyRate = 1000
    package var latencyDuration: Duration = .seconds(5)

    /// What the first endpoint does in a run; the others are healthy.
    enum Variant {
        case healthy
        case slow
        case throttled(Int)
    }

    package init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    package struct Run: Sendable {
        package let healthyEndpoints: Int
        package let healthyDeliveries: Int
        /// The slow or throttled endpoint's deliveries.
        package let otherDeliveries: Int
        package let seconds: Double

        package var healthyPerSecond: Double { Double(healthyDeliveries) / seconds }
        package var perHealthyEndpoint: Double { healthyPerSecond / Double(healthyEndpoints) }
    }

    package struct Result: Sendable, CustomStringConvertible {
        package let allHealthy: Run
        package let oneSlow: Run
        package let slowAnswer: Duration
        package let oneThrottled: Run
        package let throttleRate: Int
        /// Event written → delivered, at `latencyRate`.
        package let latency: LatencySample
        package let latencyRate: Int

        /// The healthy endpoints' per-endpoint throughput with the slow one, over the all-healthy run's.
        package var ratio: Double { oneSlow.perHealthyEndpoint / allHealthy.perHealthyEndpoint }
        /// The throttled endpoint's deliveries per second.
        package var throttledPerSecond: Double { Double(oneThrottled.otherDeliveries) / oneThrottled.seconds }

        package var description: String {
            func line(_ run: Run) -> String {
                String(
                    format: "%.0f deliveries/s (%.0f per endpoint, %d in %.1f s)", run.healthyPerSecond, run.perHealthyEndpoint,
                    run.healthyDeliveries, run.seconds)
            }
            return """
                all \(allHealthy.healthyEndpoints) healthy       \(line(allHealthy))
                one slow (\(slowAnswer))   healthy \(oneSlow.healthyEndpoints): \(line(oneSlow)); the slow one: \(oneSlow.otherDeliveries)
                ratio               \(String(format: "%.3f", ratio)) of the all-healthy per-endpoint throughput
                one throttled       \(String(format: "%.1f", throttledPerSecond))/s (\(oneThrottled.otherDeliveries) in \(String(format: "%.1f", oneThrottled.seconds)) s) \
                at throttleRate \(throttleRate): \(String(format: "%.3f", throttledPerSecond / Double(throttleRate))) of it; healthy \(oneThrottled.healthyEndpoints): \(line(oneThrottled))
                latency             event written → delivered at \(latencyRate)/s over \(allHealthy.healthyEndpoints) endpoints: p50 \(latency.milliseconds(0.50)), p99 \(latency.milliseconds(0.99)) \
                (\(latency.count) events)
                """
        }
    }

    package func run(logger: Logger) async throws -> Result {
        let configuration = EmbeddedPostgres.Configuration(
            dataDirectory: dataDirectory.appendingPathComponent("postgres"), port: try LoopbackPort.free())
        let postgres = EmbeddedPostgres(configuration: configuration, logger: logger)
        try await postgres.start()
        do {
            let receivers = WebhookReceivers(slowAnswer: slowAnswer)
            let result = try await receivers.serving(logger: logger) { port in
                let allHealthy = try await measure(
                    .healthy, postgres: postgres, database: "healthy", receiverPort: port, receivers: receivers, logger: logger)
                let oneSlow = try await measure(
                    .slow, postgres: postgres, database: "one_slow", receiverPort: port, receivers: receivers, logger: logger)
                let oneThrottled = try await measure(
                    .throttled(throttleRate), postgres: postgres, database: "one_throttled", receiverPort: port, receivers: receivers, logger: logger
                )
                let latency = try await measureLatency(postgres: postgres, receiverPort: port, receivers: receivers, logger: logger)
                return Result(
                    allHealthy: allHealthy, oneSlow: oneSlow, slowAnswer: slowAnswer, oneThrottled: oneThrottled, throttleRate: throttleRate,
                    latency: latency, latencyRate: latencyRate
                )
            }
            await postgres.stop()
            return result
        } catch {
            await postgres.stop()
            throw error
        }
    }

    private func measure(
        _ variant: Variant, postgres: EmbeddedPostgres, database name: String, receiverPort: Int, receivers: WebhookReceivers, logger: Logger
    )
        async throws -> Run
    {
        try await Self.withDatabase(name, on: postgres, logger: logger) { database in
            let webhooks = webhooksConfiguration
            let prefix = "/\(name)/"
            let paths = (0..<endpoints).map { "\(prefix)\($0)" }
            var otherPath: String?
            var slowPath: String?
            var throttleRates = [Int?](repeating: nil, count: endpoints)
            switch variant {
            case .healthy: break
            case .slow:
                otherPath = paths[0]
                slowPath = paths[0]
            case .throttled(let rate):
                otherPath = paths[0]
                throttleRates[0] = rate
            }
            await receivers.prepare(slowPath: slowPath)
            let organizationID = try await Self.load(
                database, endpoints: zip(paths, throttleRates).map { ("http://127.0.0.1:\(receiverPort)\($0)", $1) }
            )
            try await Self.fanOut(messages, of: organizationID, to: WebhooksModule(database: database, configuration: webhooks), database: database)
            let healthy = paths.filter { $0 != otherPath }
            let others = otherPath.map { [$0] } ?? []
            // A throttled endpoint's rate is measured over the whole run, not just until the others are done.
            let stopsEarly = if case .throttled = variant { false } else { true }
            return try await Self.delivering(database, configuration: webhooks, logger: logger) {
                let start = ContinuousClock.now
                var elapsed = Duration.zero
                while elapsed < duration {
                    try await Task.sleep(for: .milliseconds(50))
                    elapsed = .now - start
                    if stopsEarly, await receivers.count(healthy) >= healthy.count * messages { break }
                }
                return Run(
                    healthyEndpoints: healthy.count,
                    healthyDeliveries: await receivers.count(healthy),
                    otherDeliveries: await receivers.count(others),
                    seconds: elapsed.seconds
                )
            }
        }
    }

    /// Event written → the receiver's answer, for events fanned out one per transaction at `latencyRate`, spread
    /// over as many organizations as the run has endpoints (one endpoint each), while the delivery service runs:
    /// the delivery leg of commit → webhook 2xx.
    private func measureLatency(
        postgres: EmbeddedPostgres, receiverPort: Int, receivers: WebhookReceivers, logger: Logger
    ) async throws -> LatencySample {
        try await Self.withDatabase("latency", on: postgres, logger: logger) { database in
            var organizations: [UUID] = []
            for endpoint in 0..<endpoints {
                organizations.append(try await Self.load(database, endpoints: [("http://127.0.0.1:\(receiverPort)/latency/\(endpoint)", nil)]))
            }
            let spread = organizations
            let consumer = WebhooksModule(database: database, configuration: webhooksConfiguration).consumer
            await receivers.prepare(slowPath: nil, latencyPrefix: "/latency/")
            let total = Int(Double(latencyRate) * latencyDuration.seconds)
            return try await Self.delivering(database, configuration: webhooksConfiguration, logger: logger) {
                let start = ContinuousClock.now
                let interval = Duration.seconds(1) / latencyRate
                // Writers take turns so that one slow commit does not hold the schedule back.
                let writers = 8
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<writers {
                        group.addTask {
                            for index in stride(from: writer, to: total, by: writers) {
                                try await Task.sleep(until: start + interval * index)
                                await receivers.written(Self.key(index))
                                try await database.transaction { connection in
                                    try await consumer.consume(
                                        Self.event(index, of: spread[index % spread.count]), on: connection, logger: database.logger)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                try await poll("every latency event delivered", every: .milliseconds(20), timeout: .seconds(30)) {
                    await receivers.latency.count >= total
                }
                return await receivers.latency
            }
        }
    }

    private var webhooksConfiguration: WebhooksConfiguration {
        var webhooks = WebhooksConfiguration()
        webhooks.allowPrivateAddresses = true
        webhooks.attemptTimeout = slowAnswer + .seconds(5)
        return webhooks
    }

    /// A fresh, migrated database of `name` on the benchmark's PostgreSQL, for the length of `body`.
    private static func withDatabase<T: Sendable>(
        _ name: String, on postgres: EmbeddedPostgres, logger: Logger, _ body: @Sendable (Database) async throws -> T
    ) async throws -> T {
        let port = postgres.configuration.port
        let user = postgres.configuration.superuser
        try await DatabaseProvisioning.ensureDatabase(name, host: "127.0.0.1", port: port, user: user, logger: logger)
        let configuration = PostgresClient.Configuration(host: "127.0.0.1", port: port, username: user, password: nil, database: name, tls: .disable)
        return try await CompositionRoot.withDatabase(configuration, logger: logger) { database in
            _ = try await Migrator().migrate(database.client, logger: logger)
            return try await body(database)
        }
    }

    /// Runs the delivery service while `body` measures; the service stops gracefully (its in-flight attempts
    /// finish) before the pool goes away.
    private static func delivering<T: Sendable>(
        _ database: Database, configuration: WebhooksConfiguration, logger: Logger, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let services = ServiceGroup(services: [WebhookDeliveryService(database: database, configuration: configuration)], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { delivering in
            delivering.addTask { try await services.run() }
            let result = try await body()
            await services.triggerGracefulShutdown()
            try await delivering.waitForAll()
            return result
        }
    }

    /// An organization and its endpoints (URL and throttle rate); returns the organization's id.
    private static func load(_ database: Database, endpoints: [(url: String, throttleRate: Int?)]) async throws -> UUID {
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
        return organizationID
    }

    /// What the receivers know the `index`th event by.
    private static func key(_ index: Int) -> String { "customer-\(index)" }

    /// `messages` events fanned out by the webhook consumer, 500 to a transaction.
    private static func fanOut(_ messages: Int, of organizationID: UUID, to module: WebhooksModule, database: Database) async throws {
        let consumer = module.consumer
        for batch in stride(from: 0, to: messages, by: 500) {
            try await database.transaction { connection in
                for index in batch..<min(batch + 500, messages) {
                    try await consumer.consume(event(index, of: organizationID), on: connection, logger: database.logger)
                }
            }
        }
    }

    /// The `index`th event of a run: a customer creation whose `data.slug` is ``key(_:)``.
    private static func event(_ index: Int, of organizationID: UUID) -> ConsumedEvent {
        let data: JSONValue = [
            "id": .string(UUID().uuidString.lowercased()), "name": .string("Customer \(index)"), "slug": .string(key(index)),
        ]
        return ConsumedEvent(
            id: UUID(), organizationID: organizationID, event: EventType(name: "CUSTOMER_CREATED", type: "com.kaiten.customer.v1.created"),
            occurredAt: Date(), data: data, headers: [:]
        )
    }
}
