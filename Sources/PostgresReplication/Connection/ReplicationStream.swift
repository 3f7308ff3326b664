import PostgresReplicationProtocol

/// The events of a started replication, in commit order. It ends (returns nil) once the stream is stopped, and
/// throws when the connection fails.
///
/// Pulling drives the connection: an event is read from the server only when asked for, so a slow consumer
/// applies backpressure all the way to the walsender. Feedback does not depend on pulling; it runs on a timer.
package struct ReplicationStream: AsyncSequence {
    package typealias Element = ReplicationEvent

    let connection: ReplicationConnection

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(connection: connection)
    }

    package struct AsyncIterator: AsyncIteratorProtocol {
        let connection: ReplicationConnection

        package mutating func next() async throws -> ReplicationEvent? {
            try await connection.nextEvent()
        }
    }
}
