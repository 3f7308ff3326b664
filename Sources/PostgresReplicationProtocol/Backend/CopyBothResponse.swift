import NIOCore

/// The server's answer to `START_REPLICATION`: from here on both sides exchange CopyData.
package struct CopyBothResponse: Hashable, Sendable {
    /// 0 = textual, 1 = binary overall format.
    package var format: Int8
    package var columnFormats: [Int16]

    package init(format: Int8, columnFormats: [Int16]) {
        self.format = format
        self.columnFormats = columnFormats
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> CopyBothResponse {
        let format = try buffer.readPostgresInteger(as: Int8.self)
        let count = try buffer.readPostgresInteger(as: Int16.self)
        var formats: [Int16] = []
        for _ in 0..<max(count, 0) {
            formats.append(try buffer.readPostgresInteger())
        }
        return CopyBothResponse(format: format, columnFormats: formats)
    }
}
