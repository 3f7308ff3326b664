import EmbeddedServers
import Foundation
import KaitenCore
import KaitenMigrations
import Logging
import NIOPosix
import PostgresNIO

/// One private PostgreSQL for the whole test process, with a migrated template database.
///
/// Swift Testing runs tests in parallel, so every test gets its own database, copied from the template
/// (`CREATE DATABASE … TEMPLATE`), which takes milliseconds. The server runs with fsync off and dies with the
/// test process.
package actor TestDatabaseServer {
    package static let shared = TestDatabaseServer()
    static let templateName = "kaiten_template"

    private var server: EmbeddedPostgres?
    /// Concurrent first callers share one start-up instead of racing to start several servers.
    private var starting: Task<EmbeddedPostgres, any Error>?
    private let logger: Logger = {
        var logger = Logger(label: "kaiten.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh, migrated database for one test.
    package func newDatabase() async throws -> PostgresClient.Configuration {
        let server = try await startedServer()
        let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await DatabaseProvisioning.ensureDatabase(
            name, template: Self.templateName, host: "127.0.0.1", port: server.configuration.port, user: server.configuration.superuser,
            logger: logger
        )
        return configuration(database: name)
    }

    private func startedServer() async throws -> EmbeddedPostgres {
        if let starting { return try await starting.value }
        let task = Task { try await start() }
        starting = task
        return try await task.value
    }

    private func start() async throws -> EmbeddedPostgres {
        Self.removeAbandonedClusters()
        let server = try await Self.launch(logger: logger)
        let configuration = server.configuration
        self.server = server
        try await DatabaseProvisioning.ensureDatabase(
            Self.templateName, host: "127.0.0.1", port: configuration.port, user: configuration.superuser, logger: logger
        )
        let client = PostgresClient(configuration: self.configuration(database: Self.templateName), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await Migrator().migrate(client, logger: logger)
            group.cancelAll()
        }
        return server
    }

    /// Starts a throwaway cluster (fsync off, removed once this process is gone) on a reserved port, and on
    /// another when a process that does not reserve ports took it first (see `LoopbackPort.free()`). A test that
    /// stops and starts PostgreSQL runs its own.
    package static func launch(logger: Logger) async throws -> EmbeddedPostgres {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(clusterPrefix)\(getpid())-\(UUID().uuidString.prefix(8))")
        var attempt = 1
        while true {
            var configuration = EmbeddedPostgres.Configuration(dataDirectory: directory, port: try LoopbackPort.free())
            configuration.durable = false
            // Every test has a pool of its own, and all of them run at once: a full run peaks near 150 sessions.
            configuration.extraSettings["max_connections"] = "400"
            let server = EmbeddedPostgres(configuration: configuration, logger: logger)
            do {
                try await server.start()
                return server
            } catch EmbeddedPostgresError.serverExited(let log) where LoopbackPort.isAddressInUse(log) && attempt < 5 {
                attempt += 1
            }
        }
    }

    private func configuration(database: String) -> PostgresClient.Configuration {
        Self.configuration(of: server!, database: database)
    }

    /// How to reach `database` on `server`.
    package static func configuration(of server: EmbeddedPostgres, database: String) -> PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: "127.0.0.1", port: server.configuration.port, username: server.configuration.superuser, password: nil, database: database,
            tls: .disable
        )
    }

    private static let clusterPrefix = "kaiten-tests-"

    /// A test process ends by exiting, and its cluster dies with it but stays on disk: a database per test
    /// makes it a couple of gigabytes. Each run removes the clusters of test processes that are gone.
    private static func removeAbandonedClusters() {
        let parent = FileManager.default.temporaryDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent.path) else { return }
        for name in names where name.hasPrefix(clusterPrefix) {
            guard let owner = pid_t(name.dropFirst(clusterPrefix.count).prefix { $0 != "-" }), owner != getpid() else { continue }
            if kill(owner, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
            }
        }
    }
}
