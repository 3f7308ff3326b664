import EmbeddedServers
import Foundation
import KaitenApp
import KaitenCore
import KaitenDevelopment
import KaitenIdentity
import KaitenMigrations
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PostgresNIO

/// `kaiten bench console`: each console page's time at the server, size and SQL statements, on an organization
/// seeded with ``DemoData`` (1,000 customers, 10,000 instances, a year of weekly usage).
///
/// Statements are counted by PostgreSQL itself (`pg_stat_statements`), so a page that ran one query per row
/// shows it whatever code path issued them.
package struct ConsoleBenchmark: Sendable {
    package var dataDirectory: URL
    package var demo = DemoData()
    package var requests = 200
    package var warmUpRequests = 20

    package init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    /// The pages measured: lists at their first and a deep page, searched and sorted, and details.
    static let pages = [
        "/console/dashboard",
        "/console/customers",
        "/console/customers?page=90&sort=instances&dir=desc",
        "/console/customers?q=99",
        "/console/customers/demo-customer-7",
        "/console/instances",
        "/console/instances?page=900&sort=name&dir=desc",
        "/console/instances?q=instance-77&status=DEGRADED",
        "/console/instances/demo-instance-4242",
        "/console/instances/demo-instance-4242/usage/demo-api-calls",
        "/console/feature-flags",
        "/console/entitlements",
        "/console/entitlements/demo-api-calls",
        "/console/licenses",
        "/console/licenses/demo-team-v1",
        "/console/releases",
        "/console/components",
        "/console/deployment-zones",
        "/console/service-accounts",
        "/console/webhooks",
        "/console/audit-trail",
        "/console/audit-trail?range=7d&q=instance-12",
        "/console/settings/metadata?resourceType=INSTANCE",
    ]

    package struct Measurement: Sendable {
        let path: String
        let status: HTTPResponseStatus
        let latency: LatencySample
        let bytes: Int
        let statementsPerPage: Double
    }

    package struct Result: Sendable, CustomStringConvertible {
        package var seedSeconds = 0.0
        package var measurements: [Measurement] = []

        package var description: String {
            var lines = [
                String(format: "seeded in %.1f s", seedSeconds),
                "page" + String(repeating: " ", count: 54) + "       p50       p99     bytes  SQL/page",
            ]
            for measurement in measurements {
                guard measurement.status == .ok else {
                    lines.append("\(measurement.path.padding(toLength: 58, withPad: " ", startingAt: 0))  not served (\(measurement.status.code))")
                    continue
                }
                let columns = [
                    measurement.latency.milliseconds(0.5), measurement.latency.milliseconds(0.99), String(measurement.bytes),
                    String(format: "%.1f", measurement.statementsPerPage),
                ]
                lines.append(
                    measurement.path.padding(toLength: 58, withPad: " ", startingAt: 0)
                        + columns.map { String(repeating: " ", count: max(1, 10 - $0.count)) + $0 }.joined())
            }
            let served = measurements.filter { $0.status == .ok }
            let slow = served.filter { $0.latency.percentile(0.99) > .milliseconds(50) }.map(\.path)
            let heavy = served.filter { $0.bytes > 150 * 1024 }.map(\.path)
            lines.append("goal p99 ≤ 50 ms: " + (slow.isEmpty ? "met on every page" : "missed on \(slow.joined(separator: ", "))"))
            lines.append("goal ≤ 150 KB:    " + (heavy.isEmpty ? "met on every page" : "missed on \(heavy.joined(separator: ", "))"))
            return lines.joined(separator: "\n")
        }
    }

    package func run(logger: Logger) async throws -> Result {
        var configuration = EmbeddedPostgres.Configuration(
            dataDirectory: dataDirectory.appendingPathComponent("postgres"), port: try LoopbackPort.free())
        configuration.extraSettings["shared_preload_libraries"] = "pg_stat_statements"
        let postgres = EmbeddedPostgres(configuration: configuration, logger: logger)
        try await postgres.start()
        do {
            let result = try await measure(postgres: postgres, logger: logger)
            await postgres.stop()
            return result
        } catch {
            await postgres.stop()
            throw error
        }
    }

    private func measure(postgres: EmbeddedPostgres, logger: Logger) async throws -> Result {
        let port = postgres.configuration.port
        let user = postgres.configuration.superuser
        try await DatabaseProvisioning.ensureDatabase("kaiten", host: "127.0.0.1", port: port, user: user, logger: logger)
        var configuration = ServerConfiguration(
            apiPort: 0, platformPort: 0,
            database: .init(host: "127.0.0.1", port: port, username: user, password: nil, database: "kaiten", tls: .disable)
        )
        configuration.secureConsoleCookies = false
        let server = configuration
        let directory = dataDirectory
        let demo = demo
        let ready = ReadySignal()
        let seeding = SeedTime()
        return try await withThrowingTaskGroup(of: Void.self) { group -> Result in
            group.addTask {
                do {
                    try await CompositionRoot.serve(
                        server, migrate: true, logger: logger,
                        prepare: { database in
                            let credentials = try await DevelopmentCredentials.ensure(in: directory, jwtSecret: "bench", database: database)
                            let started = ContinuousClock.now
                            try await demo.seed(organizationID: credentials.organizationID, database: database)
                            await seeding.set(ContinuousClock.now - started)
                            try await database.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", logger: database.logger)
                            let caller = try await Authenticator(database: database, jwtVerifier: nil)
                                .authenticateOrganization(authorization: "Bearer \(credentials.organizationToken)")
                            await ready.setToken(try await BrowserSessions(database: database).open(for: caller).secret)
                        },
                        onListening: { endpoints in await ready.setEndpoint(endpoints.coreOrigin) }
                    )
                    await ready.fail(BenchmarkError.serverStopped)
                } catch {
                    await ready.fail(error)
                    throw error
                }
            }
            let (origin, session) = try await ready.wait()
            var result = Result()
            result.seedSeconds = await seeding.duration.seconds
            let statistics = PostgresConnection.Configuration(
                host: "127.0.0.1", port: port, username: user, password: nil, database: "kaiten", tls: .disable)
            let connection = try await PostgresConnection.connect(configuration: statistics, id: 1, logger: logger)
            let loadGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let client = try KeepAliveClient(endpoint: origin)
            for path in Self.pages {
                let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: ["Cookie": "kaiten_console_session=\(session)"])
                _ = try await connection.query("SELECT pg_stat_statements_reset()", logger: logger)
                let (status, latency, bytes) = try await timed(client: client, on: loadGroup, head: head)
                var statements = 0
                for try await calls in try await connection.query(
                    "SELECT COALESCE(sum(calls), 0)::bigint FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'", logger: logger
                ).decode(Int.self) {
                    statements = calls
                }
                result.measurements.append(
                    Measurement(
                        path: path, status: status, latency: latency, bytes: bytes,
                        statementsPerPage: Double(statements) / Double(warmUpRequests + requests)))
            }
            try await connection.close()
            try await loadGroup.shutdownGracefully()
            group.cancelAll()
            return result
        }
    }

    /// Requests a page `requests` times after the warm-up, one at a time; a page the console does not serve is
    /// asked once and reported as such.
    private func timed(
        client: KeepAliveClient, on group: any EventLoopGroup, head: HTTPRequestHead
    ) async throws -> (
        HTTPResponseStatus, LatencySample, Int
    ) {
        let warmUp = warmUpRequests
        let requests = requests
        return try await client.withConnection(on: group) { send in
            var latency = LatencySample()
            var bytes = 0
            for index in 0..<(warmUp + requests) {
                let sent = ContinuousClock.now
                let answer = try await send(head, nil)
                guard answer.status == .ok else { return (answer.status, latency, 0) }
                if index >= warmUp { latency.record(ContinuousClock.now - sent) }
                bytes = answer.body.readableBytes
            }
            return (.ok, latency, bytes)
        }
    }
}

private actor SeedTime {
    private(set) var duration: Duration = .zero

    func set(_ duration: Duration) { self.duration = duration }
}
