import NIOCore

/// One AMQP 0-9-1 frame (spec §4.2.3): `type:u8 channel:u16 size:u32 payload[size] 0xCE`.
package enum AMQPFrame: Hashable, Sendable {
    case method(channel: UInt16, AMQPMethod)
    case header(channel: UInt16, AMQPContentHeader)
    case body(channel: UInt16, ByteBuffer)
    /// Always on channel 0.
    case heartbeat

    /// Frame type octets (spec constants `frame-method` … `frame-heartbeat`).
    package enum FrameType {
        package static let method: UInt8 = 1
        package static let header: UInt8 = 2
        package static let body: UInt8 = 3
        package static let heartbeat: UInt8 = 8
    }

    package static let frameEnd: UInt8 = 0xCE
    /// Type, channel and size before the payload.
    package static let headerSize = 7
    /// Bytes a frame adds around its payload: the header and the end octet.
    package static let overhead = 8
    /// The smallest `frame-max` a peer may negotiate (spec `frame-min-size`).
    package static let minimumFrameMax: UInt32 = 4096
    /// "AMQP" 0 0 9 1: what a client sends first, and what a server answers with when it refuses the version.
    package static let protocolHeader: [UInt8] = [0x41, 0x4D, 0x51, 0x50, 0, 0, 9, 1]

    package var channel: UInt16 {
        switch self {
        case .method(let channel, _), .header(let channel, _), .body(let channel, _): channel
        case .heartbeat: 0
        }
    }
}

/// Splits the byte stream into frames. Length first: it waits until a whole frame (header, payload, end
/// octet) is buffered, so it never consumes part of a frame, then decodes the payload from a slice and
/// insists the slice is used up.
package struct AMQPFrameDecoder: NIOSingleStepByteToMessageDecoder {
    package typealias InboundOut = AMQPFrame

    /// Refuses frames larger than this (the negotiated `frame-max`; before tuning, a generous bound), so a
    /// corrupt size field cannot make the decoder buffer gigabytes.
    package var maximumFrameSize: UInt32

    package init(maximumFrameSize: UInt32 = 1 << 20) {
        self.maximumFrameSize = maximumFrameSize
    }

    package mutating func decode(buffer: inout ByteBuffer) throws -> AMQPFrame? {
        guard let (type, channel, size) = buffer.getMultipleIntegers(at: buffer.readerIndex, as: (UInt8, UInt16, UInt32).self) else {
            return nil
        }
        if type == AMQPFrame.protocolHeader[0] { throw AMQPDecodingError(.protocolHeaderReceived) }
        guard size <= maximumFrameSize else { throw AMQPDecodingError(.frameTooLarge(size: size, limit: maximumFrameSize)) }
        guard buffer.readableBytes >= AMQPFrame.overhead + Int(size) else { return nil }
        buffer.moveReaderIndex(forwardBy: AMQPFrame.headerSize)
        var payload = buffer.readSlice(length: Int(size))!
        let end: UInt8 = buffer.readInteger()!
        guard end == AMQPFrame.frameEnd else { throw AMQPDecodingError(.missingFrameEnd(end), payload: payload) }
        switch type {
        case AMQPFrame.FrameType.method:
            return .method(channel: channel, try AMQPMethod.decode(from: &payload))
        case AMQPFrame.FrameType.header:
            let original = payload
            do {
                let header = try AMQPContentHeader.decode(from: &payload)
                guard payload.readableBytes == 0 else { throw AMQPDecodingError(.trailingBytes(payload.readableBytes)) }
                return .header(channel: channel, header)
            } catch let error as AMQPDecodingError {
                throw AMQPDecodingError(error.reason, payload: original)
            }
        case AMQPFrame.FrameType.body:
            return .body(channel: channel, payload)
        case AMQPFrame.FrameType.heartbeat:
            return .heartbeat
        default:
            throw AMQPDecodingError(.unknownFrameType(type), payload: payload)
        }
    }

    package mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AMQPFrame? {
        try decode(buffer: &buffer)
    }
}

/// Builds outgoing bytes: one `mutating func` per thing a peer sends, appended to an owned buffer that
/// `flush()` hands over, so a publish (method, header and body frames) goes out as one write.
package struct AMQPFrameEncoder {
    private var buffer: ByteBuffer

    package init(allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.buffer = allocator.buffer(capacity: 512)
    }

    package mutating func protocolHeader() {
        buffer.writeBytes(AMQPFrame.protocolHeader)
    }

    package mutating func frame(_ frame: AMQPFrame) {
        switch frame {
        case .method(let channel, let method):
            writeFrame(type: AMQPFrame.FrameType.method, channel: channel) { method.encode(into: &$0) }
        case .header(let channel, let header):
            writeFrame(type: AMQPFrame.FrameType.header, channel: channel) { header.encode(into: &$0) }
        case .body(let channel, let body):
            writeFrame(type: AMQPFrame.FrameType.body, channel: channel) { $0.writeImmutableBuffer(body) }
        case .heartbeat:
            writeFrame(type: AMQPFrame.FrameType.heartbeat, channel: 0) { _ in }
        }
    }

    package mutating func method(_ method: AMQPMethod, channel: UInt16) {
        frame(.method(channel: channel, method))
    }

    /// A content-carrying method (`basic.publish`, or `basic.deliver` on the server side) with its header and
    /// its body cut into frames no larger than `frameMax`.
    package mutating func content(_ method: AMQPMethod, channel: UInt16, properties: AMQPProperties, body: ByteBuffer, frameMax: UInt32) {
        self.method(method, channel: channel)
        frame(.header(channel: channel, AMQPContentHeader(bodySize: UInt64(body.readableBytes), properties: properties)))
        let chunkSize = Int(frameMax == 0 ? UInt32.max : frameMax) - AMQPFrame.overhead
        var remaining = body
        while let chunk = remaining.readSlice(length: Swift.min(chunkSize, remaining.readableBytes)), chunk.readableBytes > 0 {
            frame(.body(channel: channel, chunk))
        }
    }

    /// Hands over what was encoded since the last flush.
    package mutating func flush() -> ByteBuffer {
        let output = buffer
        buffer.clear()
        return output
    }

    private mutating func writeFrame(type: UInt8, channel: UInt16, payload: (inout ByteBuffer) -> Void) {
        buffer.writeMultipleIntegers(type, channel, UInt32(0))
        let start = buffer.writerIndex
        payload(&buffer)
        buffer.setInteger(UInt32(buffer.writerIndex - start), at: start - 4)
        buffer.writeInteger(AMQPFrame.frameEnd)
    }
}
