import ArgumentParser
import Foundation
import KaitenBenchmarks
import Logging

extension Bench {
    struct Delivery: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "API write committed → webhook 2xx, end to end, through kaiten dev's in-process pipeline and through production's (CDC relay → RabbitMQ → worker)."
        )

        @OptionGroup var storage: BenchmarkStorage
        @Option(help: "API writes per second (customer creations), each delivered to its organization's endpoint.") var rate: Int = 1000
        @Option(help: "Seconds of writes per path.") var seconds: Int = 10
        @Option(help: "Organizations the writes are spread over, one endpoint each.") var organizations: Int = 10
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            try await storage.withDirectory { directory in
                var benchmark = DeliveryBenchmark(dataDirectory: directory)
                benchmark.rate = rate
                benchmark.duration = .seconds(seconds)
                benchmark.organizations = organizations
                print(
                    "kaiten bench delivery: \(rate) writes/s for \(seconds) s per path over \(organizations) organizations, PostgreSQL in \(directory.path)"
                )
                print(try await benchmark.run(logger: logging.makeLogger()))
            }
        }
    }
}
