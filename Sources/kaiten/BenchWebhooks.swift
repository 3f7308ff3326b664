import ArgumentParser
import Foundation
import KaitenBenchmarks
import Logging

extension Bench {
    struct Webhooks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Webhook deliveries per second to local receivers (ten healthy endpoints, then one of them answering in 5 s, then one throttled), and event → delivery latency."
        )

        @OptionGroup var storage: BenchmarkStorage
        @Option(help: "Endpoints, all receiving every message.") var endpoints: Int = 10
        @Option(help: "Messages fanned out to every endpoint before each run.") var messages: Int = 3000
        @Option(help: "Longest a run measures, in seconds.") var seconds: Int = 10
        @Option(help: "How long the slow endpoint takes to answer, in seconds.") var slowSeconds: Int = 5
        @Option(help: "The throttled endpoint's throttleRate, in deliveries per second.") var throttleRate: Int = 50
        @Option(help: "Events per second, one per transaction, while latency is measured (for 5 s).") var latencyRate: Int = 1000
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            try await storage.withDirectory { directory in
                var benchmark = WebhooksBenchmark(dataDirectory: directory)
                benchmark.endpoints = endpoints
                benchmark.messages = messages
                benchmark.duration = .seconds(seconds)
                benchmark.slowAnswer = .seconds(slowSeconds)
                benchmark.throttleRate = throttleRate
                benchmark.latencyRate = latencyRate
                print(
                    "kaiten bench webhooks: \(endpoints) endpoints, \(messages) messages each, at most \(seconds) s per run, PostgreSQL in \(directory.path)"
                )
                print(try await benchmark.run(logger: logging.makeLogger()))
            }
        }
    }
}
