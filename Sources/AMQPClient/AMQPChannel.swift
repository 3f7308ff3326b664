import AMQPProtocol
import Foundation
import NIOCore

/// An open channel. Methods on one channel are answered in order; use one channel per concurrent consumer
/// and one (in confirm mode) for publishing. A channel the broker closed throws
/// `AMQPError.channelClosedByBroker` from every call.
package struct AMQPChannel: Sendable {
    package let id: UInt16
    let connection: AMQPConnection

    init(id: UInt16, connection: AMQPConnection) {
        self.id = id
        self.connection = connection
    }

    private var eventLoop: any EventLoop { connection.channel.eventLoop }

    @discardableResult
    func request(_ method: AMQPMethod) async throws -> AMQPMethod {
        let promise = eventLoop.makePromise(of: AMQPMethod.self)
        connection.send(.request(channel: id, method, promise))
        return try await promise.futureResult.get()
    }

    package func exchangeDeclare(_ declare: ExchangeDeclare) async throws {
        try await request(.exchangeDeclare(declare))
    }

    @discardableResult
    package func queueDeclare(_ declare: QueueDeclare) async throws -> QueueDeclareOk {
        guard case .queueDeclareOk(let declared) = try await request(.queueDeclare(declare)) else {
            throw AMQPError.protocolViolation("queue.declare answered with another method")
        }
        return declared
    }

    package func queueBind(_ bind: QueueBind) async throws {
        try await request(.queueBind(bind))
    }

    /// At most `prefetchCount` unacknowledged deliveries per consumer on this channel (`global: false`, as
    /// RabbitMQ interprets it), or for the whole channel (`global: true`).
    package func basicQos(prefetchCount: UInt16, global: Bool = false) async throws {
        try await request(.basicQos(BasicQos(prefetchCount: prefetchCount, global: global)))
    }

    /// Puts the channel in confirm mode: from now on `publish` returns only once the broker has taken
    /// responsibility for the message.
    package func confirmSelect() async throws {
        try await request(.confirmSelect(noWait: false))
    }

    /// Publishes a message. In confirm mode it returns when the broker acks it, and throws
    /// `AMQPError.publishNacked` on a nack and the connection's or channel's error if either ends first; a
    /// caller must treat a throw as "not published". Without confirm mode it returns once written.
    package func publish(
        _ body: ByteBuffer, exchange: String, routingKey: String = "", properties: AMQPProperties = AMQPProperties(), mandatory: Bool = false
    ) async throws {
        let promise = eventLoop.makePromise(of: Void.self)
        let publish = BasicPublish(exchange: exchange, routingKey: routingKey, mandatory: mandatory)
        connection.send(.publish(channel: id, publish, properties, body, promise))
        try await promise.futureResult.get()
    }

    /// Publishes messages in their order without waiting for each confirm in turn, and returns once the broker
    /// has confirmed them all: one round trip for the lot instead of one per message. The channel keeps their
    /// order on every queue they reach. Throws like ``publish(_:exchange:routingKey:properties:mandatory:)`` if
    /// any of them is not confirmed; the caller must then treat the whole batch as unpublished.
    package func publish(_ messages: [AMQPOutgoingMessage], exchange: String) async throws {
        let confirmations = messages.map { message in
            let promise = eventLoop.makePromise(of: Void.self)
            let publish = BasicPublish(exchange: exchange, routingKey: message.routingKey, mandatory: false)
            connection.send(.publish(channel: id, publish, message.properties, message.body, promise))
            return promise.futureResult
        }
        try await EventLoopFuture.andAllSucceed(confirmations, on: eventLoop).get()
    }

    /// Starts a consumer. Deliveries arrive on the returned sequence, which ends when the consumer is
    /// cancelled or the channel closes cleanly, and throws when the channel or connection fails.
    package func consume(
        queue: String, consumerTag: String? = nil, exclusive: Bool = false, arguments: AMQPTable = [:]
    ) async throws -> AMQPConsumer {
        let tag = consumerTag ?? "kaiten-\(UUID().uuidString.lowercased())"
        let (stream, sink) = AsyncThrowingStream<RawDelivery, any Error>.makeStream()
        let promise = eventLoop.makePromise(of: AMQPMethod.self)
        let consume = BasicConsume(queue: queue, consumerTag: tag, exclusive: exclusive, arguments: arguments)
        connection.send(.consume(channel: id, consume, sink, promise))
        _ = try await promise.futureResult.get()
        return AMQPConsumer(tag: tag, channel: self, stream: stream)
    }

    /// Cancels a consumer; its sequence ends once deliveries already sent are drained.
    package func cancel(consumerTag: String) async throws {
        try await request(.basicCancel(consumerTag: consumerTag, noWait: false))
    }

    package func ack(deliveryTag: UInt64, multiple: Bool = false) async throws {
        try await acknowledge(.basicAck(BasicAcknowledgement(deliveryTag: deliveryTag, multiple: multiple)))
    }

    /// `requeue: false` dead-letters the message when its queue has a dead-letter exchange, drops it otherwise.
    package func nack(deliveryTag: UInt64, multiple: Bool = false, requeue: Bool) async throws {
        try await acknowledge(.basicNack(BasicAcknowledgement(deliveryTag: deliveryTag, multiple: multiple, requeue: requeue)))
    }

    package func reject(deliveryTag: UInt64, requeue: Bool) async throws {
        try await acknowledge(.basicReject(deliveryTag: deliveryTag, requeue: requeue))
    }

    private func acknowledge(_ method: AMQPMethod) async throws {
        let promise = eventLoop.makePromise(of: Void.self)
        connection.send(.acknowledge(channel: id, method, promise))
        try await promise.futureResult.get()
    }

    /// The closing handshake; unacknowledged deliveries go back to their queues, unconfirmed publishes fail.
    package func close() async throws {
        let promise = eventLoop.makePromise(of: AMQPMethod.self)
        connection.send(.closeChannel(channel: id, promise))
        _ = try await promise.futureResult.get()
    }
}

/// A message to publish as part of a batch.
package struct AMQPOutgoingMessage: Sendable {
    package var body: ByteBuffer
    package var routingKey: String
    package var properties: AMQPProperties

    package init(body: ByteBuffer, routingKey: String = "", properties: AMQPProperties = AMQPProperties()) {
        self.body = body
        self.routingKey = routingKey
        self.properties = properties
    }
}
