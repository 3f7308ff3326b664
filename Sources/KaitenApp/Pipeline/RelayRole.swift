import AMQPClient
import KaitenCore
import KaitenPipeline
import Logging
import ServiceLifecycle

/// `kaiten relay`: the outbox to RabbitMQ, by polling or from the WAL.
public enum RelayRole {
    public static func run(_ configuration: PipelineConfiguration, mode: RelayMode, logger: Logger) async throws {
        try await configuration.run(logger: logger) { database in
            try services(configuration, mode: mode, database: database, logger: logger)
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
        let relay: any Service =
            switch mode {
            case .poll: PollingRelay(database: database, publisher: publisher)
            case .cdc: try CDCRelay(database: database, connection: configuration.database, publisher: publisher)
            }
        return [broker, relay]
    }
}
