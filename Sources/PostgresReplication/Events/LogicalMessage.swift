import NIOCore
import PostgresReplicationProtocol

/// A message written with `pg_logical_emit_message(transactional, prefix, content)`.
package struct LogicalMessage: Hashable, Sendable {
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

    package init(_ message: PgOutputLogicalMessage) {
        self.init(transactional: message.transactional, lsn: message.lsn, prefix: message.prefix, content: message.content)
    }

    /// The position to confirm for a non-transactional message: just past its record. The server skips such a
    /// message on restart only when its record starts before the confirmed position, and no other change can
    /// start between the record's first byte and the next record.
    package var position: LSN {
        LSN(rawValue: lsn.rawValue + 1)
    }
}
