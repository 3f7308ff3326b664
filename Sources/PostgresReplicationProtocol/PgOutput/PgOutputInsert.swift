import NIOCore

/// A row inserted into a published table.
package struct PgOutputInsert: Hashable, Sendable {
    package static let newTupleMarker: UInt8 = 0x4E  // ascii: N

    package var relationOID: UInt32
    package var tuple: PgOutputTupleData

    package init(relationOID: UInt32, tuple: PgOutputTupleData) {
        self.relationOID = relationOID
        self.tuple = tuple
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> PgOutputInsert {
        let oid = try buffer.readPostgresInteger(as: UInt32.self)
        let marker = try buffer.readPostgresInteger(as: UInt8.self)
        guard marker == newTupleMarker else { throw PayloadError("insert without a new tuple (marker \(marker))") }
        return PgOutputInsert(relationOID: oid, tuple: try PgOutputTupleData.decode(from: &buffer))
    }
}
