import Foundation

/// RFC 3339 timestamps as Kaiten writes and reads them.
///
/// Written in UTC with microseconds (PostgreSQL's precision) and a `Z`; read with or without fractional
/// seconds and with any offset, since Go clients trim trailing zeros and others send none.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = microseconds / 1_000_000
        var fraction = microseconds % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        let whole = Date(timeIntervalSince1970: TimeInterval(seconds))
        let components = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: whole)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
            components.year!, components.month!, components.day!,
            components.hour!, components.minute!, components.second!, fraction
        )
    }

    public static func parse(_ text: String) -> Date? {
        let pattern = #/^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/#
        guard let match = text.wholeMatch(of: pattern) else { return nil }
        var components = DateComponents()
        components.timeZone = TimeZone(identifier: "UTC")
        components.year = Int(match.1)
        components.month = Int(match.2)
        components.day = Int(match.3)
        components.hour = Int(match.4)
        components.minute = Int(match.5)
        components.second = Int(match.6)
        guard let month = components.month, (1...12).contains(month),
            let day = components.day, (1...31).contains(day),
            let hour = components.hour, hour < 24,
            let minute = components.minute, minute < 60,
            let second = components.second, second < 61,
            let base = calendar.date(from: components)
        else { return nil }
        var offset: TimeInterval = 0
        let zone = match.8
        if zone != "Z" && zone != "z" {
            let sign: TimeInterval = zone.hasPrefix("-") ? -1 : 1
            let hours = TimeInterval(zone.dropFirst().prefix(2))!
            let minutes = TimeInterval(zone.suffix(2))!
            offset = sign * (hours * 3600 + minutes * 60)
        }
        let fraction = match.7.map { Double("0" + $0)! } ?? 0
        return base.addingTimeInterval(fraction - offset)
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
