import NIOCore

/// `queue.declare` (50,10). An empty name asks the broker to name the queue.
package struct QueueDeclare: Hashable, Sendable {
    package var queue: String
    package var passive: Bool
    package var durable: Bool
    package var exclusive: Bool
    package var autoDelete: Bool
    package var noWait: Bool
    /// E.g. `x-dead-letter-exchange`, `x-queue-type`, `x-message-ttl`.
    package var arguments: AMQPTable

    package init(
        queue: String, passive: Bool = false, durable: Bool = true, exclusive: Bool = false, autoDelete: Bool = false,
        noWait: Bool = false, arguments: AMQPTable = [:]
    ) {
        self.queue = queue
        self.passive = passive
        self.durable = durable
        self.exclusive = exclusive
        self.autoDelete = autoDelete
        self.noWait = noWait
        self.arguments = arguments
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        _ = try buffer.readAMQPInteger("reserved-1", as: UInt16.self)
        let queue = try buffer.readShortString("queue")
        let bits = try buffer.readBits(5, "flags")
        return Self(
            queue: queue, passive: bits[0], durable: bits[1], exclusive: bits[2], autoDelete: bits[3], noWait: bits[4],
            arguments: try buffer.readTable("arguments")
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(0))
        buffer.writeShortString(queue)
        buffer.writeBits(passive, durable, exclusive, autoDelete, noWait)
        buffer.writeTable(arguments)
    }
}

/// `queue.declare-ok` (50,11).
package struct QueueDeclareOk: Hashable, Sendable {
    package var queue: String
    package var messageCount: UInt32
    package var consumerCount: UInt32

    package init(queue: String, messageCount: UInt32, consumerCount: UInt32) {
        self.queue = queue
        self.messageCount = messageCount
        self.consumerCount = consumerCount
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        Self(
            queue: try buffer.readShortString("queue"), messageCount: try buffer.readAMQPInteger("message-count"),
            consumerCount: try buffer.readAMQPInteger("consumer-count")
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeShortString(queue)
        buffer.writeInteger(messageCount)
        buffer.writeInteger(consumerCount)
    }
}

/// `queue.bind` (50,20).
package struct QueueBind: Hashable, Sendable {
    package var queue: String
    package var exchange: String
    package var routingKey: String
    package var noWait: Bool
    package var arguments: AMQPTable

    package init(queue: String, exchange: String, routingKey: String = "", noWait: Bool = false, arguments: AMQPTable = [:]) {
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
        self.noWait = noWait
        self.arguments = arguments
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        _ = try buffer.readAMQPInteger("reserved-1", as: UInt16.self)
        return Self(
            queue: try buffer.readShortString("queue"), exchange: try buffer.readShortString("exchange"),
            routingKey: try buffer.readShortString("routing-key"), noWait: try buffer.readBits(1, "no-wait")[0],
            arguments: try buffer.readTable("arguments")
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(0))
        buffer.writeShortString(queue)
        buffer.writeShortString(exchange)
        buffer.writeShortString(routingKey)
        buffer.writeBits(noWait)
        buffer.writeTable(arguments)
    }
}
