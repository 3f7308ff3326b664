/// A position in PostgreSQL's write-ahead log (an `XLogRecPtr`), written `X/X` in hexadecimal on the wire and in SQL.
///
/// Zero is PostgreSQL's `InvalidXLogRecPtr`: as a start position it means "wherever the slot is", and as a flush
/// position in a standby status update the server ignores it.
package struct LSN: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    package var rawValue: UInt64

    package static let zero = LSN(rawValue: 0)

    package init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Parses the `X/X` text form (`IDENTIFY_SYSTEM`'s `xlogpos`, `pg_current_wal_lsn()::text`); nil for anything else.
    package init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...8).contains(parts[0].count), (1...8).contains(parts[1].count),
            let high = UInt32(parts[0], radix: 16), let low = UInt32(parts[1], radix: 16)
        else { return nil }
        self.rawValue = UInt64(high) << 32 | UInt64(low)
    }

    package var description: String {
        String(rawValue >> 32, radix: 16, uppercase: true) + "/" + String(rawValue & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    package static func < (lhs: LSN, rhs: LSN) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
