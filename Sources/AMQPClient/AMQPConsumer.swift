import AMQPProtocol
import NIOCore

/// A message delivered to a consumer, to be acknowledged on the channel it came from.
public struct AMQPDelivery: Sendable {
    public let consumerTag: String
    public let deliveryTag: UInt64
    /// The broker delivered it before, to this or another consumer, without an ack.
    public let redelivered: Bool
    public let exchange: String
    public let routingKey: String
    public let properties: AMQPProperties
    public let body: ByteBuffer
    public let channel: AMQPChannel

    public func ack() async throws {
        try await channel.ack(deliveryTag: deliveryTag)
    }

    public func nack(requeue: Bool) async throws {
        try await channel.nack(deliveryTag: deliveryTag, requeue: requeue)
    }

    public func reject(requeue: Bool) async throws {
        try await channel.reject(deliveryTag: deliveryTag, requeue: requeue)
    }
}

/// The deliveries of one consumer. Ends when the consumer is cancelled or its channel closes cleanly;
/// throws the channel's or connection's error when either fails. The broker's prefetch limit is the
/// backpressure: it sends no more than `basic.qos` allows until deliveries are acknowledged.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery
    public let tag: String
    public let channel: AMQPChannel
    let stream: AsyncThrowingStream<RawDelivery, any Error>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<RawDelivery, any Error>.AsyncIterator
        let channel: AMQPChannel

        public mutating func next() async throws -> AMQPDelivery? {
            guard let raw = try await base.next() else { return nil }
            return AMQPDelivery(
                consumerTag: raw.deliver.consumerTag, deliveryTag: raw.deliver.deliveryTag, redelivered: raw.deliver.redelivered,
                exchange: raw.deliver.exchange, routingKey: raw.deliver.routingKey, properties: raw.message.properties,
                body: raw.message.body, channel: channel
            )
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), channel: channel)
    }
}
