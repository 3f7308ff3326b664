import NIOCore

/// Splits the byte stream into backend messages: type byte, Int32 length (counting itself), body.
///
/// Length first: a frame is decoded only once all of it has arrived, so a partial frame is never half-consumed.
package struct ReplicationBackendMessageDecoder: NIOSingleStepByteToMessageDecoder {
    package typealias InboundOut = ReplicationBackendMessage

    package init() {}

    package mutating func decode(buffer: inout ByteBuffer) throws -> ReplicationBackendMessage? {
        let start = buffer.readerIndex
        guard let (id, length) = buffer.readMultipleIntegers(as: (UInt8, Int32).self) else { return nil }
        guard length >= 4 else {
            throw ReplicationDecodingError(messageID: id, reason: "frame length \(length) is below 4", payload: ByteBuffer())
        }
        guard let payload = buffer.readSlice(length: Int(length) - 4) else {
            buffer.moveReaderIndex(to: start)
            return nil
        }
        return try ReplicationBackendMessage.decode(id: id, payload: payload)
    }

    package mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ReplicationBackendMessage? {
        try decode(buffer: &buffer)
    }
}
