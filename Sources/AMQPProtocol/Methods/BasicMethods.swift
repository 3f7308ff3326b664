import NIOCore

/// `basic.qos` (60,10). RabbitMQ applies `prefetchCount` per consumer when `global` is false, per channel when
/// true, and does not implement `prefetchSize`.
public struct BasicQos: Hashable, Sendable {
    public var prefetchSize: UInt32
    public var prefetchCount: UInt16
    public var global: Bool

    public init(prefetchSize: UInt32 = 0, prefetchCount: UInt16, global: Bool = false) {
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
public struct BasicConsume: Hashable, Sendable {
    public var queue: String
    public var consumerTag: String
    public var noLocal: Bool
    public var noAck: Bool
    public var exclusive: Bool
    public var noWait: Bool
    public var arguments: AMQPTable

    public init(
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
public struct BasicPublish: Hashable, Sendable {
    public var exchange: String
    public var routingKey: String
    /// Return the message (`basic.return`) instead of dropping it when no queue is bound.
    public var mandatory: Bool
    public var immediate: Bool

    public init(exchange: String, routingKey: String, mandatory: Bool = false, immediate: Bool = false) {
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
public struct BasicReturn: Hashable, Sendable {
    public var replyCode: UInt16
    public var replyText: String
    public var exchange: String
    public var routingKey: String

    public init(replyCode: UInt16, replyText: String, exchange: String, routingKey: String) {
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
public struct BasicDeliver: Hashable, Sendable {
    public var consumerTag: String
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String

    public init(consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String) {
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
public struct BasicAcknowledgement: Hashable, Sendable {
    public var deliveryTag: UInt64
    public var multiple: Bool
    public var requeue: Bool

    public init(deliveryTag: UInt64, multiple: Bool = false, requeue: Bool = false) {
        self.deliveryTag = deliveryTag
        self.multiple = multiple
        self.requeue = requeue
    }
}
