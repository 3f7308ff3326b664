import Foundation

/// How often a metered entitlement's usage starts again from zero.
package enum ResetPeriod: String, Sendable, CaseIterable {
    case hour = "HOUR"
    case day = "DAY"
    case week = "WEEK"
    case month = "MONTH"
    case year = "YEAR"
}

/// What reset windows are aligned to: the calendar (UTC), or the instance's license start.
package enum ResetAnchor: String, Sendable, CaseIterable {
    case calendar = "CALENDAR"
    case licenseStart = "LICENSE_START"
}

/// A usage window `[start, end)`, in UTC.
package struct UsageWindow: Sendable, Equatable {
    package let start: Date
    package let end: Date

    package init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    /// The window of `period` that contains `instant`.
    ///
    /// Calendar windows truncate to the hour, the day, the ISO week (Monday), the 1st of the month or
    /// 1 January. License-start windows step from `licenseStart`: fixed lengths for hours, days and weeks;
    /// whole months or years for the others, each step recomputed from the anchor's day of month and
    /// clamped to the month's last day (a 31 January anchor gives 28/29 February, then 31 March).
    package static func containing(_ instant: Date, period: ResetPeriod, anchor: ResetAnchor, licenseStart: Date) -> UsageWindow {
        switch anchor {
        case .calendar:
            let start = calendarStart(of: instant, period: period)
            return UsageWindow(start: start, end: calendarStart(of: step(start, period: period, count: 1), period: period))
        case .licenseStart:
            if let length = fixedLength(period) {
                let steps = ((instant.timeIntervalSince(licenseStart)) / length).rounded(.down)
                let start = licenseStart.addingTimeInterval(steps * length)
                return UsageWindow(start: start, end: start.addingTimeInterval(length))
            }
            let months = period == .year ? 12 : 1
            var count = estimateSteps(from: licenseStart, to: instant, months: months)
            while anchored(licenseStart, months: months * count) > instant { count -= 1 }
            while anchored(licenseStart, months: months * (count + 1)) <= instant { count += 1 }
            return UsageWindow(start: anchored(licenseStart, months: months * count), end: anchored(licenseStart, months: months * (count + 1)))
        }
    }

    /// The window right after this one.
    package func next(period: ResetPeriod, anchor: ResetAnchor, licenseStart: Date) -> UsageWindow {
        UsageWindow.containing(end, period: period, anchor: anchor, licenseStart: licenseStart)
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }()

    private static func calendarStart(of instant: Date, period: ResetPeriod) -> Date {
        let calendar = utc
        switch period {
        case .hour: return calendar.dateInterval(of: .hour, for: instant)!.start
        case .day: return calendar.startOfDay(for: instant)
        case .week: return calendar.dateInterval(of: .weekOfYear, for: instant)!.start
        case .month: return calendar.dateInterval(of: .month, for: instant)!.start
        case .year: return calendar.dateInterval(of: .year, for: instant)!.start
        }
    }

    private static func step(_ start: Date, period: ResetPeriod, count: Int) -> Date {
        switch period {
        case .hour: utc.date(byAdding: .hour, value: count, to: start)!
        case .day: utc.date(byAdding: .day, value: count, to: start)!
        case .week: utc.date(byAdding: .day, value: 7 * count, to: start)!
        case .month: utc.date(byAdding: .month, value: count, to: start)!
        case .year: utc.date(byAdding: .year, value: count, to: start)!
        }
    }

    private static func fixedLength(_ period: ResetPeriod) -> TimeInterval? {
        switch period {
        case .hour: 3_600
        case .day: 86_400
        case .week: 604_800
        case .month, .year: nil
        }
    }

    /// The anchor moved by whole months, keeping its day of month where the month has it.
    private static func anchored(_ anchor: Date, months: Int) -> Date {
        let calendar = utc
        var components = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: anchor)
        let day = components.day!
        let total = components.year! * 12 + (components.month! - 1) + months
        components.year = total >= 0 ? total / 12 : (total - 11) / 12
        components.month = total - components.year! * 12 + 1
        components.day = 1
        let firstOfMonth = calendar.date(from: components)!
        let length = calendar.range(of: .day, in: .month, for: firstOfMonth)!.count
        components.day = min(day, length)
        return calendar.date(from: components)!
    }

    private static func estimateSteps(from anchor: Date, to instant: Date, months: Int) -> Int {
        Int((instant.timeIntervalSince(anchor) / (Double(months) * 30.436_875 * 86_400)).rounded(.down))
    }
}
