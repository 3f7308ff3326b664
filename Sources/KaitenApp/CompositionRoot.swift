import AMQPClient
import Hummingbird
import KaitenAuditTrail
import KaitenCore
import KaitenFeatureFlags
import KaitenIdentity
import KaitenMigrations
import KaitenPipeline
import KaitenWebhooks
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// The one place a Kaiten process is put together: every role's services, built from its configuration, and
/// the one way they run, a connection pool beside a service group that SIGTERM and SIGINT stop gracefully.
package enum CompositionRoot {
    // MARK: Running

    /// Runs `body` with a pool that lives as long as it does: one-shot tasks and benchmarks.
    package static func withDatabase<Result: Sendable>(
        _ configuration: PostgresClient.Configuration, logger: Logger, _ body: @Sendable (Database) async throws -> Result
    ) async throws -> Result {
        let database = Database(configuration: configuration, logger: logger)
        KaitenMetrics.poolLimit(configuration.options.maximumConnections)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    /// Runs a pool and the services `build` makes over it until SIGTERM or SIGINT, or until the caller is
    /// cancelled, which stops them the same graceful way (a benchmark or a test stopping its server): the
    /// services shut down in reverse order, so consumers stop before the connections they use, listeners drain
    /// and queued work is written, and only then does the pool close. A service that has not stopped 30
    /// seconds after the request is cancelled.
    ///
    /// With `tracing` on, the process's spans are exported as `serviceName` by a service that stops after the others.
    package static func run(
        _ configuration: PostgresClient.Configuration,
        tracing: TracingConfiguration = .disabled,
        serviceName: String = "kaiten-api",
        logger: Logger,
        _ build: @escaping @Sendable (Database) async throws -> [any Service]
    ) async throws {
        MetricsEndpoint.bootstrapped
        let telemetry = try TracingBackend.services(tracing, serviceName: serviceName, logger: logger)
        let stop = GracefulStop()
        // Unstructured, so the caller's cancellation reaches neither the pool nor the services as a
        // cancellation: it becomes the graceful shutdown below. (A pool cancelled beside its services could
        // close a connection under a write that then never completed.)
        let running = Task {
            try await withDatabase(configuration, logger: logger) { database in
                var group = ServiceGroupConfiguration(
                    services: telemetry + (try await build(database)), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
                group.maximumGracefulShutdownDuration = .seconds(30)
                let services = ServiceGroup(configuration: group)
                await stop.attach(services)
                try await services.run()
            }
        }
        try await withTaskCancellationHandler {
            try await running.value
        } onCancel: {
            Task { await stop.request() }
        }
    }

    // MARK: Roles

    /// `kaiten serve`: the Core and Platform listeners, beside `services` (the pipeline of `kaiten dev`).
    ///
    /// - Parameters:
    ///   - migrate: applies pending migrations before serving.
    ///   - prepare: runs against the migrated database before the listeners open (development bootstrap).
    ///   - onListening: called once both listeners accept connections.
    package static func serve(
        _ configuration: ServerConfiguration,
        migrate: Bool,
        logger: Logger,
        prepare: @escaping @Sendable (Database) async throws -> Void = { _ in },
        onListening: @escaping @Sendable (ServerEndpoints) async -> Void = { _ in },
        services: @escaping @Sendable (Database) throws -> [any Service] = { _ in [] }
    ) async throws {
        let migrator = try Migrator()
        try await run(configuration.database, tracing: configuration.tracing, logger: logger) { database in
            if migrate { try await migrator.migrate(database.client, logger: logger) }
            try await prepare(database)
            let modules = try Modules(
                database: database,
                jwtVerifier: configuration.jwtSecret.map(JWTVerifier.init(secret:)),
                migrator: migrator,
                webhooks: configuration.webhooks,
                secureConsoleCookies: configuration.secureConsoleCookies
            )
            let bound = BoundAddresses(expected: 2, onComplete: onListening)
            let core = Application(
                router: modules.coreListener().router,
                configuration: .init(address: .hostname(configuration.host, port: configuration.apiPort), serverName: "kaiten"),
                onServerRunning: { await bound.record(\.core, $0) },
                logger: logger
            )
            let platform = Application(
                router: modules.platformListener().router,
                configuration: .init(address: .hostname(configuration.host, port: configuration.platformPort), serverName: "kaiten-platform"),
                onServerRunning: { await bound.record(\.platform, $0) },
                logger: logger
            )
            return [core, platform, modules.featureFlags.evaluationEvents] + (try services(database))
        }
    }

    /// `kaiten relay`: the broker connection, then the relay publishing through it.
    package static func relay(_ configuration: PipelineConfiguration, mode: RelayMode, logger: Logger) async throws {
        try await run(configuration.database, tracing: configuration.tracing, serviceName: "kaiten-relay", logger: logger) { database in
            try relayServices(configuration, mode: mode, database: database, logger: logger) + metricsListener(configuration, logger: logger)
        }
    }

    /// The relay role's services over `database`; a benchmark runs them beside the API in one process.
    package static func relayServices(
        _ configuration: PipelineConfiguration, mode: RelayMode, database: Database, logger: Logger
    ) throws -> [any Service] {
        let broker = AMQPConnectionService(
            nodes: try [AMQPConfiguration](urls: configuration.amqpURL, connectionName: "kaiten-relay"),
            topology: KaitenExchange.standard.publisherTopology,
            logger: logger
        )
        let publisher = RabbitMQPublisher(connection: broker).traced()
        switch mode {
        case .poll:
            return [broker, PollingRelay(database: database, publisher: publisher)]
        case .cdc:
            var streaming = CDCRelay.Configuration()
            streaming.slot = configuration.relaySlot
            return [broker, try CDCRelay(database: database, connection: configuration.database, publisher: publisher, configuration: streaming)]
        }
    }

    /// `kaiten worker`: the consumers behind the bus, webhook delivery and the retention sweep.
    package static func worker(_ configuration: PipelineConfiguration, transport: WorkerTransport, logger: Logger) async throws {
        try await run(configuration.database, tracing: configuration.tracing, serviceName: "kaiten-worker", logger: logger) { database in
            try workerServices(configuration, transport: transport, database: database, logger: logger)
                + metricsListener(configuration, logger: logger)
        }
    }

    /// The worker role's services over `database`; a benchmark runs them beside the API in one process.
    package static func workerServices(
        _ configuration: PipelineConfiguration, transport: WorkerTransport, database: Database, logger: Logger
    ) throws -> [any Service] {
        let webhooks = WebhooksModule(database: database, configuration: configuration.webhooks)
        let dispatcher = dispatcher(database, webhooks: webhooks)
        var sweeping = RetentionSweeper.Configuration()
        sweeping.relayMode = configuration.relayMode
        let sweeper = RetentionSweeper(database: database, configuration: sweeping)
        switch transport {
        case .rabbitmq:
            var consuming = RabbitMQWorker.Configuration()
            consuming.consumerID = configuration.consumerID
            consuming.queueType = configuration.queueType
            let broker = AMQPConnectionService(
                nodes: try [AMQPConfiguration](urls: configuration.amqpURL, connectionName: "kaiten-worker"),
                topology: RabbitMQWorker.topology(consuming),
                logger: logger
            )
            let consumer = RabbitMQWorker(connection: broker, dispatcher: dispatcher, configuration: consuming, logger: logger)
            return [broker, consumer, sweeper, webhooks.deliveryService]
        case .dapr:
            let listener = Application(
                router: DaprSubscription.router(dispatcher: dispatcher, logger: logger),
                configuration: .init(address: .hostname(configuration.daprHost, port: configuration.daprPort), serverName: "kaiten-worker"),
                logger: logger
            )
            return [listener, sweeper, webhooks.deliveryService]
        }
    }

    /// The event pipeline of a single process (`kaiten dev`): the polling relay hands each committed outbox
    /// event straight to the worker's consumers, no broker in between; the retention sweeper keeps the
    /// outbox, the inbox and retired tokens from growing without bound; the webhook delivery service sends
    /// what the webhook consumer queued.
    ///
    /// The relay is woken by the API's commits in this process, so it looks on its own only once a second.
    package static func inProcessPipeline(_ database: Database, webhooks configuration: WebhooksConfiguration) -> [any Service] {
        let webhooks = WebhooksModule(database: database, configuration: configuration)
        var relaying = PollingRelay.Configuration()
        relaying.idleInterval = .seconds(1)
        return [
            PollingRelay(
                database: database, publisher: InProcessBus(dispatcher: dispatcher(database, webhooks: webhooks)).traced(), configuration: relaying),
            RetentionSweeper(database: database),
            webhooks.deliveryService,
        ]
    }

    /// The `/metrics` listener of a pipeline role, when `KAITEN_METRICS_PORT` asks for one.
    static func metricsListener(_ configuration: PipelineConfiguration, logger: Logger) -> [any Service] {
        configuration.metricsPort.map { [MetricsEndpoint.listener(host: configuration.metricsHost, port: $0, logger: logger)] } ?? []
    }

    /// Every consumer of Kaiten's events, behind one inbox.
    static func dispatcher(_ database: Database, webhooks: WebhooksModule) -> EventDispatcher {
        EventDispatcher(database: database, consumers: [AuditTrailModule(database: database).consumer, webhooks.consumer])
    }
}

/// How `kaiten worker` receives its events.
package enum WorkerTransport: String, Sendable, CaseIterable {
    /// Consumes the consumer group's queue itself.
    case rabbitmq
    /// Serves Dapr's subscription endpoints; a Dapr sidecar owns the broker connection.
    case dapr
}

/// The addresses the listeners bound, once both accept connections.
package struct ServerEndpoints: Sendable {
    /// `http://host:port` of the Core listener, where the console is.
    package let coreOrigin: String
    package let platformOrigin: String

    /// The Core API's base URL.
    package var core: String { coreOrigin + "/api" }
    /// The Platform API's base URL.
    package var platform: String { platformOrigin + "/api" }
}

/// Collects the listeners' bound addresses and reports them once all are up.
private actor BoundAddresses {
    struct Addresses {
        var core = ""
        var platform = ""
    }

    private var addresses = Addresses()
    private var remaining: Int
    private let onComplete: @Sendable (ServerEndpoints) async -> Void

    init(expected: Int, onComplete: @escaping @Sendable (ServerEndpoints) async -> Void) {
        remaining = expected
        self.onComplete = onComplete
    }

    func record(_ key: WritableKeyPath<Addresses, String>, _ channel: any Channel) async {
        let address = channel.localAddress
        addresses[keyPath: key] = "http://\(address?.ipAddress ?? "127.0.0.1"):\(address?.port ?? 0)"
        remaining -= 1
        if remaining == 0 {
            await onComplete(ServerEndpoints(coreOrigin: addresses.core, platformOrigin: addresses.platform))
        }
    }
}

/// A graceful shutdown requested of a service group that may not exist yet: asked for before the group is
/// attached, it is triggered as the group arrives.
private actor GracefulStop {
    private var group: ServiceGroup?
    private var requested = false

    func attach(_ group: ServiceGroup) async {
        self.group = group
        if requested { await group.triggerGracefulShutdown() }
    }

    func request() async {
        requested = true
        await group?.triggerGracefulShutdown()
    }
}
