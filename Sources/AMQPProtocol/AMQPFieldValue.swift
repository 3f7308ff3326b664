import NIOCore

/// A field table: the `arguments` of declarations and consumers, the `headers` property, the peers' properties.
///
/// Encoded with keys in sorted order so the same table always produces the same bytes.
package typealias AMQPTable = [String: AMQPFieldValue]

/// A value in a field table, with the type tags RabbitMQ uses (which differ from the 0-9-1 spec's list for
/// the unsigned and 64-bit types; every client follows RabbitMQ's).
package indirect enum AMQPFieldValue: Hashable, Sendable {
    case bool(Bool)  // t
    case int8(Int8)  // b
    case uint8(UInt8)  // B
    case int16(Int16)  // s
    case uint16(UInt16)  // u
    case int32(Int32)  // I
    case uint32(UInt32)  // i
    case int64(Int64)  // l
    case float(Float)  // f
    case double(Double)  // d
    case decimal(scale: UInt8, value: UInt32)  // D
    case string(String)  // S
    case array([AMQPFieldValue])  // A
    case timestamp(UInt64)  // T, seconds since the epoch
    case table(AMQPTable)  // F
    case void  // V
    case bytes(ByteBuffer)  // x
}

extension AMQPFieldValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    package init(stringLiteral value: String) { self = .string(value) }
    /// Integer literals become `long` (`l`), which is what RabbitMQ expects for `x-message-ttl` and friends.
    package init(integerLiteral value: Int64) { self = .int64(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension ByteBuffer {
    mutating func readTable(_ field: String) throws -> AMQPTable {
        var slice = try readLongBytes(field)
        var table: AMQPTable = [:]
        while slice.readableBytes > 0 {
            let key = try slice.readShortString(field)
            table[key] = try slice.readFieldValue(field)
        }
        return table
    }

    mutating func readFieldValue(_ field: String) throws -> AMQPFieldValue {
        let tag = try readAMQPInteger(field, as: UInt8.self)
        switch tag {
        case UInt8(ascii: "t"): return .bool(try readAMQPInteger(field, as: UInt8.self) != 0)
        case UInt8(ascii: "b"): return .int8(try readAMQPInteger(field))
        case UInt8(ascii: "B"): return .uint8(try readAMQPInteger(field))
        case UInt8(ascii: "s"): return .int16(try readAMQPInteger(field))
        case UInt8(ascii: "u"): return .uint16(try readAMQPInteger(field))
        case UInt8(ascii: "I"): return .int32(try readAMQPInteger(field))
        case UInt8(ascii: "i"): return .uint32(try readAMQPInteger(field))
        case UInt8(ascii: "l"): return .int64(try readAMQPInteger(field))
        case UInt8(ascii: "f"): return .float(Float(bitPattern: try readAMQPInteger(field)))
        case UInt8(ascii: "d"): return .double(Double(bitPattern: try readAMQPInteger(field)))
        case UInt8(ascii: "D"): return .decimal(scale: try readAMQPInteger(field), value: try readAMQPInteger(field))
        case UInt8(ascii: "S"): return .string(try readLongString(field))
        case UInt8(ascii: "A"):
            var slice = try readLongBytes(field)
            var values: [AMQPFieldValue] = []
            while slice.readableBytes > 0 { values.append(try slice.readFieldValue(field)) }
            return .array(values)
        case UInt8(ascii: "T"): return .timestamp(try readAMQPInteger(field))
        case UInt8(ascii: "F"): return .table(try readTable(field))
        case UInt8(ascii: "V"): return .void
        case UInt8(ascii: "x"): return .bytes(try readLongBytes(field))
        default: throw AMQPDecodingError(.unknownFieldType(tag))
        }
    }

    mutating func writeTable(_ table: AMQPTable) {
        let lengthIndex = writerIndex
        writeInteger(UInt32(0))
        for key in table.keys.sorted() {
            writeShortString(key)
            writeFieldValue(table[key]!)
        }
        setInteger(UInt32(writerIndex - lengthIndex - 4), at: lengthIndex)
    }

    mutating func writeFieldValue(_ value: AMQPFieldValue) {
        switch value {
        case .bool(let value):
            writeTag("t")
            writeInteger(UInt8(value ? 1 : 0))
        case .int8(let value):
            writeTag("b")
            writeInteger(value)
        case .uint8(let value):
            writeTag("B")
            writeInteger(value)
        case .int16(let value):
            writeTag("s")
            writeInteger(value)
        case .uint16(let value):
            writeTag("u")
            writeInteger(value)
        case .int32(let value):
            writeTag("I")
            writeInteger(value)
        case .uint32(let value):
            writeTag("i")
            writeInteger(value)
        case .int64(let value):
            writeTag("l")
            writeInteger(value)
        case .float(let value):
            writeTag("f")
            writeInteger(value.bitPattern)
        case .double(let value):
            writeTag("d")
            writeInteger(value.bitPattern)
        case .decimal(let scale, let value):
            writeTag("D")
            writeInteger(scale)
            writeInteger(value)
        case .string(let value):
            writeTag("S")
            writeLongString(value)
        case .array(let values):
            writeTag("A")
            let lengthIndex = writerIndex
            writeInteger(UInt32(0))
            for value in values { writeFieldValue(value) }
            setInteger(UInt32(writerIndex - lengthIndex - 4), at: lengthIndex)
        case .timestamp(let value):
            writeTag("T")
            writeInteger(value)
        case .table(let table):
            writeTag("F")
            writeTable(table)
        case .void: writeTag("V")
        case .bytes(let bytes):
            writeTag("x")
            writeLongBytes(bytes)
        }
    }

    private mutating func writeTag(_ tag: Unicode.Scalar) {
        writeInteger(UInt8(ascii: tag))
    }
}
