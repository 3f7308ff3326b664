import NIOCore

/// `exchange.declare` (40,10).
package struct ExchangeDeclare: Hashable, Sendable {
    package var exchange: String
    /// `direct`, `fanout`, `topic` or `headers`.
    package var type: String
    package var passive: Bool
    package var durable: Bool
    package var autoDelete: Bool
    package var `internal`: Bool
    package var noWait: Bool
    package var arguments: AMQPTable

    package init(
        exchange: String, type: String, passive: Bool = false, durable: Bool = true, autoDelete: Bool = false,
        internal: Bool = false, noWait: Bool = false, arguments: AMQPTable = [:]
    ) {
        self.exchange = exchange
        self.type = type
        self.passive = passive
        self.durable = durable
        self.autoDelete = autoDelete
        self.internal = `internal`
        self.noWait = noWait
        self.arguments = arguments
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        _ = try buffer.readAMQPInteger("reserved-1", as: UInt16.self)
        let exchange = try buffer.readShortString("exchange")
        let type = try buffer.readShortString("type")
        let bits = try buffer.readBits(5, "flags")
        return Self(
            exchange: exchange, type: type, passive: bits[0], durable: bits[1], autoDelete: bits[2], internal: bits[3],
            noWait: bits[4], arguments: try buffer.readTable("arguments")
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(0))
        buffer.writeShortString(exchange)
        buffer.writeShortString(type)
        buffer.writeBits(passive, durable, autoDelete, `internal`, noWait)
        buffer.writeTable(arguments)
    }
}
