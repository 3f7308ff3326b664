import Logging
import PostgresNIO
import Synchronization

extension Database {
    /// No connection could be had while PostgreSQL was out of reach (see ``Database/leaseTimeout``). Answered as
    /// 503 `Database.Unavailable`.
    package struct NoConnection: Error, CustomStringConvertible {
        package let waited: Duration

        package var description: String { "no database connection within \(waited), and connecting to PostgreSQL fails" }
    }

    /// The connection a statement was to run on had closed (see ``PostgresConnection/rows(_:logger:)``).
    package struct ConnectionLost: Error, CustomStringConvertible {
        package var description: String { "the database connection is closed" }
    }

    /// Runs `body` on a connection leased from the pool for its length. While connecting fails (``availability``
    /// is in an outage), a wait for the connection ends after ``leaseTimeout`` with ``NoConnection``; waiting
    /// for a busy pool is backpressure, and has no deadline. What `body` does tells ``availability`` whether the
    /// database answers.
    ///
    /// The pool's lease can be cancelled but has no deadline, so a child task waits for it and lends the connection
    /// to `body`, which runs here (in this task, with its task-locals) while the child holds the lease; a second
    /// child ends the wait at the deadline. A connection that arrives after it is handed straight back.
    ///
    /// A connection whose session ends under `body` is closed before the pool has it back. One found closed
    /// before `body` runs is given back and another leased, a few times over: after PostgreSQL restarts, the
    /// pool's idle connections can be leased before the pool has handled their closing.
    package func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await withLeasedConnection(refusingClosed: attempt < Self.leaseAttempts, body)
            } catch is ClosedBeforeUse {
                attempt += 1
            }
        }
    }

    /// How many leases a statement makes before it runs on a connection found closed (and fails as
    /// ``ConnectionLost``).
    private static let leaseAttempts = 8

    private struct ClosedBeforeUse: Error {}

    private func withLeasedConnection<Result: Sendable>(
        refusingClosed: Bool,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
            let handOver = LeaseHandOver()
            group.addTask { [client] in
                do {
                    try await client.withConnection { connection in await handOver.lend(connection) }
                } catch {
                    handOver.fail(error)
                }
            }
            group.addTask { [leaseTimeout, availability] in
                var waited = Duration.zero
                repeat {
                    do { try await Task.sleep(for: leaseTimeout) } catch { return }
                    waited += leaseTimeout
                } while !availability.isFailing()
                handOver.fail(NoConnection(waited: waited))
            }
            defer { group.cancelAll() }
            do {
                let connection = try await handOver.borrow()
                defer { handOver.giveBack() }
                if refusingClosed && connection.isClosed {
                    // Once its close future has completed the pool has seen it close, and leases another.
                    try? await connection.closeFuture.get()
                    throw ClosedBeforeUse()
                }
                let result: Result
                do {
                    result = try await body(connection)
                } catch  where PostgresFailure.isConnectionLoss(error) {
                    // Closed before the pool has it back, so that no one else leases it: the pool learns that the
                    // server ended the session only once the socket's end is read.
                    try? await connection.close()
                    throw error
                }
                availability.succeeded()
                return result
            } catch {
                if PostgresFailure.isUnavailability(error) { availability.failed(error) }
                throw error
            }
        }
    }
}

extension Database {
    /// Runs a prepared statement on a connection leased for it; returns all its rows.
    package func rows<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws -> [Statement.Row]
    where Statement.Row: Sendable {
        try await withConnection { connection in
            var rows: [Statement.Row] = []
            for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
    }
}

/// A connection passed from the task that holds its lease to the task that uses it, and back.
private final class LeaseHandOver: Sendable {
    private enum State {
        /// Neither side has come yet.
        case idle
        /// The user waits for the connection.
        case borrowing(CheckedContinuation<PostgresConnection, any Error>)
        /// The connection came first; its lender waits for it to be taken and given back.
        case offered(PostgresConnection, lender: CheckedContinuation<Void, Never>)
        /// The user has the connection; its lender waits for it back.
        case lent(lender: CheckedContinuation<Void, Never>)
        /// Given back, or never to be lent: the lease failed or the deadline passed first.
        case finished(failure: (any Error)?)
    }

    private let state = Mutex(State.idle)

    /// Waits for the connection, or for the failure that means there will be none.
    func borrow() async throws -> PostgresConnection {
        try await withCheckedThrowingContinuation { borrower in
            state.withLock { state in
                switch state {
                case .idle:
                    state = .borrowing(borrower)
                case .offered(let connection, let lender):
                    state = .lent(lender: lender)
                    borrower.resume(returning: connection)
                case .finished(let failure):
                    borrower.resume(throwing: failure ?? CancellationError())
                case .borrowing, .lent:
                    preconditionFailure("a connection is borrowed once")
                }
            }
        }
    }

    /// Hands `connection` over and waits until it is given back, or returns at once when the user gave up.
    func lend(_ connection: PostgresConnection) async {
        await withCheckedContinuation { lender in
            state.withLock { state in
                switch state {
                case .idle:
                    state = .offered(connection, lender: lender)
                case .borrowing(let borrower):
                    state = .lent(lender: lender)
                    borrower.resume(returning: connection)
                case .finished:
                    lender.resume()
                case .offered, .lent:
                    preconditionFailure("a connection is lent once")
                }
            }
        }
    }

    /// Ends the wait with `error`, unless the connection has already been handed over.
    func fail(_ error: any Error) {
        state.withLock { state in
            switch state {
            case .idle:
                state = .finished(failure: error)
            case .borrowing(let borrower):
                state = .finished(failure: error)
                borrower.resume(throwing: error)
            case .offered, .lent, .finished:
                break
            }
        }
    }

    /// Returns the connection to its lender, which ends the lease.
    func giveBack() {
        state.withLock { state in
            if case .lent(let lender) = state {
                state = .finished(failure: nil)
                lender.resume()
            }
        }
    }
}
