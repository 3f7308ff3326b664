import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import Testing

extension InstancesFixture {
    /// Adds an entitlement and grants it on the fixture's license.
    @discardableResult
    func grant(
        _ slug: String,
        type: String = "NUMBER",
        aggregation: String? = "SUM",
        value: JSONValue,
        overage: Int? = nil,
        warningPercent: Int = 0,
        resetPeriod: String? = nil,
        resetAnchor: String? = nil
    ) async throws -> UUID {
        let entitlementID = UUID()
        let isNumber = type == "NUMBER" || type == "NUMBER_AI_CREDIT"
        try await execute(
            """
            INSERT INTO entitlement (id, organization_id, name, slug, type, aggregation_method, warning_threshold_percent, reset_period, reset_anchor)
            VALUES (\(entitlementID), \(organizationID), \(slug.capitalized), \(slug), \(type)::entitlement_type,
                    \(isNumber ? aggregation : nil)::aggregation_method, \(warningPercent),
                    \(resetPeriod)::entitlement_reset_period, \(resetPeriod == nil ? nil : resetAnchor ?? "CALENDAR")::entitlement_reset_anchor)
            """
        )
        var percent = overage
        if isNumber, percent == nil { percent = value == .integer(-1) ? -1 : 0 }
        try await execute(
            """
            INSERT INTO license_entitlement (organization_id, license_id, entitlement_id, value, limit_cap_exceeded_overage_percent)
            VALUES (\(organizationID), \(licenseID), \(entitlementID), \(JSONValue.object(["type": .string(isNumber ? "number" : type == "BOOLEAN" ? "boolean" : "object"), "value": value]).jsonText)::jsonb, \(percent))
            """
        )
        return entitlementID
    }

    func report(
        _ instance: String,
        _ entitlement: String,
        _ value: Double,
        behavior: String? = "append",
        transactionID: String? = nil,
        metadata: [String: JSONValue]? = nil,
        headers: HTTPFields = [:]
    ) async throws -> JSONResponseResult {
        var body: [String: JSONValue] = ["value": ["type": "number", "value": .number(value)]]
        if let behavior { body["behavior"] = .string(behavior) }
        if let transactionID { body["transactionId"] = .string(transactionID) }
        if let metadata { body["metadata"] = .object(metadata) }
        return try await kaiten.core.json(
            .post, "/api/instances/\(instance)/entitlements/\(entitlement)/usage", token: token, body: body, headers: headers)
    }

    /// The usage value a report answered: `(value, event_count)`.
    static func total(_ response: JSONResponseResult) -> (Double?, JSONValue?) {
        (response.json?["value"]?["value"]?.number, response.json?["value"]?["event_count"])
    }
}

extension JSONValue {
    var number: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }
}

@Suite struct UsageAggregationTests {
    @Test(arguments: [
        ("SUM", [3.0, 4, 5], 12.0),
        ("COUNT", [3.0, 4, 5], 3.0),
        ("AVERAGE", [3.0, 4, 8], 5.0),
        ("MAX", [3.0, 9, 5], 9.0),
        // A window starts at zero, and MIN folds from there, as Kaiten's does.
        ("MIN", [3.0, -2, 5], -2.0),
        ("LATEST", [3.0, 9, 5], 5.0),
    ])
    func appendsFoldThroughTheAggregationMethod(_ aggregation: String, _ reports: [Double], _ expected: Double) async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let entitlementID = try await fixture.grant("calls", aggregation: aggregation, value: -1)
            _ = try await fixture.instance("prod")
            var last: JSONResponseResult?
            for value in reports { last = try await fixture.report("prod", "calls", value) }
            let response = try #require(last)
            #expect(response.status == .ok)
            #expect(InstancesFixture.total(response).0 == expected)
            #expect(InstancesFixture.total(response).1 == .integer(Int64(reports.count)))
            #expect(response.json?["entitlementId"]?.stringValue == entitlementID.lowercased)
            #expect(response.json?["entitlementSlug"] == "calls")
            #expect(response.json?["licenseSlug"] == "growth")
            #expect(response.json?["limit"] == ["type": "number", "value": -1])
            #expect(response.json?["currentPeriodStart"] == nil, "a lifetime counter has no window")
            #expect(try await fixture.eventCount("ENTITLEMENT_USAGE_REPORT_ACCEPTED") == reports.count)
            #expect(try await kaiten.count("SELECT count(*)::int FROM usage_ledger") == reports.count)
        }
    }

    @Test func aSetReplacesTheTotalAndCountsAsOneObservation() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("seats", aggregation: "AVERAGE", value: 100)
            _ = try await fixture.instance("prod")
            _ = try await fixture.report("prod", "seats", 80)
            _ = try await fixture.report("prod", "seats", 90)
            let set = try await fixture.report("prod", "seats", 60, behavior: "set")
            #expect(InstancesFixture.total(set).0 == 60 && InstancesFixture.total(set).1 == 1)
            let averaged = try await fixture.report("prod", "seats", 40)
            #expect(InstancesFixture.total(averaged).0 == 50 && InstancesFixture.total(averaged).1 == 2)
            let accepted = try await fixture.events("ENTITLEMENT_USAGE_REPORT_ACCEPTED")
            #expect(accepted[2].data == ["entitlement_slug": "seats", "value": 60, "behavior": "set", "event_count": 1, "status": "ACCEPTED"])
            #expect(accepted[2].headers?["instance_id"] != nil)
        }
    }
}

@Suite struct UsageCapTests {
    @Test func aHardCapAcceptsUpToTheGrantAndRefusesPastIt() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("seats", value: 10, overage: 0)
            _ = try await fixture.instance("prod")
            #expect(try await fixture.report("prod", "seats", 4).status == .ok)
            let reached = try await fixture.report("prod", "seats", 6)
            #expect(reached.status == .ok && InstancesFixture.total(reached).0 == 10)
            let reachedEvents = try await fixture.events("INSTANCE_ENTITLEMENT_USAGE_REACHED")
            #expect(reachedEvents.count == 1)
            #expect(reachedEvents.first?.data == reached.value)

            let refused = try await fixture.report("prod", "seats", 1)
            #expect(refused.status == .conflict)
            #expect(refused.json?["code"] == "ReportEntitlementUsageMetric.ThresholdExceeded")
            #expect(refused.json?["detail"] == "Usage for seats exceeds the allowed threshold")
            let rejected = try await fixture.events("ENTITLEMENT_USAGE_REPORT_REJECTED")
            #expect(
                rejected.map(\.data) == [["entitlement_slug": "seats", "value": 1, "behavior": "append", "event_count": 3, "status": "REJECTED"]])
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_CAP_EXCEEDED") == 0)

            let corrected = try await fixture.report("prod", "seats", 7, behavior: "set")
            #expect(corrected.status == .ok && InstancesFixture.total(corrected).0 == 7, "a set corrects downwards")
            #expect(try await kaiten.count("SELECT count(*)::int FROM usage_ledger") == 3)
        }
    }

    @Test func aSoftCapAdmitsItsOverageAndSignalsTheCrossingOnce() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("seats", value: 10, overage: 50, warningPercent: 80)
            _ = try await fixture.instance("prod")
            #expect(try await fixture.report("prod", "seats", 7).status == .ok)
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED") == 0)
            #expect(try await fixture.report("prod", "seats", 1).status == .ok)
            let warning = try await fixture.events("INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED")
            #expect(warning.map(\.data) == [["entitlement_slug": "seats", "threshold": 10, "boundary": 8, "value": 8]])

            #expect(try await fixture.report("prod", "seats", 4).status == .ok)
            let crossed = try await fixture.events("INSTANCE_ENTITLEMENT_CAP_EXCEEDED")
            #expect(crossed.map(\.data) == [["entitlement_slug": "seats", "threshold": 10, "value": 12, "overage": 2]])
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_USAGE_REACHED") == 0)
            let atMaximum = try await fixture.report("prod", "seats", 3)
            #expect(atMaximum.status == .ok && InstancesFixture.total(atMaximum).0 == 15, "the maximum itself is allowed")
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_CAP_EXCEEDED") == 1, "once per crossing")
            #expect(try await fixture.report("prod", "seats", 0.5).status == .conflict)
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED") == 1)

            let down = try await fixture.report("prod", "seats", 10, behavior: "set")
            #expect(down.status == .ok)
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_USAGE_REACHED") == 1, "reaching the grant exactly")
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_CAP_EXCEEDED") == 1, "going from the cap to past it is no crossing")
            #expect(try await fixture.report("prod", "seats", 1).status == .ok)
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_CAP_EXCEEDED") == 1)
        }
    }

    @Test func anUnlimitedGrantNeverRefusesNorSignals() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("tokens", type: "NUMBER_AI_CREDIT", value: -1, warningPercent: 50)
            _ = try await fixture.instance("prod")
            for value in [1.0, 1e9, 5e12] { #expect(try await fixture.report("prod", "tokens", value).status == .ok) }
            let over = try await fixture.report("prod", "tokens", -1, behavior: "set")
            #expect(over.status == .ok && InstancesFixture.total(over).0 == -1)
            for event in [
                "INSTANCE_ENTITLEMENT_USAGE_REACHED", "INSTANCE_ENTITLEMENT_CAP_EXCEEDED", "INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED",
            ] {
                #expect(try await fixture.eventCount(event) == 0)
            }
        }
    }
}

@Suite struct UsageWindowRolloverTests {
    @Test func aReportClosesTheStoredWindowAndEverySkippedOne() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let entitlementID = try await fixture.grant("calls", value: 100, resetPeriod: "HOUR")
            let instance = try await fixture.instance("prod")
            let first = try await fixture.report("prod", "calls", 5)
            let start = try #require(first.json?["currentPeriodStart"]?.stringValue.flatMap(Timestamp.parse))
            let end = try #require(first.json?["currentPeriodEnd"]?.stringValue.flatMap(Timestamp.parse))
            #expect(end.timeIntervalSince(start) == 3600)
            #expect(start.timeIntervalSince1970.truncatingRemainder(dividingBy: 3600) == 0)

            // Three hours pass with nothing reported.
            try await fixture.execute("UPDATE entitlement_usage SET period_start = period_start - interval '3 hours'")
            let stale = try await kaiten.core.json(.get, "/api/instances/prod/entitlements/calls/usage", token: fixture.token)
            #expect(InstancesFixture.total(stale).0 == 0 && InstancesFixture.total(stale).1 == 0, "a stale window reads as empty")
            #expect(
                try await kaiten.count("SELECT count(*)::int FROM entitlement_usage WHERE (value->>'value')::numeric = 5") == 1,
                "reading writes nothing")

            let second = try await fixture.report("prod", "calls", 2)
            #expect(InstancesFixture.total(second).0 == 2 && InstancesFixture.total(second).1 == 1)
            #expect(second.json?["currentPeriodStart"]?.stringValue.flatMap(Timestamp.parse) == start)
            // One report's events share its instant; the closed windows order them.
            let rolled = try await fixture.events("INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER").sorted {
                ($0.data["closed_period_start"]?.stringValue ?? "") < ($1.data["closed_period_start"]?.stringValue ?? "")
            }
            #expect(rolled.count == 3)
            let hours = (0...3).map { Timestamp.format(start.addingTimeInterval(Double($0 - 3) * 3600)) }
            #expect(
                rolled.first?.data
                    == .object([
                        "entitlement_id": .string(entitlementID.lowercased), "entitlement_slug": "calls", "instance_id": instance["id"]!,
                        "value": 5, "event_count": 1, "closed_period_start": .string(hours[0]), "closed_period_end": .string(hours[1]),
                        "new_period_start": .string(hours[1]), "is_synthetic": false,
                    ])
            )
            #expect(rolled.map { $0.data["is_synthetic"] } == [false, true, true])
            #expect(rolled.map { $0.data["value"] } == [5, 0, 0])
            #expect(rolled.map { $0.data["closed_period_start"]?.stringValue } == [hours[0], hours[1], hours[2]])
            #expect(rolled.last?.data["new_period_start"]?.stringValue == hours[3])
            #expect(rolled.allSatisfy { $0.headers?["instance_id"] == instance["id"] })
            let accepted = try await fixture.events("ENTITLEMENT_USAGE_REPORT_ACCEPTED")
            #expect(rolled.allSatisfy { $0.occurredAt == accepted.last?.occurredAt }, "every event of a report is dated by it")
        }
    }

    @Test func aRefusedReportStillCommitsItsRollover() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("calls", value: 3, overage: 0, resetPeriod: "DAY")
            _ = try await fixture.instance("prod")
            #expect(try await fixture.report("prod", "calls", 3).status == .ok)
            try await fixture.execute("UPDATE entitlement_usage SET period_start = period_start - interval '1 day'")
            #expect(try await fixture.report("prod", "calls", 5).status == .conflict)
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER") == 1)
            #expect(try await fixture.eventCount("ENTITLEMENT_USAGE_REPORT_REJECTED") == 1)
            let usage = try await kaiten.core.json(.get, "/api/instances/prod/entitlements/calls/usage", token: fixture.token)
            #expect(InstancesFixture.total(usage).0 == 0)
            #expect(try await fixture.report("prod", "calls", 3).status == .ok, "the new window starts from zero")
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER") == 1, "the closed window is not closed twice")
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_USAGE_REACHED") == 2, "reaching the grant rearms in a new window")
        }
    }

    @Test func licenseStartWindowsStepFromTheInstancesStart() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("calls", value: -1, resetPeriod: "DAY", resetAnchor: "LICENSE_START")
            let anchor = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400 - 86_400 * 10 + 37_800.123)
            _ = try await fixture.instance("prod", extra: ["startLicenseDate": .string(Timestamp.format(anchor))])
            let response = try await fixture.report("prod", "calls", 1)
            let start = try #require(response.json?["currentPeriodStart"]?.stringValue.flatMap(Timestamp.parse))
            let expected = UsageWindow.containing(Date(), period: .day, anchor: .licenseStart, licenseStart: anchor)
            #expect(start.milliseconds == expected.start.milliseconds)
            #expect(
                (start.timeIntervalSince(anchor) / 86_400).rounded() == start.timeIntervalSince(anchor) / 86_400
                    || abs(start.timeIntervalSince(anchor).truncatingRemainder(dividingBy: 86_400)) < 0.001)
            try await fixture.execute("UPDATE entitlement_usage SET period_start = period_start - interval '2 days'")
            #expect(try await fixture.report("prod", "calls", 1).status == .ok)
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER") == 2)
        }
    }
}

extension Date {
    fileprivate var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}

@Suite struct UsageIdempotencyTests {
    @Test func theSameReportUnderOneTransactionIdCountsOnceAndReplaysItsAnswer() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("calls", value: 100)
            _ = try await fixture.instance("prod")
            let first = try await fixture.report("prod", "calls", 5, transactionID: "llm-call-9f2c:tokens")
            #expect(first.status == .ok && first.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            _ = try await fixture.report("prod", "calls", 1)
            let events = try await kaiten.count("SELECT count(*)::int FROM outbox_events")
            let replay = try await fixture.report("prod", "calls", 5.0, transactionID: "llm-call-9f2c:tokens")
            #expect(replay.status == .ok)
            #expect(replay.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(replay.value == first.value, "the first answer, not today's total")
            #expect(try await kaiten.count("SELECT count(*)::int FROM outbox_events") == events, "a replay writes nothing")
            #expect(try await kaiten.count("SELECT count(*)::int FROM usage_ledger") == 2)

            let reused = try await fixture.report("prod", "calls", 6, transactionID: "llm-call-9f2c:tokens")
            #expect(reused.status == .conflict)
            #expect(reused.json?["code"] == "ReportEntitlementUsageMetric.TransactionIdReused")
            #expect(
                reused.json?["detail"]
                    == "transactionId \"llm-call-9f2c:tokens\" was already used for another report of calls; send a correction under a new key"
            )
            let detail = try #require(reused.json?["errors"]?.arrayValue?.first)
            #expect(detail["location"] == "body.transactionId")
            #expect(detail["message"] == "the report this transactionId was first accepted with")
            #expect(detail["value"]?["reportSeq"] == 1 && detail["value"]?["behavior"] == "append" && detail["value"]?["value"] == 5)
            #expect(detail["value"]?["reportedAt"]?.stringValue.flatMap(Timestamp.parse) != nil)
            let otherBehavior = try await fixture.report("prod", "calls", 5, behavior: "set", transactionID: "llm-call-9f2c:tokens")
            #expect(otherBehavior.json?["code"] == "ReportEntitlementUsageMetric.TransactionIdReused")
        }
    }

    @Test func aRefusedReportLeavesItsKeyFreeAndAKeyIsForgottenAfterTheWindow() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("seats", value: 10, overage: 0)
            _ = try await fixture.instance("prod")
            #expect(try await fixture.report("prod", "seats", 11, transactionID: "k1").status == .conflict)
            let accepted = try await fixture.report("prod", "seats", 4, transactionID: "k1")
            #expect(accepted.status == .ok && accepted.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            try await fixture.execute("UPDATE usage_ledger SET reported_at = reported_at - interval '36 days'")
            let again = try await fixture.report("prod", "seats", 4, transactionID: "k1")
            #expect(again.status == .ok && again.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            #expect(InstancesFixture.total(again).0 == 8)
        }
    }

    @Test func metadataIsJournalledUpTo4KiBAndDroppedAbove() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("calls", value: -1)
            _ = try await fixture.instance("prod")
            let small = try await fixture.report("prod", "calls", 1, metadata: ["model": "gpt", "tokens": 12])
            #expect(small.status == .ok && small.headers[HTTPField.Name("Kaiten-Metadata-Dropped")!] == nil)
            let large = try await fixture.report("prod", "calls", 1, metadata: ["blob": .string(String(repeating: "x", count: 5000))])
            #expect(large.status == .ok)
            #expect(large.headers[HTTPField.Name("Kaiten-Metadata-Dropped")!] == "too_large")
            #expect(InstancesFixture.total(large).0 == 2, "the report still counts")
            let stored = try await kaiten.database.all(
                "SELECT metadata::text FROM usage_ledger ORDER BY report_seq", as: String?.self, logger: kaiten.database.logger
            )
            #expect(stored == [#"{"model": "gpt", "tokens": 12}"#, nil])
        }
    }
}

@Suite struct UsageReportErrorTests {
    @Test func everyRefusalHasItsCode() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("calls", value: 100)
            try await fixture.grant("sso", type: "BOOLEAN", aggregation: nil, value: true)
            try await fixture.execute(
                "INSERT INTO entitlement (organization_id, name, slug, type, aggregation_method) VALUES (\(fixture.organizationID), 'Ungranted', 'ungranted', 'NUMBER', 'SUM')"
            )
            _ = try await fixture.instance("prod")
            let path = "/api/instances/prod/entitlements/calls/usage"

            let notGranted = try await fixture.report("prod", "ungranted", 1)
            #expect(notGranted.status == .notFound && notGranted.json?["code"] == "ReportEntitlementUsageMetric.ContextNotFound")
            #expect(try await fixture.report("nope", "calls", 1).json?["code"] == "ReportEntitlementUsageMetric.ContextNotFound")
            let boolean = try await fixture.report("prod", "sso", 1)
            #expect(boolean.status == .badRequest && boolean.json?["code"] == "ReportEntitlementUsageMetric.UnsupportedEntitlementType")

            let noBehavior = try await fixture.report("prod", "calls", 1, behavior: nil)
            #expect(noBehavior.status == .unprocessableContent && noBehavior.json?["code"] == "ReportEntitlementUsageMetric.InvalidBehavior")
            let badBehavior = try await fixture.report("prod", "calls", 1, behavior: "add")
            #expect(badBehavior.status == .unprocessableContent && badBehavior.json?["code"] == "UNPROCESSABLE")
            let booleanValue = try await kaiten.core.json(
                .post, path, token: fixture.token, body: ["value": ["type": "boolean", "value": true], "behavior": "append"]
            )
            #expect(booleanValue.status == .unprocessableContent && booleanValue.json?["code"] == "ReportEntitlementUsageMetric.InvalidValueType")
            let malformedValue = try await kaiten.core.json(
                .post, path, token: fixture.token, body: ["value": ["type": "number", "value": "1"], "behavior": "append"]
            )
            #expect(malformedValue.json?["code"] == "UNPROCESSABLE")
            for key in ["has space", "", String(repeating: "k", count: 129)] {
                let invalidKey = try await fixture.report("prod", "calls", 1, transactionID: key)
                #expect(invalidKey.status == .unprocessableContent && invalidKey.json?["code"] == "ReportEntitlementUsageMetric.InvalidTransactionId")
            }
            let unknown = try await kaiten.core.json(
                .post, path, token: fixture.token, body: ["value": ["type": "number", "value": 1], "behavior": "append", "timestamp": "now"]
            )
            #expect(unknown.status == .unprocessableContent && unknown.json?["errors"]?.arrayValue?.first?["location"] == "body.timestamp")
            let (_, reader) = try await kaiten.organization(scopes: ["read:instances"])
            let forbidden = try await kaiten.core.json(
                .post, path, token: reader, body: ["value": ["type": "number", "value": 1], "behavior": "append"])
            #expect(forbidden.status == .forbidden)
            #expect(try await kaiten.count("SELECT count(*)::int FROM usage_ledger") == 0)
            #expect(try await kaiten.count("SELECT count(*)::int FROM entitlement_usage") == 0)
        }
    }
}

@Suite struct UsageReadTests {
    @Test func readsResolveEachGrantAndAuditTheSingleRead() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let callsID = try await fixture.grant("calls", value: 100, resetPeriod: "MONTH")
            try await fixture.grant("seats", value: 10)
            try await fixture.grant("sso", type: "BOOLEAN", aggregation: nil, value: true)
            try await fixture.grant("theme", type: "CONFIG", aggregation: nil, value: ["color": "blue"])
            let instance = try await fixture.instance("prod")
            _ = try await fixture.report("prod", "seats", 4)

            let calls = try await kaiten.core.json(.get, "/api/instances/prod/entitlements/calls/usage", token: fixture.token)
            #expect(calls.status == .ok)
            #expect(calls.json?["value"] == ["type": "number", "value": 0, "event_count": 0])
            #expect(calls.json?["limit"] == ["type": "number", "value": 100])
            #expect(calls.json?["currentPeriodStart"]?.stringValue?.hasSuffix("-01T00:00:00.000000Z") == true)
            let read = try await fixture.events("ENTITLEMENT_VALUE_GET")
            #expect(read.count == 1)
            #expect(read.first?.data["entitlement_id"]?.stringValue == callsID.lowercased)
            #expect(read.first?.data["instance_id"] == instance["id"])
            #expect(read.first?.data["license_id"]?.stringValue == fixture.licenseID.lowercased)
            #expect(read.first?.data["organization_id"]?.stringValue == fixture.organizationID.lowercased)
            #expect(read.first?.data["type"] == "number" && read.first?.data["entitlement_slug"] == "calls")
            #expect(read.first?.headers?["instance_id"] == instance["id"])

            let sso = try await kaiten.core.json(.get, "/api/instances/prod/entitlements/sso/usage", token: fixture.token)
            #expect(sso.json?["value"] == ["type": "boolean", "value": true] && sso.json?["limit"] == sso.json?["value"])

            let all = try await kaiten.core.json(.get, "/api/instances/prod/entitlements/usage", token: fixture.token)
            let rows = try #require(all.value?.arrayValue)
            #expect(rows.compactMap { $0["entitlementSlug"]?.stringValue }.sorted() == ["calls", "seats", "sso", "theme"])
            let seats = rows.first { $0["entitlementSlug"] == "seats" }
            #expect(seats?["value"] == ["type": "number", "value": 4, "event_count": 1])
            #expect(rows.first { $0["entitlementSlug"] == "theme" }?["value"] == ["type": "object", "value": ["color": "blue"]])
            #expect(try await fixture.eventCount("ENTITLEMENT_VALUE_GET") == 2, "only single reads are audited")
        }
    }

    @Test func readsTellWhatIsMissing() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("calls", value: 100)
            try await fixture.execute(
                "INSERT INTO entitlement (organization_id, name, slug, type, aggregation_method) VALUES (\(fixture.organizationID), 'Other', 'other', 'NUMBER', 'SUM')"
            )
            _ = try await fixture.instance("prod")
            let cases = [
                ("/api/instances/nope/entitlements/calls/usage", "GetEntitlementUsageMetrics.InstanceNotFound"),
                ("/api/instances/prod/entitlements/nope/usage", "GetEntitlementUsageMetrics.EntitlementNotFound"),
                ("/api/instances/prod/entitlements/other/usage", "GetEntitlementUsageMetrics.EntitlementNotAssigned"),
                ("/api/instances/nope/entitlements/usage", "GetEntitlementsUsageMetrics.InstanceNotFound"),
            ]
            for (path, code) in cases {
                let missing = try await kaiten.core.json(.get, path, token: fixture.token)
                #expect(missing.status == .notFound && missing.json?["code"]?.stringValue == code)
            }
            let (_, other) = try await kaiten.organization()
            #expect(try await kaiten.core.json(.get, "/api/instances/prod/entitlements/usage", token: other).status == .notFound)
        }
    }
}

@Suite struct UsageConcurrencyTests {
    /// 32 reporters at once on one instance and entitlement: the accepted total never passes the cap, and
    /// every accepted report is counted exactly once.
    @Test(.timeLimit(.minutes(2))) func concurrentReportersNeitherPassTheCapNorLoseUpdates() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("calls", value: 100, overage: 0)
            try await fixture.grant("events", value: -1)
            _ = try await fixture.instance("prod")
            let outcomes = try await withThrowingTaskGroup(of: [HTTPResponse.Status].self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        var statuses: [HTTPResponse.Status] = []
                        for _ in 0..<5 {
                            statuses.append(try await fixture.report("prod", "calls", 1).status)
                            statuses.append(try await fixture.report("prod", "events", 1).status)
                        }
                        return statuses
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(outcomes.count == 320)
            #expect(outcomes.allSatisfy { $0 == .ok || $0 == .conflict })
            #expect(outcomes.filter { $0 == .conflict }.count == 60, "160 reports of 1 against a cap of 100")
            let calls = try await kaiten.core.json(.get, "/api/instances/prod/entitlements/calls/usage", token: fixture.token)
            #expect(calls.json?["value"] == ["type": "number", "value": 100, "event_count": 100])
            let events = try await kaiten.core.json(.get, "/api/instances/prod/entitlements/events/usage", token: fixture.token)
            #expect(events.json?["value"] == ["type": "number", "value": 160, "event_count": 160])
            #expect(try await kaiten.count("SELECT count(*)::int FROM usage_ledger") == 260)
            #expect(
                try await kaiten.count("SELECT max(report_seq)::int FROM usage_ledger WHERE value_after = 100 AND event_count_after = 100") == 100)
            #expect(try await fixture.eventCount("ENTITLEMENT_USAGE_REPORT_REJECTED") == 60)
            #expect(try await fixture.eventCount("INSTANCE_ENTITLEMENT_USAGE_REACHED") == 1)
        }
    }

    /// Reports that arrive together are decided together: 24 at once, each with its own trace, four of them
    /// sent twice under one transactionId. Every distinct report counts once under its own number, every
    /// second one is answered as a replay, and every event carries the trace of the request that caused it.
    @Test func reportsArrivingTogetherKeepTheirOwnKeysAndTraces() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            try await fixture.grant("calls", value: -1)
            _ = try await fixture.instance("prod")
            let responses = try await withThrowingTaskGroup(of: (String, JSONResponseResult).self) { group in
                for n in 1...24 {
                    group.addTask {
                        let traceparent = "00-\(String(format: "%032d", n))-\(String(format: "%016d", n))-01"
                        let response = try await fixture.report(
                            "prod", "calls", 1, transactionID: "key-\(n % 20)", headers: [HTTPField.Name("traceparent")!: traceparent]
                        )
                        return (traceparent, response)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(responses.allSatisfy { $0.1.status == .ok })
            let counted = responses.filter { $0.1.headers[HTTPField.Name("Idempotent-Replayed")!] == nil }
            #expect(counted.count == 20 && responses.count - counted.count == 4)
            let calls = try await kaiten.core.json(.get, "/api/instances/prod/entitlements/calls/usage", token: fixture.token)
            #expect(calls.json?["value"] == ["type": "number", "value": 20, "event_count": 20])
            #expect(try await kaiten.count("SELECT count(DISTINCT report_seq)::int FROM usage_ledger WHERE report_seq BETWEEN 1 AND 20") == 20)
            let accepted = try await fixture.events("ENTITLEMENT_USAGE_REPORT_ACCEPTED")
            #expect(accepted.compactMap { $0.headers?["traceparent"]?.stringValue }.sorted() == counted.map(\.0).sorted())
        }
    }
}
