import Foundation
import Testing

@testable import KaitenWebhooks

@Suite struct RetryScheduleTests {
    let schedule = RetrySchedule(delays: [.zero, .seconds(5), .seconds(300)], jitter: 0.2, overloadDelay: .seconds(60))

    @Test func delaysFollowTheScheduleWithinItsJitterAndEndWithIt() {
        #expect(schedule.delay(afterAttempts: 1, random: 0) == .seconds(5))
        #expect(schedule.delay(afterAttempts: 1, random: 1) == .seconds(6))
        #expect(schedule.delay(afterAttempts: 2, random: -1) == .seconds(240))
        #expect(schedule.delay(afterAttempts: 3, random: 0) == nil)
    }

    @Test func retryAfterSlowsRetriesDownToTwiceTheScheduleButNeverHurriesThem() {
        #expect(schedule.delay(afterAttempts: 1, retryAfter: .seconds(8), random: 0) == .seconds(8))
        #expect(schedule.delay(afterAttempts: 1, retryAfter: .seconds(3600), random: 0) == .seconds(10))
        #expect(schedule.delay(afterAttempts: 1, retryAfter: .zero, random: 0) == .seconds(5))
    }

    @Test func overloadWaitsAtLeastTheOverloadDelay() {
        #expect(schedule.delay(afterAttempts: 1, overloaded: true, random: 0) == .seconds(60))
        #expect(schedule.delay(afterAttempts: 2, overloaded: true, random: 0) == .seconds(300))
        #expect(schedule.delay(afterAttempts: 1, retryAfter: .seconds(8), overloaded: true, random: 0) == .seconds(60))
    }

    @Test func retryAfterIsSecondsOrAnIMFFixdate() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2026-11-22T12:00:00Z"))
        #expect(WebhookSender.retryAfter("120", now: now) == .seconds(120))
        #expect(WebhookSender.retryAfter(" 7 ", now: now) == .seconds(7))
        #expect(WebhookSender.retryAfter("Sun, 22 Nov 2026 12:01:30 GMT", now: now) == .seconds(90))
        #expect(WebhookSender.retryAfter("Sun, 22 Nov 2026 11:00:00 GMT", now: now) == .zero, "a date in the past means now")
        for invalid in ["-5", "soon", "1.5", "Sunday, 22-Nov-26 12:01:30 GMT", "Sun, 22 Foo 2026 12:01:30 GMT", ""] {
            #expect(WebhookSender.retryAfter(invalid, now: now) == nil, "\(invalid)")
        }
    }
}
