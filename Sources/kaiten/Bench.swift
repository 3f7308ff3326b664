import ArgumentParser
import Foundation
import KaitenBenchmarks
import Logging

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Kaiten against its own embedded PostgreSQL.",
        subcommands: [Usage.self, Pipeline.self, Webhooks.self, Delivery.self, Flags.self, Console.self]
    )

    struct Usage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accepted usage reports per second through the HTTP API, next to pgbench's TPC-B-like rate on the same PostgreSQL."
        )

        @OptionGroup var storage: BenchmarkStorage
        @Option(help: "Concurrent HTTP clients.") var clients: Int = 16
        @Option(help: "Instance and entitlement pairs the reports are spread over, each client going through them in turn.")
        var pairs: Int = 1
        @Option(help: "Seconds measured, after two seconds of warm-up.") var seconds: Int = 10
        @Flag(help: "Run PostgreSQL with fsync and synchronous commit off.") var nonDurable = false
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard clients > 0, pairs > 0, seconds > 0 else { throw ValidationError("--clients, --pairs and --seconds must be positive") }
        }

        func run() async throws {
            try await storage.withDirectory { directory in
                var benchmark = UsageBenchmark(dataDirectory: directory)
                benchmark.clients = clients
                benchmark.pairs = pairs
                benchmark.duration = .seconds(seconds)
                benchmark.durable = !nonDurable
                print(
                    "kaiten bench usage: \(clients) clients, \(pairs) pair\(pairs == 1 ? "" : "s"), \(seconds) s, PostgreSQL \(nonDurable ? "non-durable" : "durable") in \(directory.path)"
                )
                print(try await benchmark.run(logger: logging.makeLogger()))
            }
        }
    }
}

/// Where a benchmark keeps the servers it starts.
struct BenchmarkStorage: ParsableArguments {
    @Option(help: "Where the benchmark's PostgreSQL cluster lives (a fresh temporary directory by default).")
    var dataDir: String?

    /// Runs `body` with the directory; a temporary one (no `--data-dir`) is removed afterwards, since its
    /// clusters hold hundreds of megabytes nobody will look at again.
    func withDirectory(_ body: (URL) async throws -> Void) async throws {
        let directory =
            dataDir.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("kaiten-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if dataDir == nil { try? FileManager.default.removeItem(at: directory) } }
        try await body(directory)
    }
}
