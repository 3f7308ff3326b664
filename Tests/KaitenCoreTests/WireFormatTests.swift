import Foundation
import KaitenCore
import Testing

@Suite struct TimestampTests {
    @Test func writesUTCWithMicroseconds() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_795_000_000.123)) == "2026-11-18T11:06:40.123000Z")
    }

    @Test(arguments: [
        ("2026-11-18T11:06:40Z", 1_795_000_000.0),
        ("2026-11-18T11:06:40.5Z", 1_795_000_000.5),
        ("2026-11-18T12:06:40.123456789+01:00", 1_795_000_000.123456789),
        ("2026-11-18t11:06:40z", 1_795_000_000.0),
    ])
    func readsRFC3339WithOrWithoutFractions(_ text: String, _ seconds: Double) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_01)
    }

    @Test(arguments: [
        "2026-11-18", "2026-13-18T09:06:40Z", "yesterday", "2026-11-18T11:06:40", "2026-02-29T00:00:00Z",
        "2026-11-18T11:06:40.Z", "2026-11-18T11:06:40+0100", "2026-11-18T11:06:40Z ", "２026-11-18T11:06:40Z",
    ])
    func refusesWhatIsNotRFC3339(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test(arguments: [
        "2026-11-18T11:06:40.123000Z", "1969-12-31T23:59:59.999999Z", "2024-02-29T23:59:59.000001Z",
        "2000-01-01T00:00:00.000000Z", "0001-01-01T00:00:00.000000Z", "9999-12-31T23:59:59.500000Z",
    ])
    func writesWhatItReads(_ text: String) throws {
        #expect(Timestamp.format(try #require(Timestamp.parse(text))) == text)
    }

    @Test func readsDatesBeforeTheEpochAndLeapDays() {
        #expect(Timestamp.parse("1969-12-31T23:59:59Z")?.timeIntervalSince1970 == -1)
        #expect(Timestamp.parse("2024-02-29T00:00:00Z")?.timeIntervalSince1970 == 1_709_164_800)
        #expect(Timestamp.parse("0001-01-01T00:00:00Z")?.timeIntervalSince1970 == -62_135_596_800)
    }

    @Test func readsPostgresISOOutput() {
        let base = Date(timeIntervalSince1970: 1_795_359_600)
        #expect(Timestamp.parsePostgres("2026-11-22 15:00:00+00") == base)
        #expect(Timestamp.parsePostgres("2026-11-22 15:00:00.123+00")?.timeIntervalSince(base).distance(to: 0.123).magnitude ?? 1 < 0.000_001)
        #expect(Timestamp.parsePostgres("2026-11-22 20:30:00+05:30") == base)
        #expect(Timestamp.parsePostgres("2026-11-22 14:00:00-01") == base)
        #expect(Timestamp.parsePostgres("1890-01-01 00:53:28+00:53:28")?.timeIntervalSince1970 == -2_524_521_600)
        #expect(Timestamp.parsePostgres("2026-11-22T15:00:00Z") == nil)
    }
}

@Suite struct PaginationTests {
    @Test func cursorsRoundTripAndAreOpaqueBase64URL() throws {
        let cursor = PageCursor(createdAt: Date(timeIntervalSince1970: 1_795_000_000.123), id: UUID())
        #expect(!cursor.encoded.contains("=") && !cursor.encoded.contains("+") && !cursor.encoded.contains("/"))
        let decoded = try PageCursor(decoding: cursor.encoded)
        #expect(decoded.id == cursor.id)
        #expect(abs(decoded.createdAt.timeIntervalSince(cursor.createdAt)) < 0.000_001)
    }

    @Test func foreignCursorsAreRefusedWith400() {
        #expect(throws: APIError.self) { try PageCursor(decoding: "not-a-cursor") }
        do {
            _ = try PageCursor(decoding: base64URL(Array(#"{"id":"x"}"#.utf8)))
        } catch let error as APIError {
            #expect(error.kind == .validation && error.code == "Pagination.InvalidCursor")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func limitsOutsideOneToTwoHundredAre422() throws {
        #expect(try PageRequest(limit: nil, cursor: nil).limit == 50)
        #expect(try PageRequest(limit: "200", cursor: nil).limit == 200)
        for bad in ["0", "201", "-1", "ten", ""] {
            #expect(
                throws: APIError.schemaViolations([
                    ErrorDetail(message: "expected integer between 1 and 200", location: "query.limit", value: .string(bad))
                ])
            ) {
                try PageRequest(limit: bad, cursor: nil)
            }
        }
    }

    @Test func pagesOmitTheCursorOnTheLastPage() throws {
        struct Row: Encodable { let id: Int }
        let request = PageRequest(limit: 2)
        let full = Page(rows: [Row(id: 1), Row(id: 2), Row(id: 3)], request: request) { _ in PageCursor(createdAt: Date(), id: UUID()) }
        #expect(full.items.count == 2 && full.hasMore && full.nextCursor != nil)
        let last = Page(rows: [Row(id: 1)], request: request) { _ in PageCursor(createdAt: Date(), id: UUID()) }
        let json = String(decoding: try WireJSON.encode(last), as: UTF8.self)
        #expect(json == #"{"hasMore":false,"items":[{"id":1}]}"#)
    }
}

@Suite struct JSONObjectReaderTests {
    @Test func collectsEveryViolationWithItsLocation() throws {
        let body = try JSONValue.parse(Array(#"{"name": 7, "slug": "Bad Slug", "extra": true, "tags": ["a", 1]}"#.utf8))
        var reader = JSONObjectReader(body)
        _ = reader.string("name", required: true)
        _ = reader.slug()
        _ = reader.stringArray("tags")
        _ = reader.string("missing", required: true)
        do {
            try reader.finish()
            Issue.record("expected violations")
        } catch let error as APIError {
            #expect(error.status == 422 && error.code == "UNPROCESSABLE")
            #expect(error.errors.map(\.location) == ["body.extra", "body.missing", "body.name", "body.slug", "body.tags[1]"])
        }
    }

    @Test func tellsAbsentFromNull() throws {
        var reader = JSONObjectReader(try JSONValue.parse(Array(#"{"a": null}"#.utf8)))
        #expect(reader.contains("a") && !reader.contains("b"))
        #expect(reader.string("a", nullable: true) == nil)
        #expect(!reader.hasViolations)
        _ = reader.string("a")
        #expect(reader.hasViolations)
    }

    @Test func refusesNonObjectsAndMalformedJSON() {
        #expect(throws: APIError.self) { _ = try JSONValue.parse(Array("{".utf8)) }
        var reader = JSONObjectReader(.array([]))
        #expect(throws: APIError.self) { try reader.finish() }
    }
}

@Suite struct SecretTokenTests {
    @Test func tokensHaveThePrefixAnd32URLSafeCharacters() {
        let token = SecretToken.generate(.organization)
        #expect(token.plaintext.wholeMatch(of: #/ksh_[A-Za-z0-9_-]{32}/#) != nil)
        #expect(SecretToken.generate(.platform).kind == .platform)
        #expect(token.digest.count == 64 && token.digest == SecretToken(plaintext: token.plaintext).digest)
    }

    @Test(arguments: [("15m", 900.0), ("24h", 86_400.0), ("1h30m", 5_400.0), ("1.5h", 5_400.0), ("300ms", 0.3), ("900s", 900.0)])
    func goDurationsParse(_ text: String, _ seconds: Double) {
        #expect(GoDuration.seconds(text) == seconds)
    }

    @Test(arguments: ["", "15", "m", "1d", "h1", "1.2.3s"])
    func malformedGoDurationsAreRefused(_ text: String) {
        #expect(GoDuration.seconds(text) == nil)
    }
}

@Suite struct JSONParserTests {
    @Test(arguments: [
        #"{"a":1,}"#, "[1,]", "{,}", #"{"a" 1}"#, "01", "1.", ".5", "+1", "NaN", "tru", #""\x""#, "\"a\u{01}\"", #""\ud800""#, "{} {}", "",
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: APIError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func readsEveryKindOfValue() throws {
        let value = try JSONValue.parse(Array(#" {"s": "é\u00e9\ud83d\ude00\n", "i": -12, "d": 1.5e2, "b": [true, false, null], "o": {}} "#.utf8))
        #expect(value == ["s": "éé😀\n", "i": -12, "d": 150.0, "b": [true, false, .null], "o": [:]])
        // Past Int64 an integer reads as the nearest double.
        #expect(try JSONValue.parse(Array("92233720368547758070".utf8)) == .number(92_233_720_368_547_758_080))
    }
}
