import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import Testing

/// Entitlement groups: CRUD with events, memberships, and one instance's usage of a group.
@Suite struct EntitlementGroupsTests {
    @Test func groupsLiveThroughCreateUpdateAndDeleteWithTheirEvents() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let created = try await kaiten.core.json(
                .post, "/api/entitlement-groups", token: token, body: ["name": "AI quotas", "description": .null])
            #expect(created.status == .created)
            let slug = try #require(created.json?["slug"]?.stringValue)
            #expect(slug.wholeMatch(of: /ai-quotas-[0-9a-f]{6}/) != nil)
            #expect(created.json.map { Set($0.keys) } == ["id", "name", "slug", "description"])
            #expect(try await kaiten.core.json(.get, "/api/entitlement-groups/\(slug)", token: token).value == created.value)

            let taken = try await kaiten.core.json(
                .post, "/api/entitlement-groups", token: token, body: ["name": "Again", "slug": .string(slug), "description": .null])
            #expect(taken.status == .conflict && taken.json?["code"] == "CreateEntitlementGroup.SlugConflict")
            let invalid = try await kaiten.core.json(.post, "/api/entitlement-groups", token: token, body: ["name": "", "description": .null])
            #expect(invalid.status == .unprocessableContent && invalid.json?["errors"]?.arrayValue?.first?["location"] == "body.name")

            let renamed = try await kaiten.core.json(
                .put, "/api/entitlement-groups/\(slug)", token: token,
                body: ["name": "AI", "description": "Tokens and credits", "slug": .string(slug)])
            #expect(renamed.status == .noContent && renamed.value == nil)
            let updated = try await kaiten.core.json(.get, "/api/entitlement-groups/\(slug)", token: token)
            #expect(updated.json?["name"] == "AI" && updated.json?["description"] == "Tokens and credits")
            let rename = try await kaiten.core.json(
                .put, "/api/entitlement-groups/\(slug)", token: token, body: ["name": "AI", "description": .null, "slug": "other"])
            #expect(rename.status == .unprocessableContent && rename.json?["code"] == "UpdateEntitlementGroup.SlugNotRenameable")
            let unknown = try await kaiten.core.json(.put, "/api/entitlement-groups/nope", token: token, body: ["name": "AI", "description": .null])
            #expect(unknown.status == .notFound && unknown.json?["code"] == "UpdateEntitlementGroup.NotFound")

            let listed = try await kaiten.core.json(.get, "/api/entitlement-groups", token: token)
            #expect(listed.json?["items"] == [updated.value!] && listed.json?["hasMore"] == false)

            #expect(try await kaiten.core.json(.delete, "/api/entitlement-groups/\(slug)", token: token).status == .noContent)
            let gone = try await kaiten.core.json(.get, "/api/entitlement-groups/\(slug)", token: token)
            #expect(gone.status == .notFound && gone.json?["code"] == "GetEntitlementGroup.NotFound")
            let again = try await kaiten.core.json(.delete, "/api/entitlement-groups/\(slug)", token: token)
            #expect(again.status == .notFound && again.json?["code"] == "DeleteEntitlementGroup.NotFound")

            let events = try await EntitlementsFixture.events(of: organization, in: kaiten)
            #expect(events.map(\.name) == ["ENTITLEMENT_GROUP_CREATED", "ENTITLEMENT_GROUP_UPDATED", "ENTITLEMENT_GROUP_DELETED"])
            #expect(events.map(\.data) == [created.value!, updated.value!, updated.value!])
        }
    }

    @Test func membershipsAreAddedOnceAndRemovedQuietly() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            _ = try await kaiten.core.json(
                .post, "/api/entitlement-groups", token: token, body: ["name": "Core", "slug": "core", "description": .null])
            _ = try await kaiten.core.json(
                .post, "/api/entitlements", token: token, body: ["name": "Seats", "slug": "seats", "description": .null, "type": "NUMBER"])
            let before = try await EntitlementsFixture.events(of: organization, in: kaiten).count

            let added = try await kaiten.core.json(
                .post, "/api/entitlement-groups/core/entitlements", token: token, body: ["entitlementSlug": "seats"])
            #expect(added.status == .created && added.value == nil)
            let entitlement = try await kaiten.core.json(.get, "/api/entitlements/seats", token: token)
            #expect(entitlement.json?["entitlementGroups"]?.arrayValue?.compactMap { $0["slug"]?.stringValue } == ["core"])

            let refusals: [(String, [String: JSONValue], HTTPResponse.Status, String)] = [
                ("core", ["entitlementSlug": "seats"], .conflict, "AddEntitlementToGroup.AlreadyMember"),
                ("nope", ["entitlementSlug": "seats"], .notFound, "AddEntitlementToGroup.GroupNotFound"),
                ("core", ["entitlementSlug": "nope"], .notFound, "AddEntitlementToGroup.EntitlementNotFound"),
                ("core", [:], .unprocessableContent, "UNPROCESSABLE"),
            ]
            for (group, body, status, code) in refusals {
                let response = try await kaiten.core.json(.post, "/api/entitlement-groups/\(group)/entitlements", token: token, body: body)
                #expect(response.status == status && response.json?["code"]?.stringValue == code, "\(group) \(body)")
            }

            #expect(try await kaiten.core.json(.delete, "/api/entitlement-groups/core/entitlements/seats", token: token).status == .noContent)
            #expect(try await kaiten.core.json(.get, "/api/entitlements/seats", token: token).json?["entitlementGroups"] == nil)
            #expect(try await kaiten.core.json(.delete, "/api/entitlement-groups/core/entitlements/seats", token: token).status == .noContent)
            let unknownGroup = try await kaiten.core.json(.delete, "/api/entitlement-groups/nope/entitlements/seats", token: token)
            #expect(unknownGroup.status == .notFound && unknownGroup.json?["code"] == "RemoveEntitlementFromGroup.GroupNotFound")
            let unknownEntitlement = try await kaiten.core.json(.delete, "/api/entitlement-groups/core/entitlements/nope", token: token)
            #expect(unknownEntitlement.status == .notFound && unknownEntitlement.json?["code"] == "RemoveEntitlementFromGroup.EntitlementNotFound")

            // Deleting a group takes its memberships, never its entitlements.
            _ = try await kaiten.core.json(.post, "/api/entitlement-groups/core/entitlements", token: token, body: ["entitlementSlug": "seats"])
            _ = try await kaiten.core.json(.delete, "/api/entitlement-groups/core", token: token)
            let kept = try await kaiten.core.json(.get, "/api/entitlements/seats", token: token)
            #expect(kept.status == .ok && kept.json?["entitlementGroups"] == nil)

            let names = try await EntitlementsFixture.events(of: organization, in: kaiten).dropFirst(before).map(\.name)
            #expect(names == ["ENTITLEMENT_GROUP_DELETED"], "memberships have no event of their own")
        }
    }

    @Test func groupUsageReadsEachMembersGrantAndCurrentWindow() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            _ = try await kaiten.core.json(
                .post, "/api/entitlement-groups", token: token, body: ["name": "Plan", "slug": "plan", "description": .null])
            let definitions: [[String: JSONValue]] = [
                ["slug": "seats", "type": "NUMBER"],
                ["slug": "api-calls", "type": "NUMBER", "resetPeriod": "MONTH"],
                ["slug": "tokens", "type": "NUMBER_AI_CREDIT", "resetPeriod": "DAY"],
                ["slug": "ahead", "type": "NUMBER", "resetPeriod": "DAY"],
                ["slug": "credits", "type": "NUMBER", "resetPeriod": "WEEK", "resetAnchor": "LICENSE_START"],
                ["slug": "sso", "type": "BOOLEAN"],
                ["slug": "extra", "type": "NUMBER"],
            ]
            for definition in definitions {
                let body = definition.merging(["name": definition["slug"]!, "description": .null, "groupSlugs": ["plan"]]) { old, _ in old }
                #expect(try await kaiten.core.json(.post, "/api/entitlements", token: token, body: body).status == .created)
            }
            let fixture = try await EntitlementsFixture.license(in: organization, kaiten: kaiten)
            let now = Date()
            let licenseStart = Date(timeIntervalSince1970: (now.timeIntervalSince1970 * 1000).rounded(.down) / 1000 - 10 * 86_400)
            let instance = try await fixture.instance("prod", licenseStart: licenseStart)
            try await fixture.grant("seats", value: #"{"type":"number","value":10}"#, overage: 0)
            try await fixture.grant("api-calls", value: #"{"type":"number","value":-1}"#, overage: -1)
            try await fixture.grant("tokens", value: #"{"type":"number","value":1000}"#, overage: 20)
            try await fixture.grant("credits", value: #"{"type":"number","value":50}"#, overage: 0)
            try await fixture.grant("sso", value: #"{"type":"boolean","value":true}"#, overage: nil)
            try await fixture.usage("seats", on: instance, value: 3, events: 2, periodStart: "NULL")
            try await fixture.usage("api-calls", on: instance, value: 900, events: 12, periodStart: "'2000-01-01T00:00:00Z'")
            try await fixture.usage("tokens", on: instance, value: 7.5, events: 3, periodStart: "date_trunc('day', now(), 'UTC')")
            try await fixture.usage("ahead", on: instance, value: 4, events: 1, periodStart: "date_trunc('day', now(), 'UTC') + interval '1 day'")
            try await fixture.usage(
                "credits", on: instance, value: 5, events: 1,
                periodStart: "\(Timestamp.format(licenseStart.addingTimeInterval(7 * 86_400)).quotedSQL)")

            let response = try await kaiten.core.json(.get, "/api/entitlement-groups/plan/usage?instance=prod", token: token)
            #expect(response.status == .ok)
            let rows = try #require(response.value?.arrayValue)
            #expect(rows.compactMap { $0["entitlementSlug"]?.stringValue } == ["ahead", "api-calls", "credits", "extra", "seats", "sso", "tokens"])
            let bySlug = Dictionary(uniqueKeysWithValues: rows.map { ($0["entitlementSlug"]!.stringValue!, $0) })

            let seats = try #require(bySlug["seats"])
            #expect(seats["usageValue"] == ["type": "number", "value": 3, "event_count": 2])
            #expect(seats["licenseValue"] == ["type": "number", "value": 10])
            #expect(seats["currentPeriodStart"] == nil && seats["currentPeriodEnd"] == nil, "a lifetime counter has no window")
            #expect(seats["entitlementType"] == "NUMBER" && seats["entitlementName"] == "seats")

            let month = UsageWindow.containing(now, period: .month, anchor: .calendar, licenseStart: licenseStart)
            let apiCalls = try #require(bySlug["api-calls"])
            #expect(apiCalls["usageValue"] == ["type": "number", "value": 0, "event_count": 0], "a counter of an earlier window reads as zero")
            #expect(apiCalls["licenseValue"] == ["type": "number", "value": -1])
            #expect(apiCalls["currentPeriodStart"]?.stringValue == Timestamp.format(month.start))
            #expect(apiCalls["currentPeriodEnd"]?.stringValue == Timestamp.format(month.end))
            #expect(
                try await kaiten.count("SELECT count(*) FROM entitlement_usage WHERE period_start = '2000-01-01T00:00:00Z'") == 1,
                "reading writes nothing")

            let tokens = try #require(bySlug["tokens"])
            #expect(tokens["usageValue"] == ["type": "number", "value": 7.5, "event_count": 3])
            #expect(
                tokens["currentPeriodStart"]?.stringValue
                    == Timestamp.format(UsageWindow.containing(now, period: .day, anchor: .calendar, licenseStart: now).start))

            let ahead = try #require(bySlug["ahead"])
            let tomorrow = UsageWindow.containing(now, period: .day, anchor: .calendar, licenseStart: now).end
            #expect(ahead["usageValue"] == ["type": "number", "value": 4, "event_count": 1], "a counter opened ahead of the clock stays current")
            #expect(ahead["currentPeriodStart"]?.stringValue == Timestamp.format(tomorrow))
            #expect(ahead["licenseValue"] == nil)

            let credits = try #require(bySlug["credits"])
            #expect(credits["usageValue"] == ["type": "number", "value": 5, "event_count": 1])
            #expect(credits["currentPeriodStart"]?.stringValue == Timestamp.format(licenseStart.addingTimeInterval(7 * 86_400)))
            #expect(credits["currentPeriodEnd"]?.stringValue == Timestamp.format(licenseStart.addingTimeInterval(14 * 86_400)))

            let sso = try #require(bySlug["sso"])
            #expect(sso["usageValue"] == nil && sso["licenseValue"] == ["type": "boolean", "value": true])
            let extra = try #require(bySlug["extra"])
            #expect(extra["usageValue"] == nil && extra["licenseValue"] == nil)

            let missingInstance = try await kaiten.core.json(.get, "/api/entitlement-groups/plan/usage?instance=nope", token: token)
            #expect(missingInstance.status == .notFound && missingInstance.json?["code"] == "GetEntitlementGroupUsage.InstanceNotFound")
            let missingGroup = try await kaiten.core.json(.get, "/api/entitlement-groups/nope/usage?instance=prod", token: token)
            #expect(missingGroup.status == .notFound && missingGroup.json?["code"] == "GetEntitlementGroupUsage.NotFound")
            let noInstance = try await kaiten.core.json(.get, "/api/entitlement-groups/plan/usage", token: token)
            #expect(noInstance.status == .unprocessableContent && noInstance.json?["errors"]?.arrayValue?.first?["location"] == "query.instance")

            let (_, reader) = try await kaiten.organization(scopes: ["read:entitlements"])
            let foreign = try await kaiten.core.json(.get, "/api/entitlement-groups/plan/usage?instance=prod", token: reader)
            #expect(foreign.status == .notFound, "another organization's group is not found")
        }
    }
}

extension String {
    /// The string as an SQL literal.
    fileprivate var quotedSQL: String { "'" + replacingOccurrences(of: "'", with: "''") + "'" }
}
