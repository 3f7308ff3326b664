import Foundation
import KaitenCore
import Testing

@Suite struct UsageWindowTests {
    static func date(_ text: String) -> Date { Timestamp.parse(text)! }

    @Test(arguments: [
        (ResetPeriod.hour, "2026-11-18T11:06:40Z", "2026-11-18T11:00:00Z", "2026-11-18T12:00:00Z"),
        (.day, "2026-11-18T11:06:40Z", "2026-11-18T00:00:00Z", "2026-11-19T00:00:00Z"),
        (.week, "2026-11-18T11:06:40Z", "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"),
        (.week, "2026-11-22T23:59:59Z", "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"),
        (.month, "2026-11-18T11:06:40Z", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
        (.year, "2026-11-18T11:06:40Z", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
    ])
    func calendarWindowsTruncateInUTC(_ period: ResetPeriod, _ instant: String, _ start: String, _ end: String) {
        let window = UsageWindow.containing(Self.date(instant), period: period, anchor: .calendar, licenseStart: Self.date("2020-01-01T00:00:00Z"))
        #expect(window == UsageWindow(start: Self.date(start), end: Self.date(end)))
    }

    @Test func licenseStartWindowsStepFromTheAnchor() {
        let anchor = Self.date("2026-01-31T10:30:00Z")
        let daily = UsageWindow.containing(Self.date("2026-02-03T09:00:00Z"), period: .day, anchor: .licenseStart, licenseStart: anchor)
        #expect(daily == UsageWindow(start: Self.date("2026-02-02T10:30:00Z"), end: Self.date("2026-02-03T10:30:00Z")))
        let february = UsageWindow.containing(Self.date("2026-03-01T00:00:00Z"), period: .month, anchor: .licenseStart, licenseStart: anchor)
        #expect(february == UsageWindow(start: Self.date("2026-02-28T10:30:00Z"), end: Self.date("2026-03-31T10:30:00Z")))
        let yearly = UsageWindow.containing(Self.date("2028-01-15T00:00:00Z"), period: .year, anchor: .licenseStart, licenseStart: anchor)
        #expect(yearly == UsageWindow(start: Self.date("2027-01-31T10:30:00Z"), end: Self.date("2028-01-31T10:30:00Z")))
        let beforeStart = UsageWindow.containing(Self.date("2026-01-30T10:00:00Z"), period: .month, anchor: .licenseStart, licenseStart: anchor)
        #expect(beforeStart == UsageWindow(start: Self.date("2025-12-31T10:30:00Z"), end: Self.date("2026-01-31T10:30:00Z")))
    }

    @Test func nextWindowsAreContiguous() {
        let anchor = Self.date("2024-01-31T00:00:00Z")
        var window = UsageWindow.containing(anchor, period: .month, anchor: .licenseStart, licenseStart: anchor)
        var starts: [String] = []
        for _ in 0..<4 {
            starts.append(Timestamp.format(window.start))
            let next = window.next(period: .month, anchor: .licenseStart, licenseStart: anchor)
            #expect(next.start == window.end)
            window = next
        }
        #expect(
            starts == ["2024-01-31T00:00:00.000000Z", "2024-02-29T00:00:00.000000Z", "2024-03-31T00:00:00.000000Z", "2024-04-30T00:00:00.000000Z"])
    }
}

@Suite struct EntitlementValueTests {
    @Test func readsAndWritesTheThreeShapes() throws {
        #expect(EntitlementValue(json: ["type": "number", "value": 5]) == .number(5))
        #expect(EntitlementValue(json: ["type": "number", "value": -1])?.isUnlimited == true)
        #expect(EntitlementValue(json: ["type": "boolean", "value": true]) == .boolean(true))
        #expect(EntitlementValue(json: ["type": "object", "value": ["a": 1]]) == .object(["a": 1]))
        #expect(EntitlementValue(json: ["type": "number", "value": 3, "event_count": 2], allowsEventCount: true) == .number(3, eventCount: 2))
        #expect(EntitlementValue(json: ["type": "number", "value": 3, "event_count": 2]) == nil)
        #expect(EntitlementValue(json: ["type": "number", "value": "5"]) == nil)
        #expect(EntitlementValue(json: ["type": "boolean", "value": 1]) == nil)
        #expect(EntitlementValue(json: ["type": "string", "value": "x"]) == nil)
        #expect(EntitlementValue.number(5, eventCount: 1).json.jsonText == #"{"event_count":1,"type":"number","value":5}"#)
        #expect(EntitlementValue.number(2.5).json.jsonText == #"{"type":"number","value":2.5}"#)
    }
}
