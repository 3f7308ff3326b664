import NIOCore

/// The columns of a simple query's result.
package struct RowDescription: Hashable, Sendable {
    package struct Column: Hashable, Sendable {
        package var name: String
        package var tableOID: UInt32
        package var columnNumber: Int16
        package var typeOID: UInt32
        package var typeSize: Int16
        package var typeModifier: Int32
        /// 0 = text, 1 = binary; always text on the simple query protocol.
        package var format: Int16

        package init(name: String, tableOID: UInt32, columnNumber: Int16, typeOID: UInt32, typeSize: Int16, typeModifier: Int32, format: Int16) {
            self.name = name
            self.tableOID = tableOID
            self.columnNumber = columnNumber
            self.typeOID = typeOID
            self.typeSize = typeSize
            self.typeModifier = typeModifier
            self.format = format
        }
    }

    package var columns: [Column]

    package init(columns: [Column]) {
        self.columns = columns
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> RowDescription {
        let count = try buffer.readPostgresInteger(as: Int16.self)
        var columns: [Column] = []
        for _ in 0..<max(count, 0) {
            columns.append(
                Column(
                    name: try buffer.readPostgresString(),
                    tableOID: try buffer.readPostgresInteger(),
                    columnNumber: try buffer.readPostgresInteger(),
                    typeOID: try buffer.readPostgresInteger(),
                    typeSize: try buffer.readPostgresInteger(),
                    typeModifier: try buffer.readPostgresInteger(),
                    format: try buffer.readPostgresInteger()
                )
            )
        }
        return RowDescription(columns: columns)
    }
}
