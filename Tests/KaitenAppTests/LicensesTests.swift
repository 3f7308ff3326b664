import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import Testing

/// An organization of a test Kaiten, with the calls the license suites make.
struct LicensesTestOrganization {
    let kaiten: TestKaiten
    let id: UUID
    let token: String

    init(_ kaiten: TestKaiten, scopes: [String]? = nil) async throws {
        let (id, token) = try await kaiten.organization(scopes: scopes)
        self.kaiten = kaiten
        self.id = UUID(uuidString: id)!
        self.token = token
    }

    func call(_ method: HTTPRequest.Method, _ path: String, _ body: [String: JSONValue]? = nil) async throws -> JSONResponseResult {
        try await kaiten.core.json(method, "/api\(path)", token: token, body: body)
    }

    /// Creates a license, `description` and `isDefault` filled in as the SDK always sends them.
    @discardableResult
    func createLicense(
        _ name: String, _ extra: [String: JSONValue] = [:], expecting status: HTTPResponse.Status = .created
    ) async throws -> JSONResponseResult {
        var body: [String: JSONValue] = ["name": .string(name), "description": "", "type": "PAID", "isDefault": false]
        body.merge(extra) { _, new in new }
        let response = try await call(.post, "/licenses", body)
        #expect(response.status == status, "\(response.json ?? [:])")
        return response
    }

    /// The names of the events recorded since `count` events had been, oldest first; the events of one
    /// transaction share a timestamp, so they come sorted by name.
    func events(after count: Int) async throws -> [(name: String, data: JSONValue)] {
        let rows = try await kaiten.database.all(
            "SELECT event_name, data::text FROM outbox_events WHERE organization_id = \(id) ORDER BY occurred_at, event_name",
            as: (String, String).self,
            logger: kaiten.database.logger
        )
        return try rows.dropFirst(count).map { ($0.0, try JSONValue.parse(Array($0.1.utf8))) }
    }

    func eventCount() async throws -> Int {
        try await kaiten.count("SELECT count(*)::int FROM outbox_events WHERE organization_id = \(id)")
    }

    /// Runs `body` and returns its result with the names of the events it recorded, sorted.
    func recording<Result>(_ body: () async throws -> Result) async throws -> (names: [String], result: Result) {
        let before = try await eventCount()
        let result = try await body()
        return (try await events(after: before).map(\.name).sorted(), result)
    }

    /// Inserts an entitlement directly: the entitlements module is not needed to grant one.
    func entitlement(_ slug: String, type: String) async throws {
        let aggregation: String? = type.hasPrefix("NUMBER") ? "SUM" : nil
        try await kaiten.database.client.query(
            """
            INSERT INTO entitlement (organization_id, name, slug, type, aggregation_method)
            VALUES (\(id), \(slug.capitalized), \(slug), \(type)::entitlement_type, \(aggregation)::aggregation_method)
            """,
            logger: kaiten.database.logger
        )
    }
}

extension JSONResponseResult {
    var code: String? { json?["code"]?.stringValue }
    subscript(_ key: String) -> JSONValue? { json?[key] }
}

@Suite struct LicenseVersionTests {
    @Test func aLicenseWithoutAFamilyOpensOneAsItsVersionOne() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            let before = try await org.eventCount()
            let created = try await org.createLicense("Growth", ["slug": "growth", "type": "paid", "description": "For teams"])
            #expect(created["version"] == "1")
            #expect(created["versionName"] == "Version - 1")
            #expect(created["type"] == "PAID")
            #expect(created["lifecycleState"] == "PUBLISHED")
            #expect(created["isDefault"] == false)
            #expect(created["familySlug"] == nil)
            let familyID = try #require(created["familyId"]?.stringValue)
            let events = try await org.events(after: before)
            #expect(events.map(\.name) == ["LICENSE_CREATED", "LICENSE_FAMILY_CREATED"])
            let familyEvent = try #require(events.last?.data)
            #expect(familyEvent["id"] == .string(familyID))
            #expect(familyEvent["slug"] == "growth")
            #expect(familyEvent["versionCount"] == 1)
            #expect(familyEvent["currentVersion"]?["slug"] == "growth")

            let family = try await org.call(.get, "/license-families/growth")
            #expect(family.status == .ok)
            #expect(family["currentVersion"]?["slug"] == "growth")
            #expect(family["versionCount"] == 1)
            #expect(family["versions"] == nil)

            let generated = try await org.createLicense("Scale Plan")
            let slug = try #require(generated["slug"]?.stringValue)
            #expect(slug.hasPrefix("scale-plan-"))
            #expect(try await org.call(.get, "/license-families/\(slug)").status == .ok)
        }
    }

    @Test func versionsAreNumberedByTheirFamilyAndNeverReused() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            let first = try await org.createLicense("Growth", ["slug": "growth"])
            let familyID = try #require(first["familyId"])
            let second = try await org.createLicense("Growth", ["familySlug": "growth"])
            #expect(second["slug"] == "growth-v2" && second["version"] == "2" && second["versionName"] == "Version - 2")
            let third = try await org.createLicense("Growth", ["familyId": familyID, "familySlug": "growth", "versionName": "Winter"])
            #expect(third["slug"] == "growth-v3" && third["version"] == "3" && third["versionName"] == "Winter")
            #expect(try await org.call(.delete, "/licenses/growth-v3").status == .noContent)
            let fourth = try await org.createLicense("Growth", ["familyId": familyID])
            #expect(fourth["slug"] == "growth-v4" && fourth["version"] == "4")
            let chosen = try await org.createLicense("Growth", ["familySlug": "growth", "slug": "growth-enterprise"])
            #expect(chosen["slug"] == "growth-enterprise" && chosen["version"] == "5")
            let family = try await org.call(.get, "/license-families/growth?include=versions")
            #expect(family["versions"]?.arrayValue?.compactMap { $0["version"]?.stringValue } == ["1", "2", "4", "5"])
            #expect(family["versionCount"] == 4)
        }
    }

    @Test func aDerivedSlugHeldOutsideTheFamilyFallsBackToOneFromTheName() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            try await org.createLicense("Growth", ["slug": "growth"])
            try await org.createLicense("Other", ["slug": "growth-v2"])
            let second = try await org.createLicense("Growth Two", ["familySlug": "growth"])
            #expect(second["version"] == "2")
            #expect(second["slug"]?.stringValue?.hasPrefix("growth-two-") == true)
        }
    }

    @Test func theVersionSlugStaysWithinTheSlugLength() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            let long = String(repeating: "a", count: 97) + "-bc"
            try await org.createLicense("Long", ["slug": .string(long)])
            let second = try await org.createLicense("Long", ["familySlug": .string(long)])
            #expect(second["slug"] == .string(String(repeating: "a", count: 97) + "-v2"))
        }
    }

    @Test func createRefusesWhatTheServerDecidesOrCannotResolve() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            let growth = try await org.createLicense("Growth", ["slug": "growth"])
            try await org.createLicense("Scale", ["slug": "scale"])
            let refusals: [([String: JSONValue], HTTPResponse.Status, String)] = [
                (["familySlug": "nope"], .notFound, "CreateLicense.FamilyNotFound"),
                (["familyId": .string(UUID().uuidString)], .notFound, "CreateLicense.FamilyNotFound"),
                (["familyId": growth["familyId"]!, "familySlug": "scale"], .unprocessableContent, "CreateLicense.FamilyMismatch"),
                (["version": "7"], .unprocessableContent, "CreateLicense.VersionNotSettable"),
                (["lifecycleState": "ARCHIVED"], .unprocessableContent, "CreateLicense.LifecycleStateNotSettable"),
                (["lifecycleState": "RETIRED"], .badRequest, "CreateLicense.InvalidLifecycleState"),
                (["type": "gold"], .badRequest, "CreateLicense.InvalidType"),
                (["lifecycleState": "DRAFT", "isDefault": true], .conflict, "CreateLicense.DefaultMustBePublished"),
                (["slug": "growth"], .conflict, "CreateLicense.SlugConflict"),
                (["slug": "Not A Slug"], .unprocessableContent, "UNPROCESSABLE"),
                (["familyId": "not-a-uuid"], .unprocessableContent, "UNPROCESSABLE"),
                (["name": ""], .unprocessableContent, "UNPROCESSABLE"),
                (["id": "x"], .unprocessableContent, "UNPROCESSABLE"),
            ]
            let licenses = try await kaiten.count("SELECT count(*)::int FROM license")
            let events = try await org.eventCount()
            for (body, status, code) in refusals {
                let refused = try await org.createLicense("Refused", body, expecting: status)
                #expect(refused.code == code, "\(body)")
            }
            let missing = try await org.call(.post, "/licenses", ["name": "Bare"])
            #expect(missing.status == .unprocessableContent)
            #expect(missing["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue } == ["body.description", "body.isDefault", "body.type"])
            #expect(try await kaiten.count("SELECT count(*)::int FROM license") == licenses)
            #expect(try await org.eventCount() == events)
        }
    }

    @Test func anotherOrganizationsLicensesAreNotFoundAndScopesAreEnforced() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            let other = try await LicensesTestOrganization(kaiten)
            let growth = try await org.createLicense("Growth", ["slug": "growth"])
            #expect(try await other.call(.get, "/licenses/growth").code == "GetLicense.NotFound")
            #expect(try await other.call(.get, "/license-families/growth").code == "GetLicenseFamily.NotFound")
            #expect(
                try await other.createLicense("Mine", ["familyId": growth["familyId"]!], expecting: .notFound).code == "CreateLicense.FamilyNotFound")
            #expect(try await other.call(.post, "/licenses/growth/archive").code == "ArchiveLicense.NotFound")
            #expect(try await other.call(.delete, "/licenses/growth").code == "DeleteLicense.NotFound")
            #expect(try await other.call(.get, "/licenses")["items"]?.arrayValue?.isEmpty == true)

            let reader = try await LicensesTestOrganization(kaiten, scopes: ["read:licenses"])
            #expect(try await reader.call(.get, "/licenses").status == .ok)
            #expect(try await reader.call(.get, "/license-families").status == .ok)
            let refused = try await reader.createLicense("Nope", expecting: .forbidden)
            #expect(refused.code == "Auth.MissingScope")
            #expect(try await reader.call(.post, "/licenses/growth/publish").status == .forbidden)
        }
    }

    @Test func theListPagesNewestFirst() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            for index in 1...3 { try await org.createLicense("License \(index)", ["slug": .string("license-\(index)")]) }
            var slugs: [String] = []
            var cursor: String?
            repeat {
                let page = try await org.call(.get, "/licenses?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                slugs += page["items"]?.arrayValue?.compactMap { $0["slug"]?.stringValue } ?? []
                cursor = page["nextCursor"]?.stringValue
                #expect((page["hasMore"] == true) == (cursor != nil))
            } while cursor != nil
            #expect(slugs == ["license-3", "license-2", "license-1"])
        }
    }
}

@Suite struct LicenseLifecycleTests {
    @Test func aVersionMovesOnlyAlongItsLifecycleEdges() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            try await org.createLicense("Growth", ["slug": "growth"])
            let draft = try await org.createLicense("Growth", ["familySlug": "growth", "lifecycleState": "draft"])
            #expect(draft["lifecycleState"] == "DRAFT")
            #expect(try await org.call(.get, "/license-families/growth")["currentVersion"]?["slug"] == "growth")

            #expect(try await org.call(.post, "/licenses/growth-v2/archive").code == "ArchiveLicense.NotPublished")
            #expect(try await org.call(.post, "/licenses/growth-v2/unarchive").code == "UnarchiveLicense.NotArchived")

            let (publishEvents, published) = try await org.recording { try await org.call(.post, "/licenses/growth-v2/publish") }
            #expect(published.status == .ok && published["lifecycleState"] == "PUBLISHED")
            #expect(publishEvents == ["LICENSE_FAMILY_UPDATED", "LICENSE_PUBLISHED"])
            #expect(try await org.call(.get, "/license-families/growth")["currentVersion"]?["slug"] == "growth-v2")
            let again = try await org.call(.post, "/licenses/growth-v2/publish")
            #expect(again.status == .conflict && again.code == "PublishLicense.NotADraft")

            let (archiveEvents, archived) = try await org.recording { try await org.call(.post, "/licenses/growth-v2/archive") }
            #expect(archived["lifecycleState"] == "ARCHIVED")
            #expect(archiveEvents == ["LICENSE_ARCHIVED", "LICENSE_FAMILY_UPDATED"])
            #expect(try await org.call(.get, "/license-families/growth")["currentVersion"]?["slug"] == "growth")
            #expect(try await org.call(.post, "/licenses/growth-v2/archive").code == "ArchiveLicense.NotPublished")
            #expect(try await org.call(.post, "/licenses/growth-v2/publish").code == "PublishLicense.NotADraft")

            // Archiving a version the family does not serve moves nothing.
            try await org.createLicense("Growth", ["familySlug": "growth"])
            let quietEvents = try await org.recording { try await org.call(.post, "/licenses/growth/archive") }.names
            #expect(quietEvents == ["LICENSE_ARCHIVED"])

            let unarchived = try await org.call(.post, "/licenses/growth-v2/unarchive")
            #expect(unarchived.status == .ok && unarchived["lifecycleState"] == "PUBLISHED")
            #expect(try await org.call(.post, "/licenses/nope/publish").code == "PublishLicense.NotFound")
        }
    }

    @Test func aDefaultIsExclusiveServedFirstAndCannotBeArchived() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            try await org.createLicense("Growth", ["slug": "growth", "isDefault": true])
            let before = try await org.eventCount()
            let second = try await org.createLicense("Growth", ["familySlug": "growth", "isDefault": true])
            #expect(second["isDefault"] == true)
            let events = try await org.events(after: before)
            #expect(events.map(\.name) == ["LICENSE_CREATED", "LICENSE_FAMILY_UPDATED", "LICENSE_UPDATED"])
            #expect(events[2].data["slug"] == "growth" && events[2].data["isDefault"] == false)
            #expect(try await org.call(.get, "/licenses/growth")["isDefault"] == false)

            // A newer published version does not displace the default.
            let newerEvents = try await org.recording { try await org.createLicense("Growth", ["familySlug": "growth"]) }.names
            #expect(newerEvents == ["LICENSE_CREATED"])
            #expect(try await org.call(.get, "/license-families/growth")["currentVersion"]?["slug"] == "growth-v2")

            let refused = try await org.call(.post, "/licenses/growth-v2/archive")
            #expect(refused.status == .conflict && refused.code == "ArchiveLicense.DefaultMustBePublished")

            let growth: [String: JSONValue] = ["name": "Growth", "description": "", "type": "PAID", "isDefault": true]
            let restated = try await org.recording { try await org.call(.put, "/licenses/growth-v2", growth) }
            #expect(restated.result.status == .noContent && restated.names == ["LICENSE_UPDATED"])

            let taken = try await org.recording { try await org.call(.put, "/licenses/growth", growth) }
            #expect(taken.result.status == .noContent && taken.names == ["LICENSE_FAMILY_UPDATED", "LICENSE_UPDATED", "LICENSE_UPDATED"])
            #expect(try await org.call(.get, "/licenses/growth-v2")["isDefault"] == false)
            #expect(try await org.call(.get, "/license-families/growth")["currentVersion"]?["slug"] == "growth")

            let givenUp = try await org.recording {
                try await org.call(.put, "/licenses/growth", growth.merging(["isDefault": false]) { _, new in new })
            }.names
            #expect(givenUp == ["LICENSE_FAMILY_UPDATED", "LICENSE_UPDATED"])
            #expect(try await org.call(.get, "/license-families/growth")["currentVersion"]?["slug"] == "growth-v3")
            #expect(try await kaiten.count("SELECT count(*)::int FROM license WHERE is_default") == 0)
        }
    }

    @Test func updateReplacesTheWritableFieldsAndRefusesTheOthers() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            let growth = try await org.createLicense("Growth", ["slug": "growth", "versionName": "Launch", "description": "First"])
            try await org.createLicense("Growth", ["familySlug": "growth", "lifecycleState": "DRAFT"])
            let echo: [String: JSONValue] = [
                "name": "Growth+", "description": "Second", "type": "trial", "isDefault": false,
                "slug": "growth", "version": "1", "lifecycleState": "PUBLISHED", "familyId": growth["familyId"]!,
            ]
            #expect(try await org.call(.put, "/licenses/growth", echo).status == .noContent)
            let updated = try await org.call(.get, "/licenses/growth")
            #expect(updated["name"] == "Growth+" && updated["description"] == "Second" && updated["type"] == "TRIAL")
            #expect(updated["versionName"] == "Version - 1")

            let refusals: [(String, [String: JSONValue], HTTPResponse.Status, String)] = [
                ("growth", ["slug": "other"], .unprocessableContent, "UpdateLicense.SlugNotRenameable"),
                ("growth", ["familySlug": "growth"], .unprocessableContent, "UpdateLicense.FamilyNotReassignable"),
                ("growth", ["familyId": .string(UUID().uuidString)], .unprocessableContent, "UpdateLicense.FamilyNotReassignable"),
                ("growth", ["version": "2"], .unprocessableContent, "UpdateLicense.VersionNotSettable"),
                ("growth", ["lifecycleState": "ARCHIVED"], .unprocessableContent, "UpdateLicense.LifecycleStateNotSettable"),
                ("growth", ["type": "gold"], .badRequest, "UpdateLicense.InvalidType"),
                ("growth-v2", ["isDefault": true], .conflict, "UpdateLicense.DefaultMustBePublished"),
                ("nope", [:], .notFound, "UpdateLicense.NotFound"),
            ]
            for (slug, extra, status, code) in refusals {
                var body: [String: JSONValue] = ["name": "X", "description": "", "type": "PAID", "isDefault": false]
                body.merge(extra) { _, new in new }
                let refused = try await org.call(.put, "/licenses/\(slug)", body)
                #expect(refused.status == status && refused.code == code, "\(extra)")
            }
            #expect(try await org.call(.get, "/licenses/growth")["name"] == "Growth+")
        }
    }

    @Test func deletingRefusesAVersionInUseAndTakesTheFamilyWithTheLastOne() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            try await org.createLicense("Growth", ["slug": "growth"])
            try await org.createLicense("Growth", ["familySlug": "growth"])
            try await org.entitlement("seats", type: "NUMBER")
            #expect(
                try await org.call(.post, "/licenses/growth/entitlements", ["entitlementSlug": "seats", "value": ["type": "number", "value": 5]])
                    .status == .noContent)
            let inUse = try await org.call(.delete, "/licenses/growth")
            #expect(inUse.status == .conflict && inUse.code == "DeleteLicense.InUseConflict")

            let servedGone = try await org.recording { try await org.call(.delete, "/licenses/growth-v2") }
            #expect(servedGone.result.status == .noContent && servedGone.names == ["LICENSE_DELETED", "LICENSE_FAMILY_UPDATED"])
            #expect(try await org.call(.get, "/license-families/growth")["currentVersion"]?["slug"] == "growth")

            #expect(try await org.call(.delete, "/licenses/growth/entitlements/seats").status == .noContent)
            let before = try await org.eventCount()
            #expect(try await org.call(.delete, "/licenses/growth").status == .noContent)
            let events = try await org.events(after: before)
            #expect(events.map(\.name) == ["LICENSE_DELETED", "LICENSE_FAMILY_DELETED"])
            #expect(events[1].data["slug"] == "growth" && events[1].data["versionCount"] == 1)
            #expect(try await org.call(.get, "/license-families/growth").code == "GetLicenseFamily.NotFound")
            #expect(try await org.call(.delete, "/licenses/growth").code == "DeleteLicense.NotFound")

            let reopened = try await org.createLicense("Growth again", ["slug": "growth"])
            #expect(reopened["version"] == "1")
        }
    }
}

@Suite struct LicenseFamilyReadTests {
    @Test func aFamilyWithNothingPublishedIsListedButNotResolved() async throws {
        try await TestKaiten.run { kaiten in
            let org = try await LicensesTestOrganization(kaiten)
            try await org.createLicense("Draft", ["slug": "draft", "lifecycleState": "DRAFT"])
            try await org.createLicense("Live", ["slug": "live"])
            let refused = try await org.call(.get, "/license-families/draft")
            #expect(refused.status == .notFound && refused.code == "GetLicenseFamily.NoPublishedVersion")
            let history = try await org.call(.get, "/license-families/draft?include=versions")
            #expect(history.status == .ok && history["currentVersion"] == nil)
            #expect(history["versions"]?.arrayValue?.count == 1)
            let pinned = try await org.call(.get, "/license-families/draft?version=1")
            #expect(pinned["currentVersion"]?["lifecycleState"] == "DRAFT")
            #expect(try await org.call(.get, "/license-families/draft?version=9").code == "GetLicenseFamily.VersionNotFound")
            #expect(try await org.call(.get, "/license-families/draft?version=0").status == .unprocessableContent)
            #expect(try await org.call(.get, "/license-families/draft?include=history").status == .unprocessableContent)

            let list = try await org.call(.get, "/license-families")
            let items = try #require(list["items"]?.arrayValue)
            #expect(items.compactMap { $0["slug"]?.stringValue } == ["live", "draft"])
            #expect(items[0]["currentVersion"]?["slug"] == "live")
            #expect(items[1]["currentVersion"] == nil && items[1]["versionCount"] == 1)
        }
    }
}
