import Foundation

/// The clock of work scheduled in PostgreSQL: it paces the process (sleeps, intervals, rates), and it says
/// which "now" the SQL compares the stored times (due retries, leases, retention cut-offs) with.
///
/// In production that "now" is the database's own `now()`, so every replica judges due work and leases by one
/// clock whatever its own clock's skew: ``ContinuousClock`` paces and leaves the SQL's `now()` alone. A test
/// clock gives its own wall time instead, so that moving it on moves the process and the SQL together, and a
/// test sees a retry an hour away without waiting for it.
///
/// Statements take the time as `COALESCE($now, now())`, binding ``databaseNow``.
package protocol DatabaseClock: Clock, Sendable where Duration == Swift.Duration {
    /// The time the SQL takes for "now"; nil: the database's own `now()`.
    var databaseNow: Date? { get }
}

extension ContinuousClock: DatabaseClock {
    /// Nil: production schedules by the database's clock.
    package var databaseNow: Date? { nil }
}

extension DatabaseClock {
    /// The wall time for work that compares times in the process: the clock's, or this machine's.
    package var wallNow: Date { databaseNow ?? Date() }
}
