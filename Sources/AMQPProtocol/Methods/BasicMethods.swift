import NIOCore

/// `basic.qos` (60,10). RabbitMQ applies `prefetchCount` per consumer when `global` is false, per channel when
/// true, and does not implement `prefetchSize`.
package struct BasicQos: Hashable, Sendable {
    package var prefetchSize: UInt32
    package var prefetchCount: UInt16
    package var global: Bool

    package init(prefetchSize: UInt32 = 0, prefetchCount: UInt16, global: Bool = false) {
        self.prefetchSize = prefetchSize
        self.prefetchCount = prefetchCount
        self.global = global
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        Self(
            prefetchSize: try buffer.readAMQPInteger("prefetch-size"), prefetchCount: try buffer.readAMQPInteger("prefetch-count"),
            global: try buffer.readBits(1, "global")[0]
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(prefetchSize)
        buffer.writeInteger(prefetchCount)
        buffer.writeBits(global)
    }
}

/// `basic.consume` (60,20). An empty consumer tag asks the broker to pick one.
package struct BasicConsume: Hashable, Sendable {
    package var queue: String
    package var consumerTag: String
    package var noLocal: Bool
    package var noAck: Bool
    package var exclusive: Bool
    package var noWait: Bool
    package var arguments: AMQPTable

    package init(
        queue: String, consumerTag: String = "", noLocal: Bool = false, noAck: Bool = false, exclusive: Bool = false,
        noWait: Bool = false, arguments: AMQPTable = [:]
    ) {
        self.queue = queue
        self.consumerTag = consumerTag
        self.noLocal = noLocal
        self.noAck = noAck
        self.exclusive = exclusive
        self.noWait = noWait
        self.arguments = arguments
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        _ = try buffer.readAMQPInteger("reserved-1", as: UInt16.self)
        let queue = try buffer.readShortString("queue")
        let consumerTag = try buffer.readShortString("consumer-tag")
        let bits = try buffer.readBits(4, "flags")
        return Self(
            queue: queue, consumerTag: consumerTag, noLocal: bits[0], noAck: bits[1], exclusive: bits[2], noWait: bits[3],
            arguments: try buffer.readTable("arguments")
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(0))
        buffer.writeShortString(queue)
        buffer.writeShortString(consumerTag)
        buffer.writeBits(noLocal, noAck, exclusive, noWait)
        buffer.writeTable(arguments)
    }
}

/// `basic.publish` (60,40); the message follows as a content header and body frames.
package struct BasicPublish: Hashable, Sendable {
    package var exchange: String
    package var routingKey: String
    /// Return the message (`basic.return`) instead of dropping it when no queue is bound.
    package var mandatory: Bool
    package var immediate: Bool

    package init(exchange: String, routingKey: String, mandatory: Bool = false, immediate: Bool = false) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.mandatory = mandatory
        self.immediate = immediate
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        _ = try buffer.readAMQPInteger("reserved-1", as: UInt16.self)
        let exchange = try buffer.readShortString("exchange")
        let routingKey = try buffer.readShortString("routing-key")
        let bits = try buffer.readBits(2, "flags")
        return Self(exchange: exchange, routingKey: routingKey, mandatory: bits[0], immediate: bits[1])
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(0))
        buffer.writeShortString(exchange)
        buffer.writeShortString(routingKey)
        buffer.writeBits(mandatory, immediate)
    }
}

/// `basic.return` (60,50): a mandatory message no queue took; its content follows.
package struct BasicReturn: Hashable, Sendable {
    package var replyCode: UInt16
    package var replyText: String
    package var exchange: String
    package var routingKey: String

    package init(replyCode: UInt16, replyText: String, exchange: String, routingKey: String) {
        self.replyCode = replyCode
        self.replyText = replyText
        self.exchange = exchange
        self.routingKey = routingKey
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        Self(
            replyCode: try buffer.readAMQPInteger("reply-code"), replyText: try buffer.readShortString("reply-text"),
            exchange: try buffer.readShortString("exchange"), routingKey: try buffer.readShortString("routing-key")
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(replyCode)
        buffer.writeShortString(replyText)
        buffer.writeShortString(exchange)
        buffer.writeShortString(routingKey)
    }
}

/// `basic.deliver` (60,60): a message for a consumer; its content follows.
package struct BasicDeliver: Hashable, Sendable {
    package var consumerTag: String
    package var deliveryTag: UInt64
    package var redelivered: Bool
    package var exchange: String
    package var routingKey: String

    package init(consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String) {
        self.consumerTag = consumerTag
        self.deliveryTag = deliveryTag
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        Self(
            consumerTag: try buffer.readShortString("consumer-tag"), deliveryTag: try buffer.readAMQPInteger("delivery-tag"),
            redelivered: try buffer.readBits(1, "redelivered")[0], exchange: try buffer.readShortString("exchange"),
            routingKey: try buffer.readShortString("routing-key")
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeShortString(consumerTag)
        buffer.writeInteger(deliveryTag)
        buffer.writeBits(redelivered)
        buffer.writeShortString(exchange)
        buffer.writeShortString(routingKey)
    }
}

/// `basic.ack` (60,80) and `basic.nack` (60,120, a RabbitMQ extension): sent by a consumer about deliveries,
/// and by the broker about published messages on a channel in confirm mode. `multiple` covers every tag up
/// to and including `deliveryTag`; `requeue` only exists on nack.
package struct BasicAcknowledgement: Hashable, Sendable {
    package var deliveryTag: UInt64
    package var multiple: Bool
    package var requeue: Bool

    package init(deliveryTag: UInt64, multiple: Bool = false, requeue: Bool = false) {
        self.deliveryTag = deliveryTag
        self.multiple = multiple
        self.requeue = requeue
    }
}
