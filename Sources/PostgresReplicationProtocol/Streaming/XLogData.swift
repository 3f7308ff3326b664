import NIOCore

/// A chunk of the output plugin's stream (for pgoutput, exactly one pgoutput message).
package struct XLogData: Hashable, Sendable {
    /// The WAL position this data starts at.
    package var walStart: LSN
    /// The server's current end of WAL.
    package var serverWALEnd: LSN
    package var serverTime: ReplicationTimestamp
    package var data: ByteBuffer

    package init(walStart: LSN, serverWALEnd: LSN, serverTime: ReplicationTimestamp, data: ByteBuffer) {
        self.walStart = walStart
        self.serverWALEnd = serverWALEnd
        self.serverTime = serverTime
        self.data = data
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> XLogData {
        XLogData(
            walStart: try buffer.readLSN(),
            serverWALEnd: try buffer.readLSN(),
            serverTime: try buffer.readReplicationTimestamp(),
            data: try buffer.readPostgresSlice(length: buffer.readableBytes)
        )
    }
}
