import Foundation
import KaitenCore
import KaitenPipeline
import KaitenWebhooks
import Logging
import PostgresNIO

/// What the relay and worker roles talk to.
///
/// - Configuration keys (environment):
///   - `KAITEN_DATABASE_URL` (`postgres://user[:password]@host[:port]/database`): PostgreSQL.
///   - `KAITEN_AMQP_URL` (default `amqp://guest:guest@127.0.0.1:5672/`): RabbitMQ; for a cluster, its nodes'
///     URLs separated by commas, tried in turn when a connection fails or is lost.
///   - `KAITEN_RELAY_MODE` (`poll` or `cdc`, default `poll`): how the outbox is relayed; the relay's default
///     mode, and what the worker's retention sweep needs to know (CDC never marks rows published).
///   - `KAITEN_RELAY_SLOT` (default `kaiten_relay`): the CDC relay's replication slot. Slots belong to the whole
///     PostgreSQL cluster, so several Kaiten databases on one cluster need one name each.
///   - `KAITEN_WORKER_CONSUMER_ID` (default `kaiten-worker`): the worker's consumer group, its queue being
///     `<id>-kaiten.events`.
///   - `KAITEN_AMQP_QUEUE_TYPE` (`quorum` or `classic`, default `quorum`): the type the worker declares its
///     queues with; `classic` to keep queues that already exist as classic ones, such as Dapr's.
///   - `KAITEN_DAPR_APP_HOST` (default `127.0.0.1`) and `KAITEN_DAPR_APP_PORT` (default 6070): where the
///     worker listens for its Dapr sidecar.
///   - `KAITEN_WEBHOOKS_*`: the worker's webhook delivery, as ``WebhooksConfiguration`` lists.
///   - `KAITEN_METRICS_PORT` and `KAITEN_METRICS_HOST` (default `127.0.0.1`): where the role serves `/metrics`;
///     unset, it serves none (two workers on one host would otherwise fight over a default port).
///   - `OTEL_*`: traces, as ``TracingConfiguration`` lists.
package struct PipelineConfiguration: Sendable {
    package var database: PostgresClient.Configuration
    package var amqpURL: String
    package var relayMode: RelayMode
    package var relaySlot = CDCRelay.Configuration().slot
    package var consumerID: String
    package var queueType = KaitenExchange.QueueType.quorum
    package var daprHost: String
    package var daprPort: Int
    package var webhooks = WebhooksConfiguration()
    package var metricsHost = "127.0.0.1"
    package var metricsPort: Int?
    package var tracing = TracingConfiguration.disabled

    package init(
        database: PostgresClient.Configuration, amqpURL: String = "amqp://guest:guest@127.0.0.1:5672/", relayMode: RelayMode = .poll,
        consumerID: String = "kaiten-worker", daprHost: String = "127.0.0.1", daprPort: Int = 6070
    ) {
        self.database = database
        self.amqpURL = amqpURL
        self.relayMode = relayMode
        self.consumerID = consumerID
        self.daprHost = daprHost
        self.daprPort = daprPort
    }

    package static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PipelineConfiguration {
        guard let url = environment["KAITEN_DATABASE_URL"] else { throw ConfigurationError.missing("KAITEN_DATABASE_URL") }
        var configuration = PipelineConfiguration(database: try ServerConfiguration.databaseConfiguration(url: url))
        if let amqpURL = environment["KAITEN_AMQP_URL"] { configuration.amqpURL = amqpURL }
        if let mode = environment["KAITEN_RELAY_MODE"] {
            guard let parsed = RelayMode(rawValue: mode) else { throw ConfigurationError.invalid("KAITEN_RELAY_MODE", "expected poll or cdc") }
            configuration.relayMode = parsed
        }
        // The CDC relay refuses a name PostgreSQL would not take when it starts.
        if let slot = environment["KAITEN_RELAY_SLOT"] { configuration.relaySlot = slot }
        if let consumerID = environment["KAITEN_WORKER_CONSUMER_ID"] {
            guard !consumerID.isEmpty else { throw ConfigurationError.invalid("KAITEN_WORKER_CONSUMER_ID", "must not be empty") }
            configuration.consumerID = consumerID
        }
        if let type = environment["KAITEN_AMQP_QUEUE_TYPE"] {
            guard let parsed = KaitenExchange.QueueType(rawValue: type) else {
                throw ConfigurationError.invalid("KAITEN_AMQP_QUEUE_TYPE", "expected quorum or classic")
            }
            configuration.queueType = parsed
        }
        if let host = environment["KAITEN_DAPR_APP_HOST"] { configuration.daprHost = host }
        configuration.daprPort = try ServerConfiguration.port(environment, "KAITEN_DAPR_APP_PORT", default: configuration.daprPort)
        configuration.webhooks = try WebhooksConfiguration(environment: environment)
        configuration.tracing = try TracingConfiguration(environment: environment)
        if let host = environment["KAITEN_METRICS_HOST"] { configuration.metricsHost = host }
        if environment["KAITEN_METRICS_PORT"] != nil {
            configuration.metricsPort = try ServerConfiguration.port(environment, "KAITEN_METRICS_PORT", default: 0)
        }
        return configuration
    }
}
