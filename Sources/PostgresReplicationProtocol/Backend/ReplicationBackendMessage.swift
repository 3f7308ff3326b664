import NIOCore

/// Every message the server sends on a replication connection, from start-up to the end of CopyBoth.
///
/// CopyData stays raw here: what it carries depends on the session (XLogData and keepalives while streaming, see
/// ``ReplicationCopyMessage``), so it is decoded one level up.
package enum ReplicationBackendMessage: Hashable, Sendable {
    case authentication(Authentication)
    case backendKeyData(BackendKeyData)
    case commandComplete(String)
    case copyBothResponse(CopyBothResponse)
    case copyData(ByteBuffer)
    case copyDone
    case dataRow(DataRow)
    case emptyQueryResponse
    case error(ErrorResponse)
    case notice(ErrorResponse)
    case parameterStatus(ParameterStatus)
    case readyForQuery(TransactionStatus)
    case rowDescription(RowDescription)

    /// The type byte that opens each backend message.
    package enum ID: UInt8, Sendable {
        case authentication = 0x52  // ascii: R
        case backendKeyData = 0x4B  // ascii: K
        case commandComplete = 0x43  // ascii: C
        case copyBothResponse = 0x57  // ascii: W
        case copyData = 0x64  // ascii: d
        case copyDone = 0x63  // ascii: c
        case dataRow = 0x44  // ascii: D
        case emptyQueryResponse = 0x49  // ascii: I
        case error = 0x45  // ascii: E
        case notice = 0x4E  // ascii: N
        case parameterStatus = 0x53  // ascii: S
        case readyForQuery = 0x5A  // ascii: Z
        case rowDescription = 0x54  // ascii: T
    }

    /// The message's protocol name, for logs and errors (the payload may hold secrets or be large).
    package var name: String {
        switch self {
        case .authentication: "Authentication"
        case .backendKeyData: "BackendKeyData"
        case .commandComplete: "CommandComplete"
        case .copyBothResponse: "CopyBothResponse"
        case .copyData: "CopyData"
        case .copyDone: "CopyDone"
        case .dataRow: "DataRow"
        case .emptyQueryResponse: "EmptyQueryResponse"
        case .error: "ErrorResponse"
        case .notice: "NoticeResponse"
        case .parameterStatus: "ParameterStatus"
        case .readyForQuery: "ReadyForQuery"
        case .rowDescription: "RowDescription"
        }
    }

    /// Decodes one message body (the bytes after the type byte and length).
    package static func decode(id: UInt8, payload: ByteBuffer) throws(ReplicationDecodingError) -> ReplicationBackendMessage {
        guard let known = ID(rawValue: id) else {
            throw ReplicationDecodingError(messageID: id, reason: "unknown message type", payload: payload)
        }
        var buffer = payload
        do {
            let message: ReplicationBackendMessage
            switch known {
            case .authentication: message = .authentication(try Authentication.decode(from: &buffer))
            case .backendKeyData: message = .backendKeyData(try BackendKeyData.decode(from: &buffer))
            case .commandComplete: message = .commandComplete(try buffer.readPostgresString())
            case .copyBothResponse: message = .copyBothResponse(try CopyBothResponse.decode(from: &buffer))
            case .copyData:
                message = .copyData(buffer)
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            case .copyDone: message = .copyDone
            case .dataRow: message = .dataRow(try DataRow.decode(from: &buffer))
            case .emptyQueryResponse: message = .emptyQueryResponse
            case .error: message = .error(try ErrorResponse.decode(from: &buffer))
            case .notice: message = .notice(try ErrorResponse.decode(from: &buffer))
            case .parameterStatus: message = .parameterStatus(try ParameterStatus.decode(from: &buffer))
            case .readyForQuery: message = .readyForQuery(try TransactionStatus.decode(from: &buffer))
            case .rowDescription: message = .rowDescription(try RowDescription.decode(from: &buffer))
            }
            try buffer.requireFullyConsumed()
            return message
        } catch {
            throw ReplicationDecodingError(messageID: id, reason: error.reason, payload: payload)
        }
    }
}
