import NIOCore

/// The server's heartbeat; when `replyRequested` it wants a standby status update at once, or it will
/// eventually drop the connection (`wal_sender_timeout`).
package struct PrimaryKeepalive: Hashable, Sendable {
    package var serverWALEnd: LSN
    package var serverTime: ReplicationTimestamp
    package var replyRequested: Bool

    package init(serverWALEnd: LSN, serverTime: ReplicationTimestamp, replyRequested: Bool) {
        self.serverWALEnd = serverWALEnd
        self.serverTime = serverTime
        self.replyRequested = replyRequested
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> PrimaryKeepalive {
        PrimaryKeepalive(
            serverWALEnd: try buffer.readLSN(),
            serverTime: try buffer.readReplicationTimestamp(),
            replyRequested: try buffer.readPostgresInteger(as: UInt8.self) != 0
        )
    }
}
