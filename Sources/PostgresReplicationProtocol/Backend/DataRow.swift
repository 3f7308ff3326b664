import NIOCore

/// One row of a simple query's result, every column in text format; nil is SQL NULL.
package struct DataRow: Hashable, Sendable {
    package var columns: [ByteBuffer?]

    package init(columns: [ByteBuffer?]) {
        self.columns = columns
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> DataRow {
        let count = try buffer.readPostgresInteger(as: Int16.self)
        var columns: [ByteBuffer?] = []
        for _ in 0..<max(count, 0) {
            let length = try buffer.readPostgresInteger(as: Int32.self)
            columns.append(length < 0 ? nil : try buffer.readPostgresSlice(length: Int(length)))
        }
        return DataRow(columns: columns)
    }
}
