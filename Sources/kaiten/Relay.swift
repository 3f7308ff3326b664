import ArgumentParser
import Foundation
import KaitenApp
import KaitenPipeline
import Logging

extension RelayMode: ExpressibleByArgument {}
extension KaitenExchange.QueueType: ExpressibleByArgument {}

struct Relay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Relay the outbox of KAITEN_DATABASE_URL to RabbitMQ at KAITEN_AMQP_URL (exchange kaiten.events).",
        subcommands: [Start.self, Cutover.self],
        defaultSubcommand: Start.self
    )

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the relay until SIGTERM or SIGINT (the default).")

        @Option(
            help:
                "poll: claim unpublished rows; cdc: stream the outbox from the WAL (needs wal_level=logical). Default: KAITEN_RELAY_MODE, else poll.")
        var mode: RelayMode?
        @Option(help: "The bus: only rabbitmq.") var transport: RelayTransport = .rabbitmq
        @OptionGroup var logging: LoggingOptions

        enum RelayTransport: String, ExpressibleByArgument, CaseIterable {
            case rabbitmq
        }

        func run() async throws {
            let configuration = try PipelineConfiguration.fromEnvironment()
            try await CompositionRoot.relay(configuration, mode: mode ?? configuration.relayMode, logger: logging.makeLogger())
        }
    }

    struct Cutover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move the outbox to relays of another mode, with every relay stopped, losing nothing.",
            discussion: """
                --to poll: marks what the CDC slot (KAITEN_RELAY_SLOT) confirmed as published, leaves the rest to the \
                polling relay and drops the slot. --to cdc: checks that no polling relay still holds a claim; the CDC \
                relay publishes the unpublished rows when it creates its slot.
                """
        )

        @Option(help: "The mode the relays will run in next: poll or cdc.") var to: RelayMode
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            print(try await Operator.cutoverRelay(try PipelineConfiguration.fromEnvironment(), to: to, logger: logging.makeLogger()))
        }
    }
}
