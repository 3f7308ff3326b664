import NIOCore

/// A row's column values, in the order of its relation's columns.
package struct PgOutputTupleData: Hashable, Sendable {
    package enum Value: Hashable, Sendable {
        case null
        /// A TOASTed value the change did not touch; its data is not sent.
        case unchangedToast
        /// The value in PostgreSQL's text output format.
        case text(ByteBuffer)
        /// The value in the type's binary format (only with the `binary` option).
        case binary(ByteBuffer)

        package enum Kind: UInt8, Sendable {
            case null = 0x6E  // ascii: n
            case unchangedToast = 0x75  // ascii: u
            case text = 0x74  // ascii: t
            case binary = 0x62  // ascii: b
        }
    }

    package var values: [Value]

    package init(values: [Value]) {
        self.values = values
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> PgOutputTupleData {
        let count = try buffer.readPostgresInteger(as: Int16.self)
        var values: [Value] = []
        for _ in 0..<max(count, 0) {
            let byte = try buffer.readPostgresInteger(as: UInt8.self)
            guard let kind = Value.Kind(rawValue: byte) else { throw PayloadError("unknown tuple value kind \(byte)") }
            switch kind {
            case .null: values.append(.null)
            case .unchangedToast: values.append(.unchangedToast)
            case .text, .binary:
                let length = try buffer.readPostgresInteger(as: Int32.self)
                let data = try buffer.readPostgresSlice(length: Int(length))
                values.append(kind == .text ? .text(data) : .binary(data))
            }
        }
        return PgOutputTupleData(values: values)
    }
}
