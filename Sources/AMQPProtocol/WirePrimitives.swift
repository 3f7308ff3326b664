import NIOCore

/// The AMQP 0-9-1 primitive types (spec §4.2.5): big-endian integers, short strings (octet length, at most
/// 255 bytes), long strings (32-bit length) and bit fields packed into octets.
extension ByteBuffer {
    mutating func readAMQPInteger<T: FixedWidthInteger>(_ field: String, as: T.Type = T.self) throws -> T {
        guard let value = readInteger(as: T.self) else { throw AMQPDecodingError(.truncated(field: field)) }
        return value
    }

    mutating func readShortString(_ field: String) throws -> String {
        let length = try readAMQPInteger(field, as: UInt8.self)
        guard let value = readString(length: Int(length)) else { throw AMQPDecodingError(.truncated(field: field)) }
        return value
    }

    mutating func readLongString(_ field: String) throws -> String {
        let bytes = try readLongBytes(field)
        return String(buffer: bytes)
    }

    mutating func readLongBytes(_ field: String) throws -> ByteBuffer {
        let length = try readAMQPInteger(field, as: UInt32.self)
        guard let slice = readSlice(length: Int(length)) else { throw AMQPDecodingError(.truncated(field: field)) }
        return slice
    }

    /// Reads `count` consecutive bit fields, which share octets (low bit first).
    mutating func readBits(_ count: Int, _ field: String) throws -> [Bool] {
        var bits: [Bool] = []
        while bits.count < count {
            let octet = try readAMQPInteger(field, as: UInt8.self)
            for bit in 0..<min(8, count - bits.count) {
                bits.append(octet & (1 << bit) != 0)
            }
        }
        return bits
    }

    /// Short strings are limited to 255 bytes by the wire; longer names are truncated at a character boundary
    /// rather than corrupting the frame (RabbitMQ refuses such names anyway with a channel error).
    mutating func writeShortString(_ value: String) {
        var utf8 = Array(value.utf8.prefix(255))
        while !utf8.isEmpty, String(validating: utf8, as: UTF8.self) == nil { utf8.removeLast() }
        writeInteger(UInt8(utf8.count))
        writeBytes(utf8)
    }

    mutating func writeLongString(_ value: String) {
        writeInteger(UInt32(value.utf8.count))
        writeString(value)
    }

    mutating func writeLongBytes(_ value: ByteBuffer) {
        writeInteger(UInt32(value.readableBytes))
        writeImmutableBuffer(value)
    }

    mutating func writeBits(_ bits: Bool...) {
        var index = 0
        while index < bits.count {
            var octet: UInt8 = 0
            for bit in 0..<min(8, bits.count - index) where bits[index + bit] {
                octet |= 1 << bit
            }
            writeInteger(octet)
            index += 8
        }
    }
}
