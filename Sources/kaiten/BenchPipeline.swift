import ArgumentParser
import Foundation
import KaitenBenchmarks
import KaitenPipeline
import Logging

extension Bench {
    struct Pipeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: """
                Events per second from the outbox through kaiten relay to RabbitMQ, and commit → consumer latency, \
                next to PostgreSQL committing the same inserts and pg_recvlogical decoding them.
                """
        )

        @OptionGroup var storage: BenchmarkStorage
        @Option(help: "The relay mode measured: cdc or poll.") var mode: RelayMode = .cdc
        @Option(help: "The type of the queue the relay's messages land in: quorum (as the worker's) or classic.")
        var queueType: KaitenExchange.QueueType = .quorum
        @Option(help: "Concurrent writers for the commit-rate baseline.") var writers: Int = 8
        @Option(help: "Seconds of the commit-rate baseline.") var seconds: Int = 5
        @Option(help: "Events per second committed while measuring latency.") var rate: Int = 1_000
        @Option(help: "Seconds of the latency measurement.") var latencySeconds: Int = 10
        @Flag(help: "Run PostgreSQL with fsync and synchronous commit off.") var nonDurable = false
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            try await storage.withDirectory { directory in
                var benchmark = PipelineBenchmark(
                    dataDirectory: directory, relayExecutable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath())
                benchmark.mode = mode
                benchmark.queueType = queueType
                benchmark.writers = writers
                benchmark.baselineDuration = .seconds(seconds)
                benchmark.latencyRate = rate
                benchmark.latencyDuration = .seconds(latencySeconds)
                benchmark.durable = !nonDurable
                print(
                    "kaiten bench pipeline: \(mode.rawValue) relay, \(queueType.rawValue) queue, \(writers) writers, PostgreSQL \(nonDurable ? "non-durable" : "durable") in \(directory.path)"
                )
                print(try await benchmark.run(logger: logging.makeLogger()))
            }
        }
    }
}
