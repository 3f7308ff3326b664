import PostgresReplicationProtocol

/// What the replication stream delivers: a committed transaction, or a non-transactional logical message.
///
/// Each event has a `position`; passing it to `confirm(_:)` once the event is handled downstream lets the slot
/// move past it, and an unconfirmed event is delivered again after a reconnect.
package enum ReplicationEvent: Hashable, Sendable {
    case transaction(ReplicationTransaction)
    case message(LogicalMessage)

    package var position: LSN {
        switch self {
        case .transaction(let transaction): transaction.position
        case .message(let message): message.position
        }
    }
}

/// A committed transaction's changes to the published tables, in commit order.
///
/// The whole transaction is assembled before it is delivered, so a consumer never sees a partial transaction;
/// the cost is memory proportional to its size (outbox transactions are small).
package struct ReplicationTransaction: Hashable, Sendable {
    package var xid: UInt32
    /// The LSN of the commit record.
    package var commitLSN: LSN
    /// The end of the commit record; the position to confirm.
    package var endLSN: LSN
    package var commitTime: ReplicationTimestamp
    package var changes: [ReplicationChange]

    package init(xid: UInt32, commitLSN: LSN, endLSN: LSN, commitTime: ReplicationTimestamp, changes: [ReplicationChange]) {
        self.xid = xid
        self.commitLSN = commitLSN
        self.endLSN = endLSN
        self.commitTime = commitTime
        self.changes = changes
    }

    package var position: LSN { endLSN }

    /// The transaction's inserts, in order.
    package var inserts: [ReplicationInsert] {
        changes.compactMap { change in
            switch change {
            case .insert(let insert): insert
            case .message: nil
            }
        }
    }
}

/// One change inside a transaction.
package enum ReplicationChange: Hashable, Sendable {
    case insert(ReplicationInsert)
    /// A transactional `pg_logical_emit_message(true, …)`.
    case message(LogicalMessage)
}
