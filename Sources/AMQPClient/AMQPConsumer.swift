import AMQPProtocol
import NIOCore

/// A message delivered to a consumer, to be acknowledged on the channel it came from.
package struct AMQPDelivery: Sendable {
    package let consumerTag: String
    package let deliveryTag: UInt64
    /// The broker delivered it before, to this or another consumer, without an ack.
    package let redelivered: Bool
    package let exchange: String
    package let routingKey: String
    package let properties: AMQPProperties
    package let body: ByteBuffer
    package let channel: AMQPChannel

    package func ack() async throws {
        try await channel.ack(deliveryTag: deliveryTag)
    }

    package func nack(requeue: Bool) async throws {
        try await channel.nack(deliveryTag: deliveryTag, requeue: requeue)
    }

    package func reject(requeue: Bool) async throws {
        try await channel.reject(deliveryTag: deliveryTag, requeue: requeue)
    }
}

/// The deliveries of one consumer. Ends when the consumer is cancelled or its channel closes cleanly;
/// throws the channel's or connection's error when either fails. The broker's prefetch limit is the
/// backpressure: it sends no more than `basic.qos` allows until deliveries are acknowledged.
package struct AMQPConsumer: AsyncSequence, Sendable {
    package typealias Element = AMQPDelivery
    package let tag: String
    package let channel: AMQPChannel
    let stream: AsyncThrowingStream<RawDelivery, any Error>

    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<RawDelivery, any Error>.AsyncIterator
        let channel: AMQPChannel

        package mutating func next() async throws -> AMQPDelivery? {
            guard let raw = try await base.next() else { return nil }
            return AMQPDelivery(
                consumerTag: raw.deliver.consumerTag, deliveryTag: raw.deliver.deliveryTag, redelivered: raw.deliver.redelivered,
                exchange: raw.deliver.exchange, routingKey: raw.deliver.routingKey, properties: raw.message.properties,
                body: raw.message.body, channel: channel
            )
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), channel: channel)
    }
}
