import AMQPClient
import AMQPProtocol
import KaitenCore
import NIOCore

/// Publishes events to Kaiten's fanout exchange, as Debezium Server's RabbitMQ sink does: persistent
/// CloudEvents JSON messages whose `message-id` is the outbox row's id (what consumers deduplicate on) and
/// whose `type` is the Kaiten event type, with the trace context in the headers.
///
/// Every message goes through the connection service's confirm-mode channel, so `publish` returns only once
/// the broker has taken responsibility for the whole batch (persisted it, for a durable queue). Messages of one
/// organization are published one after another, keeping their order on the queue; organizations go in
/// parallel, so a batch costs about one confirm round trip per event of its busiest organization.
public struct RabbitMQPublisher: EventPublisher {
    public static let contentType = "application/cloudevents+json"

    let connection: AMQPConnectionService
    let exchange: KaitenExchange

    public init(connection: AMQPConnectionService, exchange: KaitenExchange = .standard) {
        self.connection = connection
        self.exchange = exchange
    }

    public func publish(_ envelopes: [CloudEventEnvelope]) async throws {
        var lanes: [String: [CloudEventEnvelope]] = [:]
        var order: [String] = []
        for envelope in envelopes {
            let key = envelope.organizationKey
            if lanes[key] == nil { order.append(key) }
            lanes[key, default: []].append(envelope)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for key in order {
                let lane = lanes[key] ?? []
                group.addTask {
                    for envelope in lane { try await publish(envelope) }
                }
            }
            try await group.waitForAll()
        }
    }

    private func publish(_ envelope: CloudEventEnvelope) async throws {
        try await connection.publish(ByteBuffer(bytes: envelope.bytes), exchange: exchange.name, properties: Self.properties(of: envelope))
    }

    /// The message properties of an envelope.
    public static func properties(of envelope: CloudEventEnvelope) -> AMQPProperties {
        var headers: AMQPTable = [:]
        var type = CloudEventEnvelope.heartbeatType
        if case .record(let record) = envelope.content {
            type = record.eventType
            headers["organization_id"] = .string(record.organizationID.lowercased)
            headers["event_name"] = .string(record.eventName)
            for (key, value) in record.headers { headers[key] = .string(value) }
        }
        if let traceparent = envelope.traceparent { headers["traceparent"] = .string(traceparent) }
        return AMQPProperties(
            contentType: contentType,
            headers: headers,
            deliveryMode: AMQPProperties.persistentDeliveryMode,
            messageID: envelope.messageID ?? envelope.id,
            type: type
        )
    }
}

extension CloudEventEnvelope {
    /// What orders messages: events of one organization keep their relative order.
    var organizationKey: String {
        guard case .record(let record) = content else { return "" }
        return record.organizationID.lowercased
    }
}
