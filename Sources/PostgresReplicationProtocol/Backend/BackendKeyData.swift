import NIOCore

/// The key a `CancelRequest` would need; kept for logs only.
package struct BackendKeyData: Hashable, Sendable {
    package var processID: Int32
    package var secretKey: Int32

    package init(processID: Int32, secretKey: Int32) {
        self.processID = processID
        self.secretKey = secretKey
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> BackendKeyData {
        BackendKeyData(processID: try buffer.readPostgresInteger(), secretKey: try buffer.readPostgresInteger())
    }
}
