import Logging
import PostgresNIO
import Synchronization
import Tracing
import _ConnectionPoolModule

/// Something SQL runs on: the database (each statement on a connection leased for it), or the one connection of
/// an open transaction.
///
/// Repositories take an executor instead of the database so the same query joins whatever unit of work its
/// caller opened; inside a transaction, querying the database would run outside it.
package protocol SQLExecutor: Sendable {
    /// Runs `query` and returns all its rows.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow]
}

extension PostgresClient: SQLExecutor {
    package func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}

extension PostgresConnection: SQLExecutor {
    /// Refuses a connection already closed: postgres-nio leaves a statement written to a closed connection
    /// unanswered, and its caller waiting forever.
    package func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        guard !isClosed else { throw Database.ConnectionLost() }
        return try await self.query(query, logger: logger).collect()
    }
}

extension Database: SQLExecutor {
    package func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await withConnection { try await $0.query(query, logger: logger).collect() }
    }
}

/// The database of one Kaiten deployment: a connection pool and the unit of work.
package struct Database: Sendable {
    package let client: PostgresClient
    private let processLogger: Logger

    /// The logger of the request being served, set for the length of its handling so that the SQL it runs
    /// logs under its request id.
    @TaskLocal package static var requestLogger: Logger?

    /// What SQL logs to: the current request's logger, else the process's.
    package var logger: Logger { Self.requestLogger ?? processLogger }

    /// Whether the database answers, as an operator reads it: one warning as it stops (a connection refused, a
    /// write refused for want of disk) and one line as a statement works again.
    package let availability: OutageLog

    /// While PostgreSQL is out of reach, the longest a statement or a transaction waits for a connection before
    /// it fails with ``NoConnection``: the pool keeps retrying for a minute before it fails the waiting leases,
    /// and a request should be answered (503) long before.
    package var leaseTimeout: Duration = .seconds(5)

    package init(client: PostgresClient, logger: Logger, availability: OutageLog? = nil) {
        self.client = client
        processLogger = logger
        self.availability = availability ?? OutageLog("the database is unavailable", logger: logger)
    }

    /// A pool for `configuration`, whose failed attempts to connect are logged as one outage (``PoolLog``), and
    /// the database over it. The caller runs `client.run()` beside it.
    package init(configuration: PostgresClient.Configuration, logger: Logger) {
        let availability = OutageLog("the database is unavailable", logger: logger)
        self.init(
            client: PostgresClient(configuration: configuration, backgroundLogger: PoolLog.logger(forwardingTo: logger, availability: availability)),
            logger: logger,
            availability: availability
        )
    }

    /// What runs once the current transaction has committed (see ``afterCommit(_:)``).
    @TaskLocal private static var commitActions: CommitActions?

    /// Runs `action` once the transaction under way commits, or at once outside a transaction (the statement
    /// just run has committed): for wake-ups that must not come before the rows they announce are visible.
    package static func afterCommit(_ action: @escaping @Sendable () -> Void) {
        if let actions = commitActions { actions.append(action) } else { action() }
    }

    /// Runs `body` in one transaction: every write it makes, outbox rows included, commits together or
    /// not at all. An error thrown by `body` is rethrown as it was, so a client error raised inside a transaction
    /// still reaches the client as itself, and a constraint violation can be mapped.
    ///
    /// A transaction whose connection the server closed is not rolled back: the server rolled it back as the
    /// connection ended, and postgres-nio leaves a statement written to a closed connection unanswered, so the
    /// ROLLBACK would wait forever (and with it the request, or a role's shutdown).
    ///
    /// The transaction is a `db.transaction` span of the current trace.
    package func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await withSpan("db.transaction", ofKind: .client) { span in
            span.attributes["db.system.name"] = "postgresql"
            KaitenMetrics.transactionBegan()
            defer { KaitenMetrics.transactionEnded() }
            let actions = CommitActions()
            let result = try await Self.$commitActions.withValue(actions) {
                try await withConnection { connection in
                    try await connection.execute("BEGIN", logger: logger)
                    let value: Result
                    do {
                        value = try await body(connection)
                    } catch {
                        if !connection.isClosed && !PostgresFailure.isConnectionLoss(error) {
                            do {
                                try await connection.execute("ROLLBACK", logger: logger)
                            } catch {
                                // Never give the pool a connection that may still be inside this transaction.
                                try? await connection.close()
                            }
                        }
                        throw error
                    }
                    try await connection.execute("COMMIT", logger: logger)
                    return value
                }
            }
            actions.run()
            return result
        }
    }
}

extension SQLExecutor {
    /// Runs a statement and discards its rows.
    package func execute(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await rows(query, logger: logger)
    }

    /// Runs a query and decodes every row.
    package func all<each Column: PostgresDecodable & Sendable>(
        _ query: PostgresQuery,
        as types: (repeat each Column).Type,
        logger: Logger
    ) async throws -> [(repeat each Column)] {
        try await rows(query, logger: logger).map { try $0.decode((repeat each Column).self) }
    }

    /// Runs a query and decodes its first row, if any.
    package func first<each Column: PostgresDecodable & Sendable>(
        _ query: PostgresQuery,
        as types: (repeat each Column).Type,
        logger: Logger
    ) async throws -> (repeat each Column)? {
        try await rows(query, logger: logger).first.map { try $0.decode((repeat each Column).self) }
    }
}

/// What a failed statement tells about itself, for mapping to client errors.
package struct PostgresFailure: Sendable {
    package let sqlState: String
    package let constraint: String?

    package init?(_ error: any Error) {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return nil }
        sqlState = state
        constraint = error.serverInfo?[.constraintName]
    }

    package var isUniqueViolation: Bool { sqlState == "23505" }
    package var isForeignKeyViolation: Bool { sqlState == "23503" }
    package var isCheckViolation: Bool { sqlState == "23514" }
    package var isRestrictViolation: Bool { sqlState == "23001" }
    /// SQLSTATE class 22: a value the database cannot store or convert.
    package var isDataException: Bool { sqlState.hasPrefix("22") }

    /// Whether `error` says the database cannot serve now (out of reach, shutting down, out of disk, memory or
    /// connections) rather than that the statement was wrong: a condition to retry after, not a bug.
    package static func isUnavailability(_ error: any Error) -> Bool {
        if error is Database.NoConnection || isConnectionLoss(error) { return true }
        if let error = error as? ConnectionPoolError {
            // The pool gave up connecting (after a minute of refused attempts), or is closing.
            return error == .connectionCreationCircuitBreakerTripped || error == .poolShutdown
        }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .poolClosed:
            return true
        case .server:
            // 53: insufficient resources (disk, memory, connections); 57P03: starting up.
            guard let state = error.serverInfo?[.sqlState] else { return false }
            return state.hasPrefix("53") || state == "57P03"
        default:
            return false
        }
    }

    /// Whether `error` says the connection it ran on is gone: closed by either side, cut, or ended by the server
    /// (shut down, or its backend terminated). Nothing more can be sent on it, and its transaction is over.
    package static func isConnectionLoss(_ error: any Error) -> Bool {
        if error is Database.ConnectionLost { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return true
        case .server:
            // 08: connection exception; 57P01, 57P02: the server ended the session (an administrator, a crash).
            guard let state = error.serverInfo?[.sqlState] else { return false }
            return state.hasPrefix("08") || ["57P01", "57P02"].contains(state)
        default:
            return false
        }
    }
}

/// The actions a transaction runs once it has committed.
private final class CommitActions: Sendable {
    private let actions = Mutex<[@Sendable () -> Void]>([])

    func append(_ action: @escaping @Sendable () -> Void) {
        actions.withLock { $0.append(action) }
    }

    func run() {
        for action in actions.withLock({ $0 }) { action() }
    }
}
