import Foundation

/// How the console writes values for people.
enum Format {
    /// `2026-12-03 14:50 UTC`.
    static func date(_ date: Date?) -> String {
        guard let date else { return "—" }
        return date.formatted(
            Date.VerbatimFormatStyle(
                format:
                    "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits) UTC",
                timeZone: .gmt, calendar: Calendar(identifier: .gregorian)))
    }

    /// `2026-12-03`, as a date input takes it.
    static func day(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(
            Date.VerbatimFormatStyle(
                format: "\(year: .defaultDigits)-\(month: .twoDigits)-\(day: .twoDigits)", timeZone: .gmt, calendar: Calendar(identifier: .gregorian))
        )
    }

    /// A number as people read it: `1,234.5`.
    static func number(_ value: Double) -> String {
        value.formatted(.number.precision(.fractionLength(0...2)).locale(Locale(identifier: "en_US")))
    }
}
