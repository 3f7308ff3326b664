import NIOCore

extension ByteBuffer {
    /// Reads a NUL-terminated UTF-8 string (the protocol's `String` type), consuming the terminator.
    package mutating func readPostgresString() throws(PayloadError) -> String {
        guard let end = readableBytesView.firstIndex(of: 0) else { throw PayloadError("string without terminator") }
        let string = readString(length: end - readerIndex)!
        moveReaderIndex(forwardBy: 1)
        return string
    }

    /// Writes `string` followed by a NUL terminator.
    package mutating func writePostgresString(_ string: String) {
        writeString(string)
        writeInteger(UInt8(0))
    }

    /// Reads a fixed-width integer, throwing `.truncated` when the buffer is too short.
    package mutating func readPostgresInteger<T: FixedWidthInteger>(as type: T.Type = T.self) throws(PayloadError) -> T {
        guard let value = readInteger(as: T.self) else { throw .truncated }
        return value
    }

    package mutating func readLSN() throws(PayloadError) -> LSN {
        LSN(rawValue: try readPostgresInteger(as: UInt64.self))
    }

    package mutating func readReplicationTimestamp() throws(PayloadError) -> ReplicationTimestamp {
        ReplicationTimestamp(rawValue: try readPostgresInteger(as: Int64.self))
    }

    /// Reads `length` bytes as a slice, throwing `.truncated` when fewer are left.
    package mutating func readPostgresSlice(length: Int) throws(PayloadError) -> ByteBuffer {
        guard length >= 0, let slice = readSlice(length: length) else { throw .truncated }
        return slice
    }

    /// Throws unless every byte was consumed: a payload must match its layout exactly.
    package func requireFullyConsumed() throws(PayloadError) {
        guard readableBytes == 0 else { throw .trailingBytes }
    }
}
