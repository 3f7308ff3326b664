import ArgumentParser
import Foundation
import KaitenApp
import KaitenPipeline
import Logging

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Kaiten against its own embedded PostgreSQL.",
        subcommands: [Usage.self, Pipeline.self, Webhooks.self]
    )

    struct Usage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accepted usage reports per second through the HTTP API, next to pgbench's TPC-B-like rate on the same PostgreSQL."
        )

        @Option(help: "Where the benchmark's PostgreSQL cluster lives (a fresh temporary directory by default).")
        var dataDir: String?
        @Option(help: "Concurrent HTTP clients.") var clients: Int = 16
        @Option(help: "Seconds measured, after two seconds of warm-up.") var seconds: Int = 10
        @Flag(help: "Run PostgreSQL with fsync and synchronous commit off.") var nonDurable = false
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            let directory = dataDir.map { URL(fileURLWithPath: $0).standardizedFileURL }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("kaiten-bench-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var benchmark = UsageBenchmark(dataDirectory: directory)
            benchmark.clients = clients
            benchmark.duration = .seconds(seconds)
            benchmark.durable = !nonDurable
            print("kaiten bench usage: \(clients) clients, \(seconds) s, PostgreSQL \(nonDurable ? "non-durable" : "durable") in \(directory.path)")
            print(try await benchmark.run(logger: logging.makeLogger()))
        }
    }

    struct Pipeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: """
                Events per second from the outbox through kaiten relay to RabbitMQ, and commit → consumer latency, \
                next to PostgreSQL committing the same inserts and pg_recvlogical decoding them.
                """
        )

        @Option(help: "Where the benchmark's PostgreSQL cluster lives (a fresh temporary directory by default).")
        var dataDir: String?
        @Option(help: "The relay mode measured: cdc or poll.") var mode: RelayMode = .cdc
        @Option(help: "Concurrent writers for the commit-rate baseline.") var writers: Int = 8
        @Option(help: "Seconds of the commit-rate baseline.") var seconds: Int = 5
        @Option(help: "Events per second committed while measuring latency.") var rate: Int = 1_000
        @Option(help: "Seconds of the latency measurement.") var latencySeconds: Int = 10
        @Flag(help: "Run PostgreSQL with fsync and synchronous commit off.") var nonDurable = false
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            let directory = dataDir.map { URL(fileURLWithPath: $0).standardizedFileURL }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("kaiten-bench-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var benchmark = PipelineBenchmark(dataDirectory: directory, relayExecutable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath())
            benchmark.mode = mode
            benchmark.writers = writers
            benchmark.baselineDuration = .seconds(seconds)
            benchmark.latencyRate = rate
            benchmark.latencyDuration = .seconds(latencySeconds)
            benchmark.durable = !nonDurable
            print("kaiten bench pipeline: \(mode.rawValue) relay, \(writers) writers, PostgreSQL \(nonDurable ? "non-durable" : "durable") in \(directory.path)")
            print(try await benchmark.run(logger: logging.makeLogger()))
        }
    }
}
