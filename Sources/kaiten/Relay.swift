import ArgumentParser
import Foundation
import KaitenApp
import KaitenPipeline
import Logging

extension RelayMode: ExpressibleByArgument {}

struct Relay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Relay the outbox of KAITEN_DATABASE_URL to RabbitMQ at KAITEN_AMQP_URL (exchange kaiten.events)."
    )

    @Option(help: "poll: claim unpublished rows; cdc: stream the outbox from the WAL (needs wal_level=logical). Default: KAITEN_RELAY_MODE, else poll.")
    var mode: RelayMode?
    @Option(help: "The bus: only rabbitmq.") var transport: RelayTransport = .rabbitmq
    @OptionGroup var logging: LoggingOptions

    enum RelayTransport: String, ExpressibleByArgument, CaseIterable {
        case rabbitmq
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let configuration = try PipelineConfiguration.fromEnvironment()
        try await RelayRole.run(configuration, mode: mode ?? configuration.relayMode, logger: logging.makeLogger())
    }
}
