import ArgumentParser
import Foundation
import KaitenBenchmarks
import KaitenDevelopment
import Logging

extension Bench {
    struct Console: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Each console page's server time p50/p99, bytes and SQL statements per page, on 1,000 customers, 10,000 instances and a year of weekly usage."
        )

        @OptionGroup var storage: BenchmarkStorage
        @Option(help: "Timed requests per page, after 20 of warm-up.") var requests: Int = 200
        @Option(help: "Customers seeded.") var customers: Int = 1_000
        @Option(help: "Instances seeded.") var instances: Int = 10_000
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            try await storage.withDirectory { directory in
                var benchmark = ConsoleBenchmark(dataDirectory: directory)
                benchmark.requests = requests
                benchmark.demo.customers = customers
                benchmark.demo.instances = instances
                print(
                    "kaiten bench console: \(customers) customers, \(instances) instances, \(requests) requests per page, PostgreSQL in \(directory.path)"
                )
                print(try await benchmark.run(logger: logging.makeLogger()))
            }
        }
    }
}
