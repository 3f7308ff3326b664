import Foundation
import KaitenCore

/// When an entitlement's usage starts again from zero on one instance: its reset period and anchor, and the
/// instance's license start that a `LICENSE_START` anchor steps from.
struct UsageSchedule {
    let period: ResetPeriod
    let anchor: ResetAnchor
    let licenseStart: Date

    /// The schedule of an entitlement with a reset period; nil for a lifetime counter.
    init?(period: String?, anchor: String?, licenseStart: Date) {
        guard let period = period.flatMap(ResetPeriod.init(rawValue:)) else { return nil }
        self.period = period
        self.anchor = anchor.flatMap(ResetAnchor.init(rawValue:)) ?? .calendar
        self.licenseStart = licenseStart
    }

    func window(containing instant: Date) -> UsageWindow {
        UsageWindow.containing(instant, period: period, anchor: anchor, licenseStart: licenseStart)
    }

    /// The window usage counts in at `now`.
    ///
    /// A stored window ahead of now's is kept when it starts on a window boundary: a report that read the
    /// clock just before another rolled the pair over must not see that fresh window as stale, or roll
    /// over from a window already ahead. A stored start off every boundary is a phase shift (the license
    /// start moved) and gives way to now's window.
    func currentWindow(at now: Date, storedStart: Date?) -> UsageWindow {
        let current = window(containing: now)
        guard let storedStart, storedStart.milliseconds > current.start.milliseconds else { return current }
        let stored = window(containing: storedStart)
        return stored.start.milliseconds == storedStart.milliseconds ? stored : current
    }

    /// One window closed by a report: the stored one first, then a synthetic empty one for each window
    /// nobody reported in.
    struct Closure: Equatable {
        /// Nil when the stored total was a lifetime counter, before the entitlement got a reset period.
        let start: Date?
        /// Nil when the closed window's end cannot be known: a lifetime counter, or a start that is no
        /// boundary under the current schedule.
        let end: Date?
        let usage: NumberUsage
        let newPeriodStart: Date
        let isSynthetic: Bool
    }

    /// Thrown when more windows elapsed since the last report than one report may close.
    struct TooManyClosures: Error {}

    /// The windows to close to bring a total stored at `storedStart` up to `current`, oldest first; the last
    /// one opens `current`.
    func closures(from storedStart: Date?, usage: NumberUsage, to current: UsageWindow, limit: Int) throws -> [Closure] {
        guard let storedStart else {
            return [Closure(start: nil, end: nil, usage: usage, newPeriodStart: current.start, isSynthetic: false)]
        }
        let stored = window(containing: storedStart)
        guard stored.start.milliseconds == storedStart.milliseconds else {
            return [Closure(start: storedStart, end: nil, usage: usage, newPeriodStart: current.start, isSynthetic: false)]
        }
        var closures: [Closure] = []
        var closing = stored
        while true {
            let next = closing.next(period: period, anchor: anchor, licenseStart: licenseStart)
            closures.append(
                Closure(
                    start: closing.start, end: closing.end, usage: closures.isEmpty ? usage : .zero, newPeriodStart: next.start,
                    isSynthetic: !closures.isEmpty)
            )
            if closures.count > limit { throw TooManyClosures() }
            if next.start.milliseconds >= current.start.milliseconds { return closures }
            closing = next
        }
    }
}
