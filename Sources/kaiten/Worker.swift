import ArgumentParser
import Foundation
import KaitenApp
import Logging

extension WorkerTransport: ExpressibleByArgument {}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Consume Kaiten's events (audit trail) and sweep expired outbox, inbox and token rows of KAITEN_DATABASE_URL."
    )

    @Option(
        help:
            "rabbitmq: consume the queue <KAITEN_WORKER_CONSUMER_ID>-kaiten.events at KAITEN_AMQP_URL; dapr: serve a Dapr sidecar on KAITEN_DAPR_APP_PORT (6070)."
    )
    var transport: WorkerTransport = .rabbitmq
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        try await CompositionRoot.worker(try PipelineConfiguration.fromEnvironment(), transport: transport, logger: logging.makeLogger())
    }
}
