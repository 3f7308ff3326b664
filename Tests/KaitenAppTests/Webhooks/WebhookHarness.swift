import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import KaitenPipeline
@testable import KaitenWebhooks
import ServiceLifecycle
import Testing

/// What the webhook tests share: a Kaiten whose webhooks may reach loopback, with a compressed schedule, an
/// organization, the relay that fans the outbox out, and a delivery service to run.
struct WebhookHarness {
    let kaiten: TestKaiten
    let configuration: WebhooksConfiguration
    let organization: String
    let token: String

    /// A schedule compressed from seconds-to-hours to tenths of seconds, without jitter so spacing is exact.
    static func configuration(schedule: [Duration] = [.zero, .milliseconds(300), .milliseconds(600), .milliseconds(900)]) -> WebhooksConfiguration {
        var configuration = WebhooksConfiguration()
        configuration.allowPrivateAddresses = true
        configuration.retrySchedule = schedule
        configuration.jitter = 0
        configuration.attemptTimeout = .seconds(5)
        configuration.pollInterval = .milliseconds(20)
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
        let relay = PollingRelay(database: kaiten.database, publisher: InProcessBus(dispatcher: EventDispatcher(database: kaiten.database, consumers: [module.consumer])))
        while try await relay.relayBatch() > 0 {}
    }

    /// Runs a delivery service while `body` runs, then shuts it down gracefully, as SIGTERM would.
    func delivering<T: Sendable>(_ configuration: WebhooksConfiguration? = nil, _ body: @Sendable () async throws -> T) async throws -> T {
        let service = WebhookDeliveryService(database: kaiten.database, configuration: configuration ?? self.configuration)
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

    func get(_ path: String) async throws -> JSONResponseResult {
        try await kaiten.core.json(.get, path, token: token)
    }

    func items(_ path: String) async throws -> [JSONValue] {
        try #require(try await get(path).json?["items"]?.arrayValue)
    }
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
