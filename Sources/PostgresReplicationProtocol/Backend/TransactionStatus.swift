import NIOCore

/// ReadyForQuery's transaction status indicator.
package enum TransactionStatus: UInt8, Hashable, Sendable {
    case idle = 0x49  // ascii: I
    case inTransaction = 0x54  // ascii: T
    case failedTransaction = 0x45  // ascii: E

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> TransactionStatus {
        let byte = try buffer.readPostgresInteger(as: UInt8.self)
        guard let status = TransactionStatus(rawValue: byte) else { throw PayloadError("unknown transaction status \(byte)") }
        return status
    }
}
