import KaitenCore
import KaitenTestSupport
import Logging
import Testing

@Suite("OutageLog")
struct OutageLogTests {
    @Test("an outage is a warning as it begins, debug lines while it lasts, and one line as it ends")
    func onceAsItBeginsAndOnceAsItEnds() {
        let log = CapturedLog()
        let outage = OutageLog("the relay could not claim outbox rows", logger: log.logger)
        outage.succeeded()
        for _ in 0..<5 { outage.failed(CancellationError()) }
        outage.succeeded()
        outage.succeeded()
        #expect(log.captured.map(\.level) == [.warning, .debug, .debug, .debug, .debug, .info], "nothing before the outage, nothing after its end")
        #expect(log.captured.first?.message == "the relay could not claim outbox rows")
        #expect(log.captured.last?.metadata["kaiten.failed_attempts"] == "5")
    }

    @Test("each subject has its own outage: one failing does not hide another's beginning, nor end it")
    func eachSubjectHasItsOwnOutage() {
        let log = CapturedLog()
        let outage = OutageLog("could not deliver to a webhook endpoint", logger: log.logger)
        outage.failed(because: "could not resolve a.example", subject: "a")
        outage.failed(because: "answered 503", subject: "b")
        outage.failed(because: "could not resolve a.example", subject: "a")
        outage.succeeded(subject: "b")
        outage.succeeded(subject: "b")
        outage.succeeded(subject: "a")
        #expect(log.captured.map(\.level) == [.warning, .warning, .debug, .info, .info])
        #expect(
            log.captured.map { $0.metadata["kaiten.error"] } == [
                "could not resolve a.example", "answered 503", "could not resolve a.example", nil, nil,
            ])
        #expect(log.captured.compactMap { $0.metadata["kaiten.failed_attempts"] } == ["1", "2"])
    }
}
