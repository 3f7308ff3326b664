import PostgresReplicationProtocol

/// A message written with `pg_logical_emit_message(transactional, prefix, content)`, as pgoutput decoded it.
package typealias LogicalMessage = PgOutputLogicalMessage

extension LogicalMessage {
    /// The position to confirm for a non-transactional message: just past its record. The server skips such a
    /// message on restart only when its record starts before the confirmed position, and no other change can
    /// start between the record's first byte and the next record.
    package var position: LSN {
        LSN(rawValue: lsn.rawValue + 1)
    }
}
