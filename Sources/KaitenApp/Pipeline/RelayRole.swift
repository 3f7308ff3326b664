import AMQPClient
import KaitenCore
import KaitenPipeline
import Logging
import PostgresNIO
import ServiceLifecycle

/// `kaiten relay`: the outbox to RabbitMQ, by polling or from the WAL.
public enum RelayRole {
    public static func run(_ configuration: PipelineConfiguration, mode: RelayMode, logger: Logger) async throws {
        try await configuration.run(logger: logger) { database in
            try services(configuration, mode: mode, database: database, logger: logger)
        }
    }

    /// `kaiten relay cutover --to <mode>`: prepares the outbox for relays of the other mode, with every relay
    /// stopped; returns what an operator should know.
    public static func cutover(_ configuration: PipelineConfiguration, to mode: RelayMode, logger: Logger) async throws -> String {
        let client = PostgresClient(configuration: configuration.database, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let database = Database(client: client, logger: logger)
            switch mode {
            case .poll:
                let report = try await RelayCutover.toPolling(database: database, slot: configuration.relaySlot)
                return """
                    Dropped slot \(configuration.relaySlot): \(report.markedPublished) rows it had confirmed are marked published, \
                    \(report.unconfirmed) it had not are left to the polling relay. Start kaiten relay --mode poll.
                    """
            case .cdc:
                let backlog = try await RelayCutover.toCDC(database: database)
                return "No polling relay holds a claim. Start kaiten relay --mode cdc: it publishes the \(backlog) unpublished rows first."
            }
        }
    }

    /// The broker connection, then the relay publishing through it.
    static func services(_ configuration: PipelineConfiguration, mode: RelayMode, database: Database, logger: Logger) throws -> [any Service] {
        let broker = AMQPConnectionService(
            configuration: try AMQPConfiguration(url: configuration.amqpURL, connectionName: "kaiten-relay"),
            topology: KaitenExchange.standard.publisherTopology,
            logger: logger
        )
        let publisher = RabbitMQPublisher(connection: broker)
        let relay: any Service
        switch mode {
        case .poll:
            relay = PollingRelay(database: database, publisher: publisher)
        case .cdc:
            var streaming = CDCRelay.Configuration()
            streaming.slot = configuration.relaySlot
            relay = try CDCRelay(database: database, connection: configuration.database, publisher: publisher, configuration: streaming)
        }
        return [broker, relay]
    }
}
