import NIOCore

/// Describes a table before the first change to it in a session, and again whenever its definition changes;
/// tuples of later changes are read against the most recent description of their relation OID.
package struct PgOutputRelation: Hashable, Sendable {
    package struct Column: Hashable, Sendable {
        /// 1 = part of the replica identity key.
        package var flags: UInt8
        package var name: String
        package var typeOID: UInt32
        package var typeModifier: Int32

        package init(flags: UInt8, name: String, typeOID: UInt32, typeModifier: Int32) {
            self.flags = flags
            self.name = name
            self.typeOID = typeOID
            self.typeModifier = typeModifier
        }
    }

    package var oid: UInt32
    /// The schema; empty means `pg_catalog`.
    package var namespace: String
    package var name: String
    /// `relreplident`: d(efault), n(othing), f(ull) or i(ndex).
    package var replicaIdentity: UInt8
    package var columns: [Column]

    package init(oid: UInt32, namespace: String, name: String, replicaIdentity: UInt8, columns: [Column]) {
        self.oid = oid
        self.namespace = namespace
        self.name = name
        self.replicaIdentity = replicaIdentity
        self.columns = columns
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> PgOutputRelation {
        let oid = try buffer.readPostgresInteger(as: UInt32.self)
        let namespace = try buffer.readPostgresString()
        let name = try buffer.readPostgresString()
        let replicaIdentity = try buffer.readPostgresInteger(as: UInt8.self)
        let count = try buffer.readPostgresInteger(as: Int16.self)
        var columns: [Column] = []
        for _ in 0..<max(count, 0) {
            columns.append(
                Column(
                    flags: try buffer.readPostgresInteger(),
                    name: try buffer.readPostgresString(),
                    typeOID: try buffer.readPostgresInteger(),
                    typeModifier: try buffer.readPostgresInteger()
                )
            )
        }
        return PgOutputRelation(oid: oid, namespace: namespace, name: name, replicaIdentity: replicaIdentity, columns: columns)
    }
}
