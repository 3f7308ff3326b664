import NIOCore

/// Writes frontend messages into a buffer it owns; `flushBuffer()` hands over what was written.
///
/// Every message but the startup packet is a type byte, an Int32 length counting itself, and a body. The length is
/// written as a placeholder and patched once the body is known.
package struct ReplicationFrontendMessageEncoder {
    /// Protocol 3.0, the major version in the high 16 bits.
    package static let protocolVersion: Int32 = 196_608

    /// The type byte that opens each frontend message.
    package enum ID: UInt8, Sendable {
        /// PasswordMessage, SASLInitialResponse and SASLResponse share one type byte.
        case password = 0x70  // ascii: p
        case query = 0x51  // ascii: Q
        case copyData = 0x64  // ascii: d
        case copyDone = 0x63  // ascii: c
        case terminate = 0x58  // ascii: X
    }

    private var buffer: ByteBuffer

    package init(allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.buffer = allocator.buffer(capacity: 256)
    }

    /// Returns everything written so far and starts a fresh buffer.
    package mutating func flushBuffer() -> ByteBuffer {
        defer { buffer.clear() }
        return buffer
    }

    /// Writes any frontend message.
    package mutating func encode(_ message: ReplicationFrontendMessage) {
        switch message {
        case .startup(let user, let database, let parameters): startup(user: user, database: database, parameters: parameters)
        case .password(let password): self.password(password)
        case .saslInitialResponse(let mechanism, let data): saslInitialResponse(mechanism: mechanism, data: data)
        case .saslResponse(let data): saslResponse(data)
        case .query(let sql): query(sql)
        case .standbyStatusUpdate(let update): standbyStatusUpdate(update)
        case .copyDone: copyDone()
        case .terminate: terminate()
        }
    }

    /// The startup packet. `replication=database` puts the backend in logical walsender mode, where replication
    /// commands and ordinary SQL both run over the simple query protocol. Extra parameters are written sorted by
    /// name, so the packet is deterministic.
    package mutating func startup(user: String, database: String, parameters: [String: String] = [:]) {
        let start = buffer.writerIndex
        buffer.writeInteger(Int32(0))
        buffer.writeInteger(Self.protocolVersion)
        let fixed = [("user", user), ("database", database), ("replication", "database")]
        for (name, value) in fixed + parameters.sorted(by: { $0.key < $1.key }).map({ ($0.key, $0.value) }) {
            buffer.writePostgresString(name)
            buffer.writePostgresString(value)
        }
        buffer.writeInteger(UInt8(0))
        buffer.setInteger(Int32(buffer.writerIndex - start), at: start)
    }

    /// A PasswordMessage: the cleartext password, or `md5…` for MD5 authentication.
    package mutating func password(_ password: String) {
        message(.password) { $0.writePostgresString(password) }
    }

    /// A SASLInitialResponse: the chosen mechanism and its first message.
    package mutating func saslInitialResponse(mechanism: String, data: [UInt8]) {
        message(.password) {
            $0.writePostgresString(mechanism)
            $0.writeInteger(Int32(data.count))
            $0.writeBytes(data)
        }
    }

    /// A SASLResponse: the next message of the mechanism.
    package mutating func saslResponse(_ data: [UInt8]) {
        message(.password) { $0.writeBytes(data) }
    }

    /// A simple Query, the only query protocol a walsender accepts.
    package mutating func query(_ sql: String) {
        message(.query) { $0.writePostgresString(sql) }
    }

    /// A CopyData carrying a standby status update.
    package mutating func standbyStatusUpdate(_ update: StandbyStatusUpdate) {
        message(.copyData) { update.encode(into: &$0) }
    }

    /// Ends the client's half of CopyBoth; the server answers with its own CopyDone.
    package mutating func copyDone() {
        message(.copyDone) { _ in }
    }

    package mutating func terminate() {
        message(.terminate) { _ in }
    }

    private mutating func message(_ id: ID, body: (inout ByteBuffer) -> Void) {
        buffer.writeInteger(id.rawValue)
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(Int32(0))
        body(&buffer)
        buffer.setInteger(Int32(buffer.writerIndex - lengthIndex), at: lengthIndex)
    }
}
