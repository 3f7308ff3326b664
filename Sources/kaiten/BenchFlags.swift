import ArgumentParser
import Foundation
import KaitenBenchmarks
import Logging

extension Bench {
    struct Flags: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Nanoseconds per evaluation of a compiled two-clause CEL rule, next to the common-expression-language PyPI package, and OFREP bulk p50/p99 for 10, 100 and 1,000 flags and for a 304."
        )

        @OptionGroup var storage: BenchmarkStorage
        @Option(help: "A Python with the common-expression-language package (the contract suite's .venv has it).") var python: String =
            ".venv/bin/python"
        @Option(help: "Timed bulk requests per flag count (a fifth of them at 1,000 flags).") var requests: Int = 1500
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            try await storage.withDirectory { directory in
                var benchmark = FlagsBenchmark(dataDirectory: directory)
                benchmark.python = python
                benchmark.requests = requests
                print("kaiten bench flags: \(requests) bulk requests per flag count, PostgreSQL in \(directory.path)")
                print(try await benchmark.run(logger: logging.makeLogger()))
            }
        }
    }
}
