import NIOCore

/// The client's feedback (CopyData `r`, 34 bytes). For a logical slot only `flushed` matters: it becomes the
/// slot's `confirmed_flush_lsn`, the position a later `START_REPLICATION` resumes from.
package struct StandbyStatusUpdate: Hashable, Sendable {
    package static let id: UInt8 = 0x72  // ascii: r

    /// Last WAL byte + 1 received.
    package var written: LSN
    /// Last WAL byte + 1 whose changes are durably handled downstream.
    package var flushed: LSN
    package var applied: LSN
    package var clientTime: ReplicationTimestamp
    package var replyRequested: Bool

    package init(written: LSN, flushed: LSN, applied: LSN, clientTime: ReplicationTimestamp, replyRequested: Bool) {
        self.written = written
        self.flushed = flushed
        self.applied = applied
        self.clientTime = clientTime
        self.replyRequested = replyRequested
    }

    package func encode(into buffer: inout ByteBuffer) {
        buffer.writeInteger(Self.id)
        buffer.writeMultipleIntegers(written.rawValue, flushed.rawValue, applied.rawValue, clientTime.rawValue, UInt8(replyRequested ? 1 : 0))
    }
}
