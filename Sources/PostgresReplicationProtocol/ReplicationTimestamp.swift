/// A server or client clock reading as the replication protocol carries it: microseconds since
/// 2000-01-01 00:00:00 UTC (PostgreSQL's epoch), signed.
package struct ReplicationTimestamp: RawRepresentable, Hashable, Comparable, Sendable {
    package var rawValue: Int64

    /// Seconds between the Unix epoch and PostgreSQL's.
    package static let unixEpochOffset: Int64 = 946_684_800

    package init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    package init(secondsSinceUnixEpoch seconds: Double) {
        self.rawValue = Int64(((seconds - Double(Self.unixEpochOffset)) * 1_000_000).rounded())
    }

    package var secondsSinceUnixEpoch: Double {
        Double(rawValue) / 1_000_000 + Double(Self.unixEpochOffset)
    }

    package static func < (lhs: ReplicationTimestamp, rhs: ReplicationTimestamp) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
