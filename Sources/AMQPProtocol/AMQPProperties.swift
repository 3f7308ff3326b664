import NIOCore

/// The `basic` class content properties (spec §1.8, "basic" class fields), carried by a content header frame.
///
/// Only the present properties are encoded; a 16-bit flag word says which, highest bit first, in this order.
package struct AMQPProperties: Hashable, Sendable {
    package var contentType: String?
    package var contentEncoding: String?
    package var headers: AMQPTable?
    /// 1 = transient, 2 = persistent: survives a broker restart when routed to a durable queue.
    package var deliveryMode: UInt8?
    package var priority: UInt8?
    package var correlationID: String?
    package var replyTo: String?
    package var expiration: String?
    package var messageID: String?
    /// Seconds since the Unix epoch.
    package var timestamp: UInt64?
    package var type: String?
    package var userID: String?
    package var appID: String?
    /// Deprecated in 0-9-1 ("reserved"), kept so that a round trip preserves it.
    package var clusterID: String?

    package init(
        contentType: String? = nil, contentEncoding: String? = nil, headers: AMQPTable? = nil, deliveryMode: UInt8? = nil,
        priority: UInt8? = nil, correlationID: String? = nil, replyTo: String? = nil, expiration: String? = nil,
        messageID: String? = nil, timestamp: UInt64? = nil, type: String? = nil, userID: String? = nil, appID: String? = nil,
        clusterID: String? = nil
    ) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageID = messageID
        self.timestamp = timestamp
        self.type = type
        self.userID = userID
        self.appID = appID
        self.clusterID = clusterID
    }

    package static let persistentDeliveryMode: UInt8 = 2

    private enum Flag {
        static let contentType: UInt16 = 1 << 15
        static let contentEncoding: UInt16 = 1 << 14
        static let headers: UInt16 = 1 << 13
        static let deliveryMode: UInt16 = 1 << 12
        static let priority: UInt16 = 1 << 11
        static let correlationID: UInt16 = 1 << 10
        static let replyTo: UInt16 = 1 << 9
        static let expiration: UInt16 = 1 << 8
        static let messageID: UInt16 = 1 << 7
        static let timestamp: UInt16 = 1 << 6
        static let type: UInt16 = 1 << 5
        static let userID: UInt16 = 1 << 4
        static let appID: UInt16 = 1 << 3
        static let clusterID: UInt16 = 1 << 2
    }

    static func decode(from buffer: inout ByteBuffer) throws -> AMQPProperties {
        let flags = try buffer.readAMQPInteger("property-flags", as: UInt16.self)
        // Bit 0 set means another flag word follows; no 0-9-1 class defines one, so it is refused.
        guard flags & 1 == 0 else { throw AMQPDecodingError(.truncated(field: "property-flags")) }
        var properties = AMQPProperties()
        func has(_ flag: UInt16) -> Bool { flags & flag != 0 }
        if has(Flag.contentType) { properties.contentType = try buffer.readShortString("content-type") }
        if has(Flag.contentEncoding) { properties.contentEncoding = try buffer.readShortString("content-encoding") }
        if has(Flag.headers) { properties.headers = try buffer.readTable("headers") }
        if has(Flag.deliveryMode) { properties.deliveryMode = try buffer.readAMQPInteger("delivery-mode") }
        if has(Flag.priority) { properties.priority = try buffer.readAMQPInteger("priority") }
        if has(Flag.correlationID) { properties.correlationID = try buffer.readShortString("correlation-id") }
        if has(Flag.replyTo) { properties.replyTo = try buffer.readShortString("reply-to") }
        if has(Flag.expiration) { properties.expiration = try buffer.readShortString("expiration") }
        if has(Flag.messageID) { properties.messageID = try buffer.readShortString("message-id") }
        if has(Flag.timestamp) { properties.timestamp = try buffer.readAMQPInteger("timestamp") }
        if has(Flag.type) { properties.type = try buffer.readShortString("type") }
        if has(Flag.userID) { properties.userID = try buffer.readShortString("user-id") }
        if has(Flag.appID) { properties.appID = try buffer.readShortString("app-id") }
        if has(Flag.clusterID) { properties.clusterID = try buffer.readShortString("cluster-id") }
        return properties
    }

    func encode(into buffer: inout ByteBuffer) {
        let flagsIndex = buffer.writerIndex
        buffer.writeInteger(UInt16(0))
        var flags: UInt16 = 0
        func shortString(_ value: String?, _ flag: UInt16) {
            guard let value else { return }
            flags |= flag
            buffer.writeShortString(value)
        }
        shortString(contentType, Flag.contentType)
        shortString(contentEncoding, Flag.contentEncoding)
        if let headers {
            flags |= Flag.headers
            buffer.writeTable(headers)
        }
        if let deliveryMode {
            flags |= Flag.deliveryMode
            buffer.writeInteger(deliveryMode)
        }
        if let priority {
            flags |= Flag.priority
            buffer.writeInteger(priority)
        }
        shortString(correlationID, Flag.correlationID)
        shortString(replyTo, Flag.replyTo)
        shortString(expiration, Flag.expiration)
        shortString(messageID, Flag.messageID)
        if let timestamp {
            flags |= Flag.timestamp
            buffer.writeInteger(timestamp)
        }
        shortString(type, Flag.type)
        shortString(userID, Flag.userID)
        shortString(appID, Flag.appID)
        shortString(clusterID, Flag.clusterID)
        buffer.setInteger(flags, at: flagsIndex)
    }
}

/// The content header frame's payload: which class the content belongs to, the body's total size (the body
/// frames that follow add up to it) and the properties.
package struct AMQPContentHeader: Hashable, Sendable {
    package var classID: UInt16
    package var bodySize: UInt64
    package var properties: AMQPProperties

    package init(classID: UInt16 = AMQPMethod.ClassID.basic, bodySize: UInt64, properties: AMQPProperties) {
        self.classID = classID
        self.bodySize = bodySize
        self.properties = properties
    }

    static func decode(from buffer: inout ByteBuffer) throws -> AMQPContentHeader {
        let classID = try buffer.readAMQPInteger("class-id", as: UInt16.self)
        _ = try buffer.readAMQPInteger("weight", as: UInt16.self)
        let bodySize = try buffer.readAMQPInteger("body-size", as: UInt64.self)
        return AMQPContentHeader(classID: classID, bodySize: bodySize, properties: try .decode(from: &buffer))
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(classID)
        buffer.writeInteger(UInt16(0))
        buffer.writeInteger(bodySize)
        properties.encode(into: &buffer)
    }
}
