import Hummingbird
import KaitenCore
import KaitenIdentity
import KaitenMigrations
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// Runs the Core and Platform listeners over one connection pool until SIGINT or SIGTERM.
public enum KaitenServer {
    /// The addresses the listeners bound, once both accept connections.
    public struct Endpoints: Sendable {
        public let core: String
        public let platform: String
    }

    /// - Parameters:
    ///   - migrate: applies pending migrations before serving.
    ///   - prepare: runs against the migrated database before the listeners open (development bootstrap).
    ///   - onListening: called once both listeners accept connections.
    ///   - services: long-running work that shares the pool (the relay and worker of `kaiten dev`).
    public static func run(
        _ configuration: ServerConfiguration,
        migrate: Bool,
        logger: Logger,
        prepare: @Sendable (Database) async throws -> Void = { _ in },
        onListening: @escaping @Sendable (Endpoints) async -> Void = { _ in },
        services: @Sendable (Database) -> [any Service] = { _ in [] }
    ) async throws {
        let client = PostgresClient(configuration: configuration.database, backgroundLogger: logger)
        let database = Database(client: client, logger: logger)
        let migrator = try Migrator()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            if migrate { try await migrator.migrate(client, logger: logger) }
            try await prepare(database)
            let modules = Modules(database: database, jwtVerifier: configuration.jwtSecret.map(JWTVerifier.init(secret:)), migrator: migrator, webhooks: configuration.webhooks)
            let bound = BoundAddresses(expected: 2, onComplete: onListening)
            let core = Application(
                router: modules.coreRouter(),
                configuration: .init(address: .hostname(configuration.host, port: configuration.apiPort), serverName: "kaiten"),
                onServerRunning: { await bound.record(\.core, $0) },
                logger: logger
            )
            let platform = Application(
                router: modules.platformRouter(),
                configuration: .init(address: .hostname(configuration.host, port: configuration.platformPort), serverName: "kaiten-platform"),
                onServerRunning: { await bound.record(\.platform, $0) },
                logger: logger
            )
            let services = ServiceGroup(
                configuration: .init(services: [core, platform] + services(database), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            )
            try await services.run()
            group.cancelAll()
        }
    }
}

/// Collects the listeners' bound addresses and reports them once all are up.
private actor BoundAddresses {
    struct Addresses {
        var core = ""
        var platform = ""
    }

    private var addresses = Addresses()
    private var remaining: Int
    private let onComplete: @Sendable (KaitenServer.Endpoints) async -> Void

    init(expected: Int, onComplete: @escaping @Sendable (KaitenServer.Endpoints) async -> Void) {
        remaining = expected
        self.onComplete = onComplete
    }

    func record(_ key: WritableKeyPath<Addresses, String>, _ channel: any Channel) async {
        let address = channel.localAddress
        addresses[keyPath: key] = "http://\(address?.ipAddress ?? "127.0.0.1"):\(address?.port ?? 0)/api"
        remaining -= 1
        if remaining == 0 {
            await onComplete(KaitenServer.Endpoints(core: addresses.core, platform: addresses.platform))
        }
    }
}
