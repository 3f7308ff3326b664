import NIOCore

/// What the server sends inside CopyData while streaming.
package enum ReplicationCopyMessage: Hashable, Sendable {
    case xLogData(XLogData)
    case primaryKeepalive(PrimaryKeepalive)

    package enum ID: UInt8, Sendable {
        case xLogData = 0x77  // ascii: w
        case primaryKeepalive = 0x6B  // ascii: k
    }

    /// Decodes a CopyData body; the whole body must match the message's layout.
    package static func decode(from payload: ByteBuffer) throws(ReplicationDecodingError) -> ReplicationCopyMessage {
        var buffer = payload
        let tag = buffer.readInteger(as: UInt8.self) ?? 0
        guard let id = ID(rawValue: tag) else {
            throw ReplicationDecodingError(messageID: tag, reason: "unknown CopyData message", payload: payload)
        }
        do {
            let message: ReplicationCopyMessage
            switch id {
            case .xLogData: message = .xLogData(try XLogData.decode(from: &buffer))
            case .primaryKeepalive: message = .primaryKeepalive(try PrimaryKeepalive.decode(from: &buffer))
            }
            try buffer.requireFullyConsumed()
            return message
        } catch {
            throw ReplicationDecodingError(messageID: tag, reason: error.reason, payload: payload)
        }
    }
}
