import NIOCore
import PostgresReplicationProtocol

/// A table as the latest Relation message described it.
package struct ReplicationRelation: Hashable, Sendable {
    package var oid: UInt32
    package var schema: String
    package var name: String
    package var columns: [String]
    private var indexes: [String: Int]

    package init(oid: UInt32, schema: String, name: String, columns: [String]) {
        self.oid = oid
        self.schema = schema
        self.name = name
        self.columns = columns
        self.indexes = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    package init(_ message: PgOutputRelation) {
        self.init(
            oid: message.oid, schema: message.namespace.isEmpty ? "pg_catalog" : message.namespace, name: message.name,
            columns: message.columns.map(\.name))
    }

    package func index(of column: String) -> Int? {
        indexes[column]
    }
}

/// A column value as pgoutput sends it.
package enum ReplicationValue: Hashable, Sendable {
    case null
    /// A TOASTed value the change left untouched; never the case for an insert.
    case unchangedToast
    /// The value in PostgreSQL's text output format (`t` for true, ISO dates, JSON text…).
    case text(String)
    case binary(ByteBuffer)

    package init(_ value: PgOutputTupleData.Value) {
        switch value {
        case .null: self = .null
        case .unchangedToast: self = .unchangedToast
        case .text(let buffer): self = .text(String(buffer: buffer))
        case .binary(let buffer): self = .binary(buffer)
        }
    }

    /// The text, or nil for NULL and the other kinds.
    package var text: String? {
        switch self {
        case .text(let text): text
        case .null, .unchangedToast, .binary: nil
        }
    }
}

/// A row inserted into a published table.
package struct ReplicationInsert: Hashable, Sendable {
    package var relation: ReplicationRelation
    /// In the relation's column order.
    package var values: [ReplicationValue]

    package init(relation: ReplicationRelation, values: [ReplicationValue]) {
        self.relation = relation
        self.values = values
    }

    /// The value of the named column, or nil when the table has no such column.
    package subscript(column: String) -> ReplicationValue? {
        relation.index(of: column).map { values[$0] }
    }
}
