import AMQPClient
import Hummingbird
import KaitenAuditTrail
import KaitenCore
import KaitenPipeline
import Logging
import ServiceLifecycle

/// `kaiten worker`: the consumers behind the bus, and the retention sweep.
public enum WorkerRole {
    public enum Transport: String, Sendable, CaseIterable {
        /// Consumes the consumer group's queue itself.
        case rabbitmq
        /// Serves Dapr's subscription endpoints; a Dapr sidecar owns the broker connection.
        case dapr
    }

    public static func run(_ configuration: PipelineConfiguration, transport: Transport, logger: Logger) async throws {
        try await configuration.run(logger: logger) { database in
            try services(configuration, transport: transport, database: database, logger: logger)
        }
    }

    static func dispatcher(_ database: Database) -> EventDispatcher {
        EventDispatcher(database: database, consumers: [AuditTrailModule(database: database).consumer])
    }

    static func services(_ configuration: PipelineConfiguration, transport: Transport, database: Database, logger: Logger) throws -> [any Service] {
        let dispatcher = dispatcher(database)
        var sweeping = RetentionSweeper.Configuration()
        sweeping.relayMode = configuration.relayMode
        let sweeper = RetentionSweeper(database: database, configuration: sweeping)
        switch transport {
        case .rabbitmq:
            var consuming = RabbitMQWorker.Configuration()
            consuming.consumerID = configuration.consumerID
            let broker = AMQPConnectionService(
                configuration: try AMQPConfiguration(url: configuration.amqpURL, connectionName: "kaiten-worker"),
                topology: RabbitMQWorker.topology(consuming),
                logger: logger
            )
            return [broker, RabbitMQWorker(connection: broker, dispatcher: dispatcher, configuration: consuming, logger: logger), sweeper]
        case .dapr:
            let listener = Application(
                router: DaprSubscription.router(dispatcher: dispatcher, logger: logger),
                configuration: .init(address: .hostname(configuration.daprHost, port: configuration.daprPort), serverName: "kaiten-worker"),
                logger: logger
            )
            return [listener, sweeper]
        }
    }
}
