import AMQPClient
import AMQPProtocol
import KaitenCore
import NIOCore

/// Publishes events to Kaiten's fanout exchange, as Debezium Server's RabbitMQ sink does: persistent
/// CloudEvents JSON messages whose `message-id` is the outbox row's id (what consumers deduplicate on) and
/// whose `type` is the Kaiten event type, with the trace context in the headers.
///
/// Every batch goes through the connection service's confirm-mode channel in one pipelined write, so
/// `publish` returns once the broker has taken responsibility for the whole batch (persisted it, for a durable
/// queue) after about one round trip. One channel keeps the batch's order on every queue, so each
/// organization's events stay in the order the relay read them.
package struct RabbitMQPublisher: EventPublisher {
    package static let contentType = "application/cloudevents+json"

    let connection: AMQPConnectionService
    let exchange: KaitenExchange

    package init(connection: AMQPConnectionService, exchange: KaitenExchange = .standard) {
        self.connection = connection
        self.exchange = exchange
    }

    package func publish(_ envelopes: [CloudEventEnvelope]) async throws {
        let messages = envelopes.map { AMQPOutgoingMessage(body: ByteBuffer(bytes: $0.bytes), properties: Self.properties(of: $0)) }
        try await connection.publish(messages, exchange: exchange.name)
    }

    /// The message properties of an envelope.
    package static func properties(of envelope: CloudEventEnvelope) -> AMQPProperties {
        var headers: AMQPTable = [:]
        var type = CloudEventEnvelope.heartbeatType
        if case .record(let record) = envelope.content {
            type = record.eventType
            headers["organization_id"] = .string(record.organizationID.lowercased)
            headers["event_name"] = .string(record.eventName)
            for (key, value) in record.headers { headers[key] = .string(value) }
        }
        for (key, value) in envelope.trace.headers { headers[key] = .string(value) }
        return AMQPProperties(
            contentType: contentType,
            headers: headers,
            deliveryMode: AMQPProperties.persistentDeliveryMode,
            messageID: envelope.messageID ?? envelope.id,
            type: type
        )
    }
}
