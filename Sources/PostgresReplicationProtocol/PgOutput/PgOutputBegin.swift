import NIOCore

/// Opens a decoded transaction; its changes follow, then a Commit.
package struct PgOutputBegin: Hashable, Sendable {
    /// The LSN of the transaction's commit record.
    package var finalLSN: LSN
    package var commitTime: ReplicationTimestamp
    package var xid: UInt32

    package init(finalLSN: LSN, commitTime: ReplicationTimestamp, xid: UInt32) {
        self.finalLSN = finalLSN
        self.commitTime = commitTime
        self.xid = xid
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> PgOutputBegin {
        PgOutputBegin(finalLSN: try buffer.readLSN(), commitTime: try buffer.readReplicationTimestamp(), xid: try buffer.readPostgresInteger())
    }
}
