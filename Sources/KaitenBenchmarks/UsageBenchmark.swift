import EmbeddedServers
import Foundation
import KaitenApp
import KaitenCore
import KaitenDevelopment
import KaitenMigrations
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PostgresNIO
import Synchronization

/// `kaiten bench usage`: how many usage reports per second Kaiten accepts through its HTTP API, next to
/// what `pgbench`'s TPC-B-like transaction does on the same PostgreSQL.
///
/// With one pair (the default) both workloads serialize on one row: every report goes to one instance and
/// entitlement, so each waits for the pair's lock; at scale 1 every pgbench transaction updates the one branch
/// row. The ratio then compares the cost of a report (HTTP, authentication, five statements, the journal and
/// the events) with the cost of a minimal write transaction of the same shape. Spread over many pairs, reports
/// rarely wait for one another, and group commit has little to batch.
package struct UsageBenchmark: Sendable {
    package var dataDirectory: URL
    package var clients = 16
    /// Instances reported on, each with the one entitlement: the pairs the reports are spread over.
    package var pairs = 1
    package var duration: Duration = .seconds(10)
    package var warmUp: Duration = .seconds(2)
    /// fsync and synchronous commit on, as a production server runs.
    package var durable = true
    package var pgbench = "/usr/lib/postgresql/15/bin/pgbench"

    package init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    package struct Result: Sendable, CustomStringConvertible {
        package let reportsPerSecond: Double
        package let acceptedReports: Int
        package let failedReports: Int
        package let latency: LatencySample
        package let pgbenchTransactionsPerSecond: Double
        package let pairs: Int

        package var ratio: Double { reportsPerSecond / pgbenchTransactionsPerSecond }

        package var description: String {
            return """
                usage reports   \(String(format: "%.0f", reportsPerSecond))/s accepted over \(pairs) pair\(pairs == 1 ? "" : "s") (\(acceptedReports) accepted, \(failedReports) failed), \
                p50 \(latency.milliseconds(0.50)), p99 \(latency.milliseconds(0.99))
                pgbench tpcb    \(String(format: "%.0f", pgbenchTransactionsPerSecond)) transactions/s
                ratio           \(String(format: "%.2f", ratio))× pgbench
                """
        }
    }

    package func run(logger: Logger) async throws -> Result {
        var configuration = EmbeddedPostgres.Configuration(
            dataDirectory: dataDirectory.appendingPathComponent("postgres"), port: try LoopbackPort.free())
        configuration.durable = durable
        let postgres = EmbeddedPostgres(configuration: configuration, logger: logger)
        // pgbench runs to completion in a blocking call, which belongs on a thread of its own.
        let spawner = DedicatedThreadExecutor()
        defer { spawner.shutdown() }
        try await postgres.start()
        do {
            let result = try await measure(postgres: postgres, spawner: spawner, logger: logger)
            await postgres.stop()
            return result
        } catch {
            await postgres.stop()
            throw error
        }
    }

    private func measure(postgres: EmbeddedPostgres, spawner: DedicatedThreadExecutor, logger: Logger) async throws -> Result {
        let port = postgres.configuration.port
        let user = postgres.configuration.superuser
        try await DatabaseProvisioning.ensureDatabase("kaiten", host: "127.0.0.1", port: port, user: user, logger: logger)
        let server = ServerConfiguration(
            apiPort: 0,
            platformPort: 0,
            database: .init(host: "127.0.0.1", port: port, username: user, password: nil, database: "kaiten", tls: .disable)
        )
        let directory = dataDirectory
        let pairs = pairs
        let ready = ReadySignal()
        let reports = try await withThrowingTaskGroup(of: Void.self) { group -> ReportMeasurement in
            group.addTask {
                do {
                    try await CompositionRoot.serve(
                        server,
                        migrate: true,
                        logger: logger,
                        prepare: { database in await ready.setToken(try await Self.prepare(database, directory: directory, pairs: pairs)) },
                        onListening: { endpoints in await ready.setEndpoint(endpoints.core) }
                    )
                    await ready.fail(BenchmarkError.serverStopped)
                } catch {
                    await ready.fail(error)
                    throw error
                }
            }
            let (endpoint, token) = try await ready.wait()
            let measurement = try await ReportLoad(endpoint: endpoint, token: token, clients: clients, pairs: pairs).run(
                warmUp: warmUp, duration: duration)
            group.cancelAll()
            return measurement
        }
        try await DatabaseProvisioning.ensureDatabase("pgbench", host: "127.0.0.1", port: port, user: user, logger: logger)
        let tps = try await withTaskExecutorPreference(spawner) { try runPgbench(port: port, user: user) }
        return Result(
            reportsPerSecond: Double(reports.accepted) / reports.seconds,
            acceptedReports: reports.accepted,
            failedReports: reports.failed,
            latency: reports.latency,
            pgbenchTransactionsPerSecond: tps,
            pairs: pairs
        )
    }

    /// The development organization and token, and `pairs` instances (`bench-1`, …) whose license grants
    /// `api-calls` without limit, so every report is accepted. Written by SQL: the benchmark measures reports,
    /// not setup.
    private static func prepare(_ database: Database, directory: URL, pairs: Int) async throws -> String {
        let credentials = try await DevelopmentCredentials.ensure(in: directory, jwtSecret: "bench", database: database)
        let organization = credentials.organizationID
        let statements: [PostgresQuery] = [
            "DELETE FROM instance WHERE organization_id = \(organization) AND slug LIKE 'bench-%'",
            "INSERT INTO customer (organization_id, name, slug) VALUES (\(organization), 'Bench', 'bench') ON CONFLICT DO NOTHING",
            """
            INSERT INTO license_family (organization_id, slug) VALUES (\(organization), 'bench') ON CONFLICT DO NOTHING
            """,
            """
            INSERT INTO license (organization_id, family_id, name, slug, type, version, version_name)
            SELECT \(organization), id, 'Bench', 'bench', 'PAID', 1, 'Version - 1' FROM license_family
            WHERE organization_id = \(organization) AND slug = 'bench'
            ON CONFLICT DO NOTHING
            """,
            """
            INSERT INTO entitlement (organization_id, name, slug, type, aggregation_method)
            VALUES (\(organization), 'API calls', 'api-calls', 'NUMBER', 'SUM') ON CONFLICT DO NOTHING
            """,
            """
            INSERT INTO license_entitlement (organization_id, license_id, entitlement_id, value, limit_cap_exceeded_overage_percent)
            SELECT \(organization), l.id, e.id, '{"type":"number","value":-1}', -1
            FROM license l, entitlement e
            WHERE l.organization_id = \(organization) AND l.slug = 'bench' AND e.organization_id = \(organization) AND e.slug = 'api-calls'
            ON CONFLICT DO NOTHING
            """,
            """
            INSERT INTO instance (organization_id, name, slug, customer_id, license_id)
            SELECT \(organization), 'Bench ' || n, 'bench-' || n, c.id, l.id
            FROM customer c, license l, generate_series(1, \(pairs)) n
            WHERE c.organization_id = \(organization) AND c.slug = 'bench' AND l.organization_id = \(organization) AND l.slug = 'bench'
            """,
        ]
        for statement in statements { try await database.client.query(statement, logger: database.logger) }
        return credentials.organizationToken
    }

    /// pgbench's built-in TPC-B-like script at scale 1, 16 clients on 2 threads for 10 seconds.
    private func runPgbench(port: Int, user: String) throws -> Double {
        let common = ["-h", "127.0.0.1", "-p", "\(port)", "-U", user]
        _ = try ExternalCommand.run(pgbench, ["-i", "-q"] + common + ["pgbench"])
        let output = try ExternalCommand.run(pgbench, common + ["-c", "16", "-j", "2", "-T", "10", "pgbench"])
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let tps = Double(line.dropFirst(6).prefix { $0.isNumber || $0 == "." })
        else { throw BenchmarkError.failed("pgbench", output) }
        return tps
    }

}

/// Hands the server's address and the benchmark's token from the server task to the load.
actor ReadySignal {
    private var endpoint: String?
    private var token: String?
    private var waiter: CheckedContinuation<(String, String), any Error>?

    func setToken(_ token: String) {
        self.token = token
        resume()
    }
    func setEndpoint(_ endpoint: String) {
        self.endpoint = endpoint
        resume()
    }

    func fail(_ error: any Error) {
        waiter?.resume(throwing: error)
        waiter = nil
    }

    func wait() async throws -> (String, String) {
        if let endpoint, let token { return (endpoint, token) }
        return try await withCheckedThrowingContinuation { waiter = $0 }
    }

    private func resume() {
        guard let endpoint, let token, let waiter else { return }
        self.waiter = nil
        waiter.resume(returning: (endpoint, token))
    }
}

/// What the load measured: outcomes and the latency of every accepted report.
struct ReportMeasurement: Sendable {
    var accepted = 0
    var failed = 0
    var latency = LatencySample()
    var seconds = 0.0
}

/// Concurrent clients, each on its own keep-alive connection, reporting one API call at a time; each client
/// goes through the pairs in turn, starting from its own.
struct ReportLoad {
    let endpoint: String
    let token: String
    let clients: Int
    let pairs: Int

    func run(warmUp: Duration, duration: Duration) async throws -> ReportMeasurement {
        let client = try KeepAliveClient(endpoint: endpoint)
        let base = URLComponents(string: endpoint)!.path
        let body = ByteBuffer(string: #"{"value":{"type":"number","value":1},"behavior":"append"}"#)
        let heads = (1...pairs).map { pair in
            HTTPRequestHead(
                version: .http1_1, method: .POST, uri: base + "/instances/bench-\(pair)/entitlements/api-calls/usage",
                headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
            )
        }
        let clock = ContinuousClock()
        let start = clock.now
        let measuringFrom = start + warmUp
        let end = measuringFrom + duration
        // The load's own event loop, so the server's loops serve only the server.
        let loadGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var total = try await withThrowingTaskGroup(of: ReportMeasurement.self) { group in
            for first in 0..<clients {
                group.addTask {
                    try await client.withConnection(on: loadGroup) { send in
                        var measurement = ReportMeasurement()
                        var pair = first % heads.count
                        while clock.now < end {
                            let sent = clock.now
                            let answer = try await send(heads[pair], body)
                            pair = (pair + 1) % heads.count
                            guard sent >= measuringFrom else { continue }
                            if answer.status == .ok {
                                measurement.accepted += 1
                                measurement.latency.record(clock.now - sent)
                            } else {
                                measurement.failed += 1
                            }
                        }
                        return measurement
                    }
                }
            }
            var total = ReportMeasurement()
            for try await measurement in group {
                total.accepted += measurement.accepted
                total.failed += measurement.failed
                total.latency.merge(measurement.latency)
            }
            return total
        }
        try await loadGroup.shutdownGracefully()
        let measured = clock.now - measuringFrom
        total.seconds = measured.seconds
        return total
    }
}
