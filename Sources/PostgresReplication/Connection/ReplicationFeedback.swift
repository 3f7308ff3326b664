import PostgresReplicationProtocol

/// What other tasks may do to a streaming connection: confirm positions and ask the stream to stop.
///
/// Sendable, so the task that learns an event is safely handled downstream (a publisher-confirm listener, say)
/// need not be the task reading the stream.
package struct ReplicationFeedback: Sendable {
    let session: ReplicationSession

    /// Confirms the event delivered at `position` (``ReplicationEvent/position``). The slot advances to it only once
    /// every event delivered before it is confirmed too; a standby status update goes out when it does.
    package func confirm(_ position: LSN) {
        let now = ReplicationTimestamp.now()
        session.send { $0.confirmed(position, upTo: false, now: now) }
    }

    /// Confirms every delivered event at or before `position`.
    package func confirm(upTo position: LSN) {
        let now = ReplicationTimestamp.now()
        session.send { $0.confirmed(position, upTo: true, now: now) }
    }

    /// Ends the stream (CopyDone); the stream's sequence finishes once the server has ended its side. Events
    /// still in flight are dropped unconfirmed, so they are delivered again next time.
    package func stop() {
        session.send { $0.stopReplicationRequested() }
    }
}
