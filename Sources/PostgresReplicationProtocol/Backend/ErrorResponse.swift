import NIOCore

/// The fields of an ErrorResponse or NoticeResponse, keyed by their one-byte codes.
package struct ErrorResponse: Hashable, Sendable {
    /// The field codes this client reads; the server may send others, which are kept under their raw byte.
    package enum Field: UInt8, Sendable {
        case severity = 0x56  // ascii: V (not localized)
        case sqlState = 0x43  // ascii: C
        case message = 0x4D  // ascii: M
        case detail = 0x44  // ascii: D
        case hint = 0x48  // ascii: H
    }

    package var fields: [UInt8: String]

    package init(fields: [UInt8: String]) {
        self.fields = fields
    }

    package subscript(field: Field) -> String? {
        fields[field.rawValue]
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> ErrorResponse {
        var fields: [UInt8: String] = [:]
        while true {
            let code = try buffer.readPostgresInteger(as: UInt8.self)
            if code == 0 { return ErrorResponse(fields: fields) }
            fields[code] = try buffer.readPostgresString()
        }
    }
}
