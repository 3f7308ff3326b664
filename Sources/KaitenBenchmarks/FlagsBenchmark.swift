import CEL
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

/// `kaiten bench flags`: what a compiled targeting rule costs, next to the same expression in the
/// `common-expression-language` PyPI package (Rust, called from Python) in the same run, and what OFREP bulk
/// evaluation costs at the server for 10, 100 and 1,000 flags, and for a 304.
package struct FlagsBenchmark: Sendable {
    package var dataDirectory: URL
    /// The Python with `common-expression-language` installed; the comparison is skipped without one.
    package var python = "python3"
    package var flagCounts = [10, 100, 1_000]
    package var requests = 1_500
    package var warmUpRequests = 100

    package init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    static let rule = "user.plan == 'pro' && user.region in ['eu', 'us']"

    package struct Result: Sendable, CustomStringConvertible {
        package var swiftNanoseconds = 0.0
        package var pythonPackageNanoseconds: Double?
        package var bulk: [(flags: Int, latency: LatencySample, bytes: Int)] = []
        package var notModified = LatencySample()

        package var description: String {
            var lines = [
                "rule            \(FlagsBenchmark.rule)",
                "swift CEL       \(String(format: "%.0f", swiftNanoseconds)) ns/evaluation (compiled once, activation bound once)",
                "python package  "
                    + (pythonPackageNanoseconds.map { String(format: "%.0f ns/evaluation (common-expression-language, Context built once)", $0) }
                        ?? "not measured: common-expression-language is not installed for that Python"),
            ]
            for (flags, latency, bytes) in bulk {
                lines.append(
                    "bulk \(flags) flags  p50 \(latency.milliseconds(0.5)), p99 \(latency.milliseconds(0.99)), \(bytes) bytes (\(latency.count) requests)"
                )
            }
            lines.append(
                "bulk 304        p50 \(notModified.milliseconds(0.5)), p99 \(notModified.milliseconds(0.99)) (\(notModified.count) requests)")
            return lines.joined(separator: "\n")
        }
    }

    package func run(logger: Logger) async throws -> Result {
        var result = Result()
        result.swiftNanoseconds = CELEnvironment.benchmarkTargetingRule()
        result.pythonPackageNanoseconds = try? pythonPackageNanoseconds()
        let postgres = EmbeddedPostgres(
            configuration: .init(dataDirectory: dataDirectory.appendingPathComponent("postgres"), port: try LoopbackPort.free()), logger: logger
        )
        try await postgres.start()
        do {
            try await measureOFREP(postgres: postgres, into: &result, logger: logger)
        } catch {
            await postgres.stop()
            throw error
        }
        await postgres.stop()
        return result
    }

    /// The same expression, compiled once, in the PyPI package, timed by Python's own clock.
    private func pythonPackageNanoseconds() throws -> Double {
        let script = """
            import time, cel
            program = cel.compile("\(Self.rule)")
            context = cel.Context({"user": {"plan": "pro", "region": "us", "email": "a@example.com"}})
            assert program.execute(context) is True
            batches = []
            for _ in range(5):
                start = time.perf_counter_ns()
                for _ in range(100000):
                    program.execute(context)
                batches.append((time.perf_counter_ns() - start) / 100000)
            print(sorted(batches)[2])
            """
        let output = try ExternalCommand.run("/usr/bin/env", [python, "-c", script])
        guard let value = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw BenchmarkError.unexpectedResponse(output) }
        return value
    }

    private func measureOFREP(postgres: EmbeddedPostgres, into result: inout Result, logger: Logger) async throws {
        let port = postgres.configuration.port
        let user = postgres.configuration.superuser
        try await DatabaseProvisioning.ensureDatabase("kaiten", host: "127.0.0.1", port: port, user: user, logger: logger)
        let server = ServerConfiguration(
            apiPort: 0, platformPort: 0,
            database: .init(host: "127.0.0.1", port: port, username: user, password: nil, database: "kaiten", tls: .disable)
        )
        let directory = dataDirectory
        let ready = ReadySignal()
        let databaseBox = DatabaseBox()
        let measured = try await withThrowingTaskGroup(of: Void.self) { group -> Result in
            group.addTask {
                do {
                    try await CompositionRoot.serve(
                        server, migrate: true, logger: logger,
                        prepare: { database in
                            await databaseBox.set(database)
                            await ready.setToken(
                                try await DevelopmentCredentials.ensure(in: directory, jwtSecret: "bench", database: database).organizationToken)
                        },
                        onListening: { endpoints in await ready.setEndpoint(endpoints.core) }
                    )
                    await ready.fail(BenchmarkError.serverStopped)
                } catch {
                    await ready.fail(error)
                    throw error
                }
            }
            let (endpoint, token) = try await ready.wait()
            let database = try await databaseBox.database()
            var measured = Result()
            let loadGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let client = try KeepAliveClient(endpoint: endpoint)
            let path = URLComponents(string: endpoint)!.path + "/ofrep/v1/evaluate/flags"
            let context = ByteBuffer(
                string:
                    #"{"context":{"targetingKey":"user-1","plan":"pro","country":"DE","email":"a@example.com","beta":true,"groups":["a","b"],"age":42}}"#
            )
            for count in flagCounts {
                try await Self.load(flags: count, into: database)
                let head = HTTPRequestHead(
                    version: .http1_1, method: .POST, uri: path, headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
                )
                let (latency, bytes, tag) = try await timed(
                    client: client, on: loadGroup, head: head, body: context, requests: count >= 1_000 ? requests / 5 : requests)
                measured.bulk.append((count, latency, bytes))
                if count == 100 {
                    var conditional = head
                    conditional.headers.add(name: "If-None-Match", value: tag)
                    measured.notModified = try await timed(client: client, on: loadGroup, head: conditional, body: context, requests: requests).0
                }
            }
            try await loadGroup.shutdownGracefully()
            group.cancelAll()
            return measured
        }
        result.bulk = measured.bulk
        result.notModified = measured.notModified
    }

    /// Sends `requests` timed requests after the warm-up, one at a time; returns their latencies, the last
    /// answer's size and its ETag.
    private func timed(
        client: KeepAliveClient, on group: any EventLoopGroup, head: HTTPRequestHead, body: ByteBuffer, requests: Int
    ) async throws -> (LatencySample, Int, String) {
        let warmUp = warmUpRequests
        return try await client.withConnection(on: group) { send in
            var latency = LatencySample()
            var last: KeepAliveClient.Answer?
            for index in 0..<(warmUp + requests) {
                let sent = ContinuousClock.now
                let answer = try await send(head, body)
                guard answer.status == .ok || answer.status == .notModified else {
                    throw BenchmarkError.unexpectedResponse("\(answer.status): \(String(buffer: answer.body))")
                }
                if index >= warmUp { latency.record(ContinuousClock.now - sent) }
                last = answer
            }
            return (latency, last?.body.readableBytes ?? 0, last?.headers.first(name: "ETag") ?? "")
        }
    }

    /// Replaces the development organization's flags with `count` flags of one CEL rule each over the
    /// benchmark's context.
    private static func load(flags count: Int, into database: Database) async throws {
        let organization = try await database.first(
            "SELECT id FROM organization WHERE external_id = \(DevelopmentCredentials.organizationExternalID)", as: UUID.self, logger: database.logger
        )!
        try await database.execute("DELETE FROM feature_flag WHERE organization_id = \(organization)", logger: database.logger)
        try await database.execute(
            """
            INSERT INTO feature_flag (organization_id, slug, name, type, variants, targetings, default_variant, metadata, enabled, event_name)
            SELECT \(organization), 'flag-' || n, 'Flag ' || n, 'boolean',
                   '[{"name":"on","description":"","value":true},{"name":"off","description":"","value":false}]',
                   '[{"type":"basic","name":"pro in Europe","rule":"plan == ''pro'' && country in [''DE'', ''FR''] && age > 18","variant":"on"}]',
                   '{"type":"rollout_percentage","distribution":{"on":30,"off":70}}', '{}', true, ''
            FROM generate_series(1, \(count)) AS n
            """,
            logger: database.logger
        )
    }
}

/// The benchmark server's database, handed from its start-up to the load.
private actor DatabaseBox {
    private var value: Database?

    func set(_ database: Database) { value = database }

    func database() throws -> Database {
        guard let value else { throw BenchmarkError.serverStopped }
        return value
    }
}
