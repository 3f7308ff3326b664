import NIOCore

/// One pgoutput message (protocol version 1), the payload of an XLogData.
///
/// Updates, deletes, truncates, types and origins are recognised and skipped unread: the relay only streams
/// inserts into an append-only outbox. Message types of later protocol versions (streamed and two-phase
/// transactions) are never sent at version 1 and fail decoding.
package enum PgOutputMessage: Hashable, Sendable {
    case begin(PgOutputBegin)
    case commit(PgOutputCommit)
    case relation(PgOutputRelation)
    case insert(PgOutputInsert)
    case logicalMessage(PgOutputLogicalMessage)
    case skipped(ID)

    package enum ID: UInt8, Sendable {
        case begin = 0x42  // ascii: B
        case commit = 0x43  // ascii: C
        case relation = 0x52  // ascii: R
        case insert = 0x49  // ascii: I
        case logicalMessage = 0x4D  // ascii: M
        case update = 0x55  // ascii: U
        case delete = 0x44  // ascii: D
        case truncate = 0x54  // ascii: T
        case type = 0x59  // ascii: Y
        case origin = 0x4F  // ascii: O
    }

    package static func decode(from payload: ByteBuffer) throws(ReplicationDecodingError) -> PgOutputMessage {
        var buffer = payload
        let tag = buffer.readInteger(as: UInt8.self) ?? 0
        guard let id = ID(rawValue: tag) else {
            throw ReplicationDecodingError(messageID: tag, reason: "unknown pgoutput message", payload: payload)
        }
        do {
            let message: PgOutputMessage
            switch id {
            case .begin: message = .begin(try PgOutputBegin.decode(from: &buffer))
            case .commit: message = .commit(try PgOutputCommit.decode(from: &buffer))
            case .relation: message = .relation(try PgOutputRelation.decode(from: &buffer))
            case .insert: message = .insert(try PgOutputInsert.decode(from: &buffer))
            case .logicalMessage: message = .logicalMessage(try PgOutputLogicalMessage.decode(from: &buffer))
            case .update, .delete, .truncate, .type, .origin:
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                message = .skipped(id)
            }
            try buffer.requireFullyConsumed()
            return message
        } catch {
            throw ReplicationDecodingError(messageID: tag, reason: error.reason, payload: payload)
        }
    }
}
