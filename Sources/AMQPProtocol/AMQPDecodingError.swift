import NIOCore

/// Bytes that are not a valid AMQP 0-9-1 frame. Carries enough to reproduce the failure from a log line.
package struct AMQPDecodingError: Error, Hashable, CustomStringConvertible {
    package enum Reason: Hashable, Sendable {
        /// The peer answered with a protocol header: it does not speak AMQP 0-9-1.
        case protocolHeaderReceived
        case unknownFrameType(UInt8)
        case frameTooLarge(size: UInt32, limit: UInt32)
        case missingFrameEnd(UInt8)
        case unknownMethod(classID: UInt16, methodID: UInt16)
        case unknownFieldType(UInt8)
        case truncated(field: String)
        case trailingBytes(Int)
    }

    package let reason: Reason
    /// The offending frame payload, base64, for logs.
    package let payload: String

    package init(_ reason: Reason, payload: ByteBuffer? = nil) {
        self.reason = reason
        self.payload = payload.map { base64(Array($0.readableBytesView)) } ?? ""
    }

    package var description: String { "AMQP decoding error: \(reason) payload=\(payload)" }
}

/// Standard base64 with padding; NIOCore keeps its encoder internal.
private func base64(_ bytes: [UInt8]) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var output: [UInt8] = []
    output.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index < bytes.count {
        let chunk = bytes[index..<min(index + 3, bytes.count)]
        let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
        for position in 0..<4 {
            output.append(position <= chunk.count ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 0x3F)] : UInt8(ascii: "="))
        }
        index += 3
    }
    return String(decoding: output, as: UTF8.self)
}
