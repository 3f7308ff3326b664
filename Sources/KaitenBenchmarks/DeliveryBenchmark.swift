import EmbeddedServers
import Foundation
import KaitenApp
import KaitenCore
import KaitenIdentity
import KaitenMigrations
import KaitenPipeline
import KaitenWebhooks
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PostgresNIO
import ServiceLifecycle

/// `kaiten bench delivery`: an API write's commit → its webhook answered 2xx, end to end, at `rate` writes per
/// second spread over `organizations` organizations (one endpoint each), through both of Kaiten's event paths in
/// one run on one PostgreSQL:
/// - `kaiten dev`'s: the polling relay hands each committed event to the consumers in the same process;
/// - production's: the CDC relay publishes to RabbitMQ, a worker consumes it, fans it out and delivers.
///
/// Each path's roles are built as `kaiten serve`, `kaiten relay` and `kaiten worker` build them, here in one process.
/// A write counts as committed when its answer reaches the writer; a delivery that arrives before that counts as
/// immediate.
package struct DeliveryBenchmark: Sendable {
    package enum Path: String, Sendable, CaseIterable {
        case inProcess = "kaiten dev (in-process)"
        case production = "production (CDC relay → RabbitMQ → worker)"
    }

    package var dataDirectory: URL
    package var rate = 1000
    package var duration: Duration = .seconds(10)
    package var organizations = 10
    /// Concurrent writers, each on its own keep-alive connection, taking turns through the schedule.
    package var writers = 16

    package init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    package struct Run: Sendable {
        package let path: Path
        package let latency: LatencySample
        package let writes: Int
        package let failedWrites: Int
        /// From the first write to the last delivery.
        package let seconds: Double
    }

    package struct Result: Sendable, CustomStringConvertible {
        package let rate: Int
        package let runs: [Run]

        package var description: String {
            runs.map { run in
                let padded = run.path.rawValue.padding(toLength: 44, withPad: " ", startingAt: 0)
                return "\(padded) commit → 2xx p50 \(run.latency.milliseconds(0.50)), p99 \(run.latency.milliseconds(0.99)), "
                    + "max \(run.latency.milliseconds(1.0)) (\(run.latency.count) of \(run.writes) writes at \(rate)/s, \(run.failedWrites) refused)"
            }.joined(separator: "\n")
        }
    }

    package func run(logger: Logger) async throws -> Result {
        let postgres = EmbeddedPostgres(
            configuration: .init(dataDirectory: dataDirectory.appendingPathComponent("postgres"), port: try LoopbackPort.free()), logger: logger)
        let broker = RabbitMQBroker()
        try await postgres.start()
        do {
            let amqp = try await broker.endpoint()
            let receivers = WebhookReceivers()
            let runs = try await receivers.serving(logger: logger) { receiverPort in
                var runs: [Run] = []
                for path in Path.allCases {
                    runs.append(
                        try await measure(
                            path, postgres: postgres, amqpURL: "amqp://guest:guest@\(amqp.host):\(amqp.port)/",
                            receivers: receivers, receiverPort: receiverPort, logger: logger))
                }
                return runs
            }
            await broker.stop()
            await postgres.stop()
            return Result(rate: rate, runs: runs)
        } catch {
            await broker.stop()
            await postgres.stop()
            throw error
        }
    }

    /// Serves one path on a fresh database, sets up the organizations and their endpoints through the Platform and
    /// Core APIs, then writes at `rate` and waits for every delivery.
    private func measure(
        _ path: Path, postgres: EmbeddedPostgres, amqpURL: String, receivers: WebhookReceivers, receiverPort: Int, logger: Logger
    ) async throws -> Run {
        let name = path == .inProcess ? "delivery_in_process" : "delivery_production"
        let port = postgres.configuration.port
        let user = postgres.configuration.superuser
        try await DatabaseProvisioning.ensureDatabase(name, host: "127.0.0.1", port: port, user: user, logger: logger)
        var server = ServerConfiguration(
            apiPort: 0, platformPort: 0, database: .init(host: "127.0.0.1", port: port, username: user, password: nil, database: name, tls: .disable))
        server.webhooks.allowPrivateAddresses = true
        var pipeline = PipelineConfiguration(database: server.database, amqpURL: amqpURL, relayMode: .cdc)
        pipeline.relaySlot = "bench_delivery"
        pipeline.webhooks = server.webhooks
        let roles: @Sendable (Database) throws -> [any Service] = { [server, pipeline] database in
            switch path {
            case .inProcess: CompositionRoot.inProcessPipeline(database, webhooks: server.webhooks)
            case .production:
                try CompositionRoot.relayServices(pipeline, mode: .cdc, database: database, logger: logger)
                    + CompositionRoot.workerServices(pipeline, transport: .rabbitmq, database: database, logger: logger)
            }
        }
        let platformToken = TokenBox()
        let listening = AsyncStream.makeStream(of: ServerEndpoints.self)
        await receivers.prepare(slowPath: nil, latencyPrefix: "/delivery/")
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [server] in
                try await CompositionRoot.serve(
                    server, migrate: true, logger: logger,
                    prepare: { database in
                        await platformToken.set(
                            try await IdentityModule(database: database).createPlatformToken(name: "bench", scopes: [.writeAll]).plaintext)
                    },
                    onListening: { listening.continuation.yield($0) },
                    services: roles
                )
                listening.continuation.finish()
            }
            defer { group.cancelAll() }
            var started = listening.stream.makeAsyncIterator()
            guard let endpoints = await started.next(), let token = await platformToken.value else { throw BenchmarkError.serverStopped }
            let tokens = try await setUp(endpoints, platformToken: token, receiverPort: receiverPort)
            let start = ContinuousClock.now
            let (writes, failed) = try await write(to: endpoints.core, tokens: tokens, receivers: receivers)
            try await poll("every delivery of the \(path.rawValue) run", every: .milliseconds(20), timeout: .seconds(60)) {
                await receivers.latency.count >= writes
            }
            return Run(path: path, latency: await receivers.latency, writes: writes, failedWrites: failed, seconds: (.now - start).seconds)
        }
    }

    /// The organizations, a token for each and an endpoint each at the receivers: the tokens, by organization.
    private func setUp(_ endpoints: ServerEndpoints, platformToken: String, receiverPort: Int) async throws -> [String] {
        let group = MultiThreadedEventLoopGroup.singleton
        let tokens = try await KeepAliveClient(endpoint: endpoints.platform).withConnection(on: group) { send in
            var tokens: [String] = []
            for index in 0..<organizations {
                let organization = try await Self.json(
                    send, .POST, "/api/platform/organizations", token: platformToken, ["externalId": .string("bench-delivery-\(index)")])
                guard case .string(let id)? = organization["id"] else { throw BenchmarkError.unexpectedResponse("\(organization)") }
                let minted = try await Self.json(
                    send, .POST, "/api/platform/organizations/\(id)/tokens", token: platformToken, ["name": "bench", "scopes": ["write:*"]])
                guard case .string(let token)? = minted["token"] else { throw BenchmarkError.unexpectedResponse("\(minted)") }
                tokens.append(token)
            }
            return tokens
        }
        try await KeepAliveClient(endpoint: endpoints.core).withConnection(on: group) { send in
            for (index, token) in tokens.enumerated() {
                _ = try await Self.json(
                    send, .POST, "/api/webhooks/endpoints", token: token,
                    ["url": .string("http://127.0.0.1:\(receiverPort)/delivery/\(index)"), "eventTypes": ["com.kaiten.customer.v1.created"]])
            }
        }
        return tokens
    }

    /// Creates `rate × duration` customers on schedule, spread over the organizations; returns how many were
    /// written and how many refused.
    private func write(to core: String, tokens: [String], receivers: WebhookReceivers) async throws -> (Int, Int) {
        let total = Int(Double(rate) * duration.seconds)
        let interval = Duration.seconds(1) / rate
        let client = try KeepAliveClient(endpoint: core)
        // The load's own event loop, so the server's loops serve only the server.
        let loadGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let start = ContinuousClock.now
        let counts = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for writer in 0..<writers {
                group.addTask {
                    try await client.withConnection(on: loadGroup) { send in
                        var written = 0
                        var refused = 0
                        for index in stride(from: writer, to: total, by: writers) {
                            try await Task.sleep(until: start + interval * index)
                            let slug = "bench-\(index)"
                            let answer = try await send(
                                HTTPRequestHead(
                                    version: .http1_1, method: .POST, uri: "/api/customers",
                                    headers: ["Authorization": "Bearer \(tokens[index % tokens.count])", "Content-Type": "application/json"]),
                                ByteBuffer(string: #"{"name":"Bench \#(index)","slug":"\#(slug)"}"#)
                            )
                            if answer.status == .created {
                                await receivers.written(slug)
                                written += 1
                            } else {
                                refused += 1
                            }
                        }
                        return (written, refused)
                    }
                }
            }
            return try await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
        }
        try await loadGroup.shutdownGracefully()
        return counts
    }

    /// Sends a JSON request and returns the JSON object answered; throws unless it is a 2xx.
    private static func json(
        _ send: (HTTPRequestHead, ByteBuffer?) async throws -> KeepAliveClient.Answer, _ method: HTTPMethod, _ uri: String, token: String,
        _ body: [String: JSONValue]
    ) async throws -> [String: JSONValue] {
        let answer = try await send(
            HTTPRequestHead(
                version: .http1_1, method: method, uri: uri, headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]),
            ByteBuffer(string: JSONValue.object(body).jsonText)
        )
        guard (200..<300).contains(answer.status.code), case .object(let object) = try JSONValue.parse(Array(answer.body.readableBytesView)) else {
            throw BenchmarkError.unexpectedResponse("\(method) \(uri): \(answer.status) \(String(buffer: answer.body))")
        }
        return object
    }
}

/// The platform token the server's preparation created, for the set-up that follows.
private actor TokenBox {
    private(set) var value: String?

    func set(_ token: String) { value = token }
}
