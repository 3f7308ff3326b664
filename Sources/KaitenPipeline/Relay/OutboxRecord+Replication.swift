import KaitenCore
import PostgresReplication

extension OutboxRecord {
    /// The outbox row of a streamed insert; pgoutput sends every column in PostgreSQL's text output format.
    ///
    /// - Throws: ``EnvelopeError/malformed(_:)`` when a column is missing or unreadable. The relay stops on it
    ///   rather than skip the row: a row it cannot read is a bug to fix, and skipping would lose the event.
    init(insert: ReplicationInsert) throws {
        try self.init { column in insert[column]?.text.map(Column.text) }
    }
}
