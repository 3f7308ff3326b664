import NIOCore

/// Closes a decoded transaction.
package struct PgOutputCommit: Hashable, Sendable {
    /// Unused by the server; always 0.
    package var flags: UInt8
    /// The LSN of the commit record.
    package var commitLSN: LSN
    /// The end of the commit record: confirming this position means the transaction is never sent again.
    package var endLSN: LSN
    package var commitTime: ReplicationTimestamp

    package init(flags: UInt8 = 0, commitLSN: LSN, endLSN: LSN, commitTime: ReplicationTimestamp) {
        self.flags = flags
        self.commitLSN = commitLSN
        self.endLSN = endLSN
        self.commitTime = commitTime
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> PgOutputCommit {
        PgOutputCommit(
            flags: try buffer.readPostgresInteger(),
            commitLSN: try buffer.readLSN(),
            endLSN: try buffer.readLSN(),
            commitTime: try buffer.readReplicationTimestamp()
        )
    }
}
