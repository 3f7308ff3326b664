import KaitenCore
import KaitenTestSupport
import Testing

@Suite("WakeSignal")
struct WakeSignalTests {
    @Test("a fire while nobody waits is kept for the next wait, once")
    func aFireIsKeptOnce() async throws {
        let signal = WakeSignal()
        let clock = ManualClock()
        signal.fire()
        signal.fire()
        await signal.wait(until: clock.now.advanced(by: .seconds(60)), on: clock)
        #expect(clock.now.offset == .zero, "the kept fire ended the wait before the clock moved")

        let waiting = Task { await signal.wait(until: clock.now.advanced(by: .seconds(60)), on: clock) }
        try await eventually { clock.sleeperCount == 1 }
        clock.advance(by: .seconds(60))
        await waiting.value
    }

    @Test("a fire ends a wait before its deadline")
    func aFireEndsAWait() async throws {
        let signal = WakeSignal()
        let clock = ManualClock()
        let waiting = Task { await signal.wait(until: clock.now.advanced(by: .seconds(3600)), on: clock) }
        try await eventually { clock.sleeperCount == 1 }
        signal.fire()
        await waiting.value
        #expect(clock.sleeperCount == 0, "the deadline's sleep was given up")
        #expect(clock.now.offset == .zero)
    }

    @Test("a cancelled wait returns")
    func cancelledWaitReturns() async {
        let signal = WakeSignal()
        let waiting = Task { await signal.wait() }
        waiting.cancel()
        await waiting.value
    }
}
