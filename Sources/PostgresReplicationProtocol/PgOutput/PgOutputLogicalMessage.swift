import NIOCore

/// A message written with `pg_logical_emit_message` (sent only with the `messages` option).
///
/// A transactional message arrives inside its transaction's Begin/Commit; a non-transactional one arrives on its
/// own, as soon as it is decoded, even if the transaction that wrote it later rolls back.
package struct PgOutputLogicalMessage: Hashable, Sendable {
    package var transactional: Bool
    /// The LSN of the message's WAL record.
    package var lsn: LSN
    package var prefix: String
    package var content: ByteBuffer

    package init(transactional: Bool, lsn: LSN, prefix: String, content: ByteBuffer) {
        self.transactional = transactional
        self.lsn = lsn
        self.prefix = prefix
        self.content = content
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> PgOutputLogicalMessage {
        let flags = try buffer.readPostgresInteger(as: UInt8.self)
        let lsn = try buffer.readLSN()
        let prefix = try buffer.readPostgresString()
        let length = try buffer.readPostgresInteger(as: Int32.self)
        return PgOutputLogicalMessage(
            transactional: flags & 1 == 1, lsn: lsn, prefix: prefix, content: try buffer.readPostgresSlice(length: Int(length)))
    }
}
