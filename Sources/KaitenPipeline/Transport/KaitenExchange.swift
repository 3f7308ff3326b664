import AMQPClient
import AMQPProtocol
import Foundation

/// Kaiten's RabbitMQ topology, the one Debezium Server and Dapr's `pubsub.rabbitmq` component set up for the
/// Go server, so either side can be swapped for theirs: a durable fanout exchange the relay publishes to, and
/// per consumer group (Dapr's `consumerID`) a durable queue `<consumerID>-<exchange>` whose rejected messages
/// go to the fanout exchange `<exchange>.dlq` and its queue `<consumerID>-<exchange>.dlq`. No routing keys.
package struct KaitenExchange: Sendable, Equatable {
    /// The kind of queue a consumer group's messages wait in.
    package enum QueueType: String, Sendable, CaseIterable {
        /// Raft-replicated, and an acknowledgement is logged before it takes effect: after a broker crash only
        /// what was unacknowledged comes back. RabbitMQ's recommendation for data that must not be lost.
        case quorum
        /// RabbitMQ's default, and what Dapr's `pubsub.rabbitmq` declares by default. RabbitMQ writes a classic
        /// queue's acknowledgements to disk lazily, so a crashed broker may redeliver most of what had already
        /// been consumed.
        case classic
    }

    /// The exchange Kaiten's events are published to.
    package static let standard = KaitenExchange(name: "kaiten.events")

    package let name: String

    package init(name: String) {
        self.name = name
    }

    /// The dead-letter exchange, which is also Dapr's dead-letter topic.
    package var deadLetterExchange: String { name + ".dlq" }

    /// The queue a consumer group shares: its workers compete for the messages.
    package func queue(consumerID: String) -> String { "\(consumerID)-\(name)" }

    package func deadLetterQueue(consumerID: String) -> String { "\(consumerID)-\(deadLetterExchange)" }

    /// What the relay needs: the exchange alone. A message published before any worker declared its queue is
    /// dropped by the broker (and confirmed), as with Debezium; deploy workers, or pre-declare queues, first.
    package var publisherTopology: AMQPTopology {
        AMQPTopology(exchanges: [ExchangeDeclare(exchange: name, type: "fanout")])
    }

    /// What a worker of `consumerID` needs: both exchanges, its queue and its dead-letter queue, bound. A queue
    /// that exists with another type makes the broker refuse the declaration (406 PRECONDITION_FAILED,
    /// "inequivalent arg 'x-queue-type'"): RabbitMQ cannot change a queue's type in place.
    package func consumerTopology(consumerID: String, queueType: QueueType = .quorum) -> AMQPTopology {
        let queue = queue(consumerID: consumerID)
        let deadLetters = deadLetterQueue(consumerID: consumerID)
        let type: AMQPTable = ["x-queue-type": .string(queueType.rawValue)]
        return AMQPTopology(
            exchanges: [ExchangeDeclare(exchange: name, type: "fanout"), ExchangeDeclare(exchange: deadLetterExchange, type: "fanout")],
            queues: [
                QueueDeclare(queue: queue, arguments: type.merging(["x-dead-letter-exchange": .string(deadLetterExchange)]) { $1 }),
                QueueDeclare(queue: deadLetters, arguments: type),
            ],
            bindings: [QueueBind(queue: queue, exchange: name), QueueBind(queue: deadLetters, exchange: deadLetterExchange)]
        )
    }
}

extension AMQPConfiguration {
    /// A configuration from an `amqp://user:password@host:port/vhost` URL: the vhost is the percent-decoded
    /// path without its leading slash (`%2F` for `/`); no vhost, as in `amqp://guest:guest@127.0.0.1:5672/`,
    /// means the default `/`.
    package init(url text: String, connectionName: String) throws {
        guard let url = URLComponents(string: text), url.scheme == "amqp", let host = url.host, !host.isEmpty else {
            throw AMQPURLError(url: text)
        }
        let virtualHost = String(url.percentEncodedPath.dropFirst()).removingPercentEncoding ?? ""
        self.init(
            host: host,
            port: url.port ?? 5672,
            username: url.user ?? "guest",
            password: url.password ?? "guest",
            virtualHost: virtualHost.isEmpty ? "/" : virtualHost,
            connectionName: connectionName
        )
    }
}

extension [AMQPConfiguration] {
    /// The nodes of a cluster from a comma-separated list of `amqp://` URLs (a single URL is a cluster of one).
    package init(urls text: String, connectionName: String) throws {
        let urls = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !urls.isEmpty else { throw AMQPURLError(url: text) }
        self = try urls.map { try AMQPConfiguration(url: $0, connectionName: connectionName) }
    }
}

package struct AMQPURLError: Error, CustomStringConvertible {
    package let url: String

    package var description: String { "expected amqp://user:password@host[:port][/vhost], got \(url)" }
}
