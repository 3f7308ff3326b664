import AMQPClient
import Foundation
import Hummingbird
import KaitenAuditTrail
import KaitenCore
import KaitenPipeline
import KaitenWebhooks
import Logging
import ServiceLifecycle

/// `kaiten worker`: the consumers behind the bus, webhook delivery (configured by `KAITEN_WEBHOOKS_*`) and
/// the retention sweep.
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

    static func dispatcher(_ database: Database, webhooks: WebhooksModule) -> EventDispatcher {
        EventDispatcher(database: database, consumers: [AuditTrailModule(database: database).consumer, webhooks.consumer])
    }

    static func services(_ configuration: PipelineConfiguration, transport: Transport, database: Database, logger: Logger) throws -> [any Service] {
        let webhooks = WebhooksModule(database: database, configuration: try WebhooksConfiguration(environment: ProcessInfo.processInfo.environment))
        let dispatcher = dispatcher(database, webhooks: webhooks)
        var sweeping = RetentionSweeper.Configuration()
        sweeping.relayMode = configuration.relayMode
        let sweeper = RetentionSweeper(database: database, configuration: sweeping)
        switch transport {
        case .rabbitmq:
            var consuming = RabbitMQWorker.Configuration()
            consuming.consumerID = configuration.consumerID
            consuming.queueType = configuration.queueType
            let broker = AMQPConnectionService(
                configuration: try AMQPConfiguration(url: configuration.amqpURL, connectionName: "kaiten-worker"),
                topology: RabbitMQWorker.topology(consuming),
                logger: logger
            )
            return [
                broker, RabbitMQWorker(connection: broker, dispatcher: dispatcher, configuration: consuming, logger: logger), sweeper,
                webhooks.deliveryService,
            ]
        case .dapr:
            let listener = Application(
                router: DaprSubscription.router(dispatcher: dispatcher, logger: logger),
                configuration: .init(address: .hostname(configuration.daprHost, port: configuration.daprPort), serverName: "kaiten-worker"),
                logger: logger
            )
            return [listener, sweeper, webhooks.deliveryService]
        }
    }
}
