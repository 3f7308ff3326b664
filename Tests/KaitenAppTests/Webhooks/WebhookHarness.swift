import Foundation
import HTTPTypes
import KaitenCore
import KaitenPipeline
import KaitenTestSupport
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Testing

@testable import KaitenWebhooks

/// What the webhook tests share: a Kaiten whose webhooks may reach loopback, with a compressed schedule, an
/// organization, the relay that fans the outbox out, and a delivery service to run.
struct WebhookHarness {
    let kaiten: TestKaiten
    let configuration: WebhooksConfiguration
    let organization: String
    let token: String
    /// The delivery service `delivering` runs, while it runs.
    let running = RunningService()

    /// A schedule compressed from seconds-to-hours to tenths of seconds, without jitter so spacing is exact.
    /// With a manual `clock`, delivery waits (and the queue's SQL reads "now") on that clock only.
    static func configuration(
        schedule: [Duration] = [.zero, .milliseconds(300), .milliseconds(600), .milliseconds(900)], clock: ManualClock? = nil
    ) -> WebhooksConfiguration {
        var configuration = WebhooksConfiguration()
        configuration.pollInterval = .milliseconds(20)
        if let clock {
            configuration.clock = clock
            // The service looks for due deliveries at each instant the test moves the clock to (a millisecond or more on).
            configuration.pollInterval = .milliseconds(1)
        }
        configuration.allowPrivateAddresses = true
        configuration.retrySchedule = schedule
        configuration.jitter = 0
        configuration.attemptTimeout = .seconds(5)
        return configuration
    }

    static func run(
        _ configuration: WebhooksConfiguration = WebhookHarness.configuration(),
        scopes: [String]? = nil,
        _ body: @escaping @Sendable (WebhookHarness) async throws -> Void
    ) async throws {
        try await TestKaiten.run(webhooks: configuration) { kaiten in
            let (organization, token) = try await kaiten.organization(scopes: scopes)
            let harness = WebhookHarness(kaiten: kaiten, configuration: configuration, organization: organization, token: token)
            // Minting the token wrote SYSTEM_ORGANIZATION_TOKEN_ISSUED: fan it out while no endpoint exists.
            try await harness.fanOut()
            try await body(harness)
        }
    }

    /// Creates an endpoint through the API; returns its id and secret.
    func createEndpoint(_ url: String, eventTypes: [String]? = nil, throttleRate: Int? = nil) async throws -> (id: String, secret: String) {
        var body: [String: JSONValue] = ["url": .string(url)]
        if let eventTypes { body["eventTypes"] = .array(eventTypes.map { .string($0) }) }
        if let throttleRate { body["throttleRate"] = .integer(Int64(throttleRate)) }
        let created = try await kaiten.core.json(.post, "/api/webhooks/endpoints", token: token, body: body)
        #expect(created.status == .created)
        return (try #require(created.json?["id"]?.stringValue), try #require(created.json?["secret"]?.stringValue))
    }

    /// Creates a customer, which writes CUSTOMER_CREATED to the outbox.
    @discardableResult
    func createCustomer(_ name: String) async throws -> String {
        let created = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": .string(name)])
        #expect(created.status == .created)
        return try #require(created.json?["slug"]?.stringValue)
    }

    /// Relays everything in the outbox through the webhook consumer, as the worker would.
    func fanOut() async throws {
        let module = WebhooksModule(database: kaiten.database, configuration: configuration)
        let relay = PollingRelay(
            database: kaiten.database, publisher: InProcessBus(dispatcher: EventDispatcher(database: kaiten.database, consumers: [module.consumer])))
        while try await relay.relayBatch() > 0 {}
    }

    /// Runs a delivery service while `body` runs, then shuts it down gracefully, as SIGTERM would. The service
    /// logs to `logger`, when given.
    func delivering<T: Sendable>(
        _ configuration: WebhooksConfiguration? = nil, logger: Logger? = nil, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let database = logger.map { Database(client: kaiten.database.client, logger: $0) } ?? kaiten.database
        let service = WebhookDeliveryService(database: database, configuration: configuration ?? self.configuration)
        running.service.withLock { $0 = service }
        defer { running.service.withLock { $0 = nil } }
        let services = ServiceGroup(services: [service], logger: kaiten.database.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            do {
                let result = try await body()
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }

    /// Waits until `condition` holds, failing after `seconds`.
    func eventually(
        within seconds: Double = 20, _ what: Comment, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
    ) async throws {
        try await KaitenAppTests.eventually(what, timeout: .seconds(seconds), sourceLocation: sourceLocation, condition)
    }

    /// The manual clock the harness's configuration paces delivery with.
    var clock: ManualClock {
        get throws { try #require(configuration.clock as? ManualClock, "the test runs delivery on a manual clock") }
    }

    /// Moves the manual clock on to `offset` since it was made, then waits until the running delivery service has
    /// done everything due by then (``settle()``).
    func advance(to offset: Duration, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try clock.advance(to: .init(offset: offset))
        try await settle(sourceLocation: sourceLocation)
    }

    /// Moves the manual clock on by `duration`, then waits as ``advance(to:sourceLocation:)`` does.
    func advance(by duration: Duration, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try clock.advance(by: duration)
        try await settle(sourceLocation: sourceLocation)
    }

    /// Waits until every task of the running delivery service is asleep on the manual clock: it has sent and
    /// recorded all that is due at the clock's instant, and nothing more happens until the clock moves.
    func settle(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let clock = try clock
        let activity = try #require(running.service.withLock { $0?.activity }, "settle() runs inside delivering { }", sourceLocation: sourceLocation)
        let deadline = ContinuousClock.now + .seconds(20)
        while activity.running != clock.sleeperCount {
            guard ContinuousClock.now < deadline else {
                Issue.record("the delivery service did not settle at \(clock.now.offset)", sourceLocation: sourceLocation)
                throw TimedOut()
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    func get(_ path: String) async throws -> JSONResponseResult {
        try await kaiten.core.json(.get, path, token: token)
    }

    func items(_ path: String) async throws -> [JSONValue] {
        try #require(try await get(path).json?["items"]?.arrayValue)
    }
}

/// The delivery service a harness runs, for `settle()` to watch.
final class RunningService: Sendable {
    let service = Mutex<WebhookDeliveryService?>(nil)
}

extension WebhookReceiver.Received {
    /// Whether the Svix headers carry a v1 signature of this body made with `secret`.
    func isSigned(with secret: String) -> Bool {
        guard let id = headers["svix-id"], let timestamp = headers["svix-timestamp"].flatMap(Int.init), let header = headers["svix-signature"],
            let key = WebhookSecret(secret)
        else { return false }
        let expected = WebhookSignature.sign(messageID: id, timestamp: timestamp, body: body, secret: key)
        return header.split(separator: " ").contains { $0 == expected }
    }
}
