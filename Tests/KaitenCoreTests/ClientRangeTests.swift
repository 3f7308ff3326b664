import Foundation
import KaitenCore
import Testing

/// Numbers and instants a client sends that the server cannot hold: refused up front, never a trap later.
@Suite struct ClientRangeTests {
    @Test(arguments: [
        "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000000Z", "0001-01-01T00:00:00Z", "2026-11-18T11:06:40.123456Z",
        "2026-11-18T11:06:40.123456789Z", "2100-01-01T00:00:00.000001Z", "2026-11-18T12:06:40+01:00",
    ])
    func storableTimestampsReadBackAsSent(_ text: String) throws {
        let date = try #require(Timestamp.parseStorable(text))
        let written = try #require(Timestamp.parse(Timestamp.format(date)))
        // The driver truncates to the microsecond below; nothing further.
        #expect(abs(written.timeIntervalSince(try #require(Timestamp.parse(text)))) <= 0.000_001_5)
        #expect(Timestamp.format(date).count == "2026-11-18T11:06:40.123456Z".count)
    }

    @Test(arguments: [
        "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.99999Z", "9999-12-31T23:59:59.999Z", "9999-12-31T20:00:00-05:00",
        "0000-12-31T23:59:59Z", "0001-01-01T00:30:00+01:00", "2026-12-31T23:59:60Z", "9999-12-31T23:59:59.25Z",
    ])
    func timestampsThatWouldNotReadBackAreRefused(_ text: String) {
        #expect(Timestamp.parseStorable(text) == nil)
    }

    @Test func farInstantsFormatWithoutTrapping() {
        _ = Timestamp.format(Date(timeIntervalSince1970: 1e300))
        _ = Timestamp.format(Date(timeIntervalSince1970: -1e300))
        _ = Timestamp.format(Date(timeIntervalSince1970: .nan))
    }

    @Test func aReaderRefusesUnstorableTimestampsAsSchemaViolations() throws {
        var reader = JSONObjectReader(.object(["at": .string("9999-12-31T23:59:59.999999Z")]))
        #expect(reader.timestamp("at") == nil)
        #expect(throws: APIError.self) { try reader.finish() }
        do {
            try reader.finish()
        } catch let error as APIError {
            #expect(error.status == 422 && error.code == "Request.TimestampOutOfRange")
            #expect(error.errors.map(\.location) == ["body.at"])
        }
    }

    @Test func goDurationsStopAtGosLimit() throws {
        #expect(try GoDuration.parse("2562047h") == 2_562_047 * 3600)
        #expect(try GoDuration.parse("1h30m") == 5400)
        #expect(GoDuration.seconds("2562048h") == nil)
        #expect(throws: GoDuration.Failure.outOfRange) { try GoDuration.parse("99999999999999h") }
        #expect(throws: GoDuration.Failure.outOfRange) { try GoDuration.parse("1" + String(repeating: "0", count: 400) + "s") }
        #expect(throws: GoDuration.Failure.outOfRange) { try GoDuration.parse("-99999999999999h") }
        #expect(throws: GoDuration.Failure.malformed) { try GoDuration.parse("forever") }
        #expect(throws: GoDuration.Failure.malformed) { try GoDuration.parse("") }
    }
}
