import Foundation

/// RFC 3339 timestamps as Kaiten writes and reads them.
///
/// Written in UTC with microseconds (PostgreSQL's precision) and a `Z`; read with or without fractional
/// seconds and with any offset, since Go clients trim trailing zeros and others send none.
package enum Timestamp {
    package static func format(_ date: Date) -> String {
        // Clamped so that no instant traps the conversion; every instant the API accepts is far inside.
        let scaled = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let microseconds = scaled.isNaN ? 0 : Int(min(max(scaled, -9.2e18), 9.2e18))
        return format(microsecondsSince1970: microseconds)
    }

    /// The same text, from whole microseconds since 1970.
    static func format(microsecondsSince1970 microseconds: Int) -> String {
        let seconds = microseconds.floorDivided(by: 1_000_000)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = ProlepticGregorian.date(daysSinceEpoch: days)
        func digits(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(digits(year, 4))-\(digits(month, 2))-\(digits(day, 2))T\(digits(secondOfDay / 3600, 2)):"
            + "\(digits(secondOfDay / 60 % 60, 2)):\(digits(secondOfDay % 60, 2)).\(digits(microseconds - seconds * 1_000_000, 6))Z"
    }

    /// Reads an RFC 3339 date-time: `2026-11-18T11:06:40Z`, with `t` or a space for `T`, up to nine
    /// fractional digits, and `Z` or a `±hh:mm` offset.
    package static func parse(_ text: String) -> Date? {
        var scanner = TimestampScanner(text)
        guard let local = scanner.dateTime(separators: [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")]) else { return nil }
        let offset: Int
        if scanner.take(UInt8(ascii: "Z")) || scanner.take(UInt8(ascii: "z")) {
            offset = 0
        } else {
            guard let sign = scanner.sign(), let hours = scanner.digits(2), scanner.take(UInt8(ascii: ":")), let minutes = scanner.digits(2),
                hours < 24, minutes < 60
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard scanner.isAtEnd else { return nil }
        return Date(timeIntervalSince1970: local - TimeInterval(offset))
    }

    /// The latest instant the API accepts: the last microsecond whose four-digit year RFC 3339 can write.
    package static let latestMicrosecondsSince1970 = 253_402_300_799_999_999

    /// Reads an RFC 3339 date-time a client sent, as ``parse(_:)`` does, and refuses (nil) one that would not
    /// read back as the instant it names: what is stored is read back through PostgreSQL's microseconds and
    /// written with a four-digit year, and far from 1970 a `Date` cannot hold every microsecond (on
    /// `9999-12-31T23:59:59.999999Z` it rounds up into year 10000). Sub-microsecond digits are dropped, as
    /// PostgreSQL drops them; the driver's truncation to the microsecond below is tolerated.
    package static func parseStorable(_ text: String) -> Date? {
        guard let date = parse(text), let exact = exactMicrosecondsSince1970(text),
            (-62_135_596_800_000_000...latestMicrosecondsSince1970).contains(exact)
        else { return nil }
        // The path of a stored value: PostgreSQL's driver binds whole microseconds since 2000 (truncating) and
        // reads them back into a Date, which Kaiten writes rounded to the microsecond.
        let sincePostgresEpoch = date.timeIntervalSince(postgresEpoch) * 1_000_000
        guard sincePostgresEpoch.isFinite, abs(sincePostgresEpoch) < 9.0e18 else { return nil }
        let stored = Date(timeInterval: Double(Int64(sincePostgresEpoch)) / 1_000_000, since: postgresEpoch)
        let readBack = (stored.timeIntervalSince1970 * 1_000_000).rounded()
        guard readBack.isFinite, abs(readBack) < 9.0e18, abs(Int(readBack) - exact) <= 1, Int(readBack) <= latestMicrosecondsSince1970 else {
            return nil
        }
        return date
    }

    private static let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)

    /// The instant an RFC 3339 text names, in whole microseconds since 1970, computed without floating point.
    static func exactMicrosecondsSince1970(_ text: String) -> Int? {
        var scanner = TimestampScanner(text)
        guard let local = scanner.exactDateTime(separators: [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")]) else { return nil }
        var offset = 0
        if !(scanner.take(UInt8(ascii: "Z")) || scanner.take(UInt8(ascii: "z"))) {
            guard let sign = scanner.sign(), let hours = scanner.digits(2), scanner.take(UInt8(ascii: ":")), let minutes = scanner.digits(2)
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard scanner.isAtEnd else { return nil }
        return local - offset * 1_000_000
    }

    /// Reads a `timestamptz` as PostgreSQL prints it in its default ISO style (text protocol, logical
    /// replication): `2026-11-22 15:00:00.123+00`, `2026-11-22 20:30:00+05:30`; historical zones add seconds
    /// (`1890-01-01 00:00:00+00:53:28`).
    package static func parsePostgres(_ text: String) -> Date? {
        var scanner = TimestampScanner(text)
        guard let local = scanner.dateTime(separators: [UInt8(ascii: " ")]), let sign = scanner.sign(), let hours = scanner.digits(2) else {
            return nil
        }
        var offset = hours * 3600
        if scanner.take(UInt8(ascii: ":")) {
            guard let minutes = scanner.digits(2) else { return nil }
            offset += minutes * 60
            if scanner.take(UInt8(ascii: ":")) {
                guard let seconds = scanner.digits(2) else { return nil }
                offset += seconds
            }
        }
        guard scanner.isAtEnd else { return nil }
        return Date(timeIntervalSince1970: local - TimeInterval(sign * offset))
    }
}

/// Reads timestamps byte by byte: the relay parses one per event, and a regular expression built per call cost
/// more than the rest of the relay's work together.
private struct TimestampScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    var isAtEnd: Bool { index == bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// +1 or -1 for a `+` or `-`.
    mutating func sign() -> Int? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }

    /// Exactly `count` decimal digits.
    mutating func digits(_ count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + count] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        index += count
        return value
    }

    /// `YYYY-MM-DD<separator>hh:mm:ss[.fraction]` as whole microseconds since 1970 in the local time it states,
    /// rounded half up from up to nine fractional digits.
    mutating func exactDateTime(separators: [UInt8]) -> Int? {
        let start = index
        guard dateTime(separators: separators) != nil else { return nil }
        // The shape is checked; read the fields again at their fixed offsets, as integers.
        func number(_ offset: Int, _ count: Int) -> Int {
            bytes[start + offset..<start + offset + count].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        let (year, month, day) = (number(0, 4), number(5, 2), number(8, 2))
        let (hour, minute, second) = (number(11, 2), number(14, 2), number(17, 2))
        // A leap second would read back as the next minute's first.
        guard second < 60 else { return nil }
        var nanoseconds = 0
        var scale = 100_000_000
        for byte in bytes[min(start + 20, index)..<index] {
            nanoseconds += Int(byte - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        let days = ProlepticGregorian.daysSinceEpoch(year: year, month: month, day: day)
        return (days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000 + (nanoseconds + 500) / 1000
    }

    /// `YYYY-MM-DD<separator>hh:mm:ss[.fraction]` as seconds since 1970 in the local time it states.
    mutating func dateTime(separators: [UInt8]) -> TimeInterval? {
        guard let year = digits(4), take(UInt8(ascii: "-")), let month = digits(2), take(UInt8(ascii: "-")), let day = digits(2),
            index < bytes.count, separators.contains(bytes[index])
        else { return nil }
        index += 1
        guard let hour = digits(2), take(UInt8(ascii: ":")), let minute = digits(2), take(UInt8(ascii: ":")), let second = digits(2),
            (1...12).contains(month), (1...ProlepticGregorian.daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fraction = 0.0
        if take(UInt8(ascii: ".")) {
            // Digits as an integer, divided once: the nearest double to the written fraction, so a timestamp read
            // back from a cursor binds to PostgreSQL as the same microsecond (a sum of digit × 0.1ⁿ can land just
            // below it, and the driver truncates).
            var numerator = 0
            var denominator = 1
            let start = index
            while index < bytes.count, index - start < 9, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                numerator = numerator * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                denominator *= 10
                index += 1
            }
            guard index > start else { return nil }
            fraction = Double(numerator) / Double(denominator)
        }
        let days = ProlepticGregorian.daysSinceEpoch(year: year, month: month, day: day)
        return TimeInterval(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction
    }
}

/// The calendar PostgreSQL and RFC 3339 use: Gregorian rules extended back before 1582, in UTC, so both
/// directions are plain integer arithmetic (Howard Hinnant's `days_from_civil` and `civil_from_days`).
private enum ProlepticGregorian {
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a date.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` after 1970-01-01.
    static func date(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int {
    /// Division rounding toward negative infinity, so instants before 1970 land in the right second and day.
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return self % divisor < 0 ? quotient - 1 : quotient
    }
}
