import NIOCore

/// `connection.start` (10,10): the server's opening offer.
package struct ConnectionStart: Hashable, Sendable {
    package var versionMajor: UInt8
    package var versionMinor: UInt8
    package var serverProperties: AMQPTable
    /// Space-separated SASL mechanisms, e.g. `"PLAIN AMQPLAIN"`.
    package var mechanisms: String
    package var locales: String

    package init(versionMajor: UInt8 = 0, versionMinor: UInt8 = 9, serverProperties: AMQPTable, mechanisms: String, locales: String) {
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.serverProperties = serverProperties
        self.mechanisms = mechanisms
        self.locales = locales
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        Self(
            versionMajor: try buffer.readAMQPInteger("version-major"), versionMinor: try buffer.readAMQPInteger("version-minor"),
            serverProperties: try buffer.readTable("server-properties"), mechanisms: try buffer.readLongString("mechanisms"),
            locales: try buffer.readLongString("locales")
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(versionMajor)
        buffer.writeInteger(versionMinor)
        buffer.writeTable(serverProperties)
        buffer.writeLongString(mechanisms)
        buffer.writeLongString(locales)
    }
}

/// `connection.start-ok` (10,11): the client's properties and its SASL answer.
package struct ConnectionStartOk: Hashable, Sendable {
    package var clientProperties: AMQPTable
    package var mechanism: String
    package var response: String
    package var locale: String

    package init(clientProperties: AMQPTable, mechanism: String, response: String, locale: String = "en_US") {
        self.clientProperties = clientProperties
        self.mechanism = mechanism
        self.response = response
        self.locale = locale
    }

    /// SASL PLAIN (RFC 4616): an empty authorization identity, then user and password, NUL-separated.
    package static func plain(username: String, password: String, clientProperties: AMQPTable) -> Self {
        Self(clientProperties: clientProperties, mechanism: "PLAIN", response: "\u{0}\(username)\u{0}\(password)")
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        Self(
            clientProperties: try buffer.readTable("client-properties"), mechanism: try buffer.readShortString("mechanism"),
            response: try buffer.readLongString("response"), locale: try buffer.readShortString("locale")
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeTable(clientProperties)
        buffer.writeShortString(mechanism)
        buffer.writeLongString(response)
        buffer.writeShortString(locale)
    }
}

/// `connection.tune` (10,30) and `connection.tune-ok` (10,31) carry the same three limits.
package struct ConnectionTune: Hashable, Sendable {
    /// Highest channel number; 0 means no limit other than the 16-bit field.
    package var channelMax: UInt16
    /// Largest frame, header and end octet included; 0 means no limit.
    package var frameMax: UInt32
    /// Heartbeat interval in seconds; 0 disables heartbeats.
    package var heartbeat: UInt16

    package init(channelMax: UInt16, frameMax: UInt32, heartbeat: UInt16) {
        self.channelMax = channelMax
        self.frameMax = frameMax
        self.heartbeat = heartbeat
    }

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        Self(
            channelMax: try buffer.readAMQPInteger("channel-max"), frameMax: try buffer.readAMQPInteger("frame-max"),
            heartbeat: try buffer.readAMQPInteger("heartbeat")
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(channelMax)
        buffer.writeInteger(frameMax)
        buffer.writeInteger(heartbeat)
    }
}

/// `connection.close` (10,50) and `channel.close` (20,40): why the sender is closing, and which method
/// caused it (0,0 for a close that no method caused).
package struct AMQPClose: Hashable, Sendable {
    package var replyCode: UInt16
    package var replyText: String
    package var classID: UInt16
    package var methodID: UInt16

    package init(replyCode: UInt16, replyText: String, classID: UInt16 = 0, methodID: UInt16 = 0) {
        self.replyCode = replyCode
        self.replyText = replyText
        self.classID = classID
        self.methodID = methodID
    }

    /// `reply-success` (200): a close nobody is to blame for.
    package static let normal = AMQPClose(replyCode: 200, replyText: "OK")

    static func decode(from buffer: inout ByteBuffer) throws -> Self {
        Self(
            replyCode: try buffer.readAMQPInteger("reply-code"), replyText: try buffer.readShortString("reply-text"),
            classID: try buffer.readAMQPInteger("class-id"), methodID: try buffer.readAMQPInteger("method-id")
        )
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(replyCode)
        buffer.writeShortString(replyText)
        buffer.writeInteger(classID)
        buffer.writeInteger(methodID)
    }
}
