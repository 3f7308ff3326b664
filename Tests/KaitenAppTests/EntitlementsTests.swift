import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import Testing

/// The entitlement catalogue: defaults, Kaiten's validation codes, full-replacement updates with one-way
/// reset doors, deletes held by license grants, and the events of every write.
@Suite struct EntitlementsTests {
    @Test func createAppliesKaitensDefaultsAndRecordsTheEvent() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let seats = try await kaiten.core.json(
                .post, "/api/entitlements", token: token, body: ["name": "Seats", "description": .null, "type": "NUMBER"])
            #expect(seats.status == .created)
            let body = try #require(seats.json)
            #expect(body["slug"]?.stringValue?.wholeMatch(of: /seats-[0-9a-f]{6}/) != nil)
            #expect(body["aggregationMethod"] == "SUM")
            #expect(body["description"] == .null)
            #expect(body["userFacing"] == false && body["displayOrder"] == 0 && body["warningThresholdPercent"] == 0)
            #expect(body["entitlementGroups"] == nil && body["resetPeriod"] == nil && body["resetAnchor"] == nil && body["icon"] == nil)
            #expect(body["createdAt"] == body["updatedAt"])

            let feature = try await kaiten.core.json(
                .post, "/api/entitlements", token: token,
                body: ["name": "SSO", "description": "Single sign-on", "type": "BOOLEAN", "aggregationMethod": "MAX"]
            )
            #expect(feature.status == .created)
            #expect(feature.json?["aggregationMethod"] == nil, "BOOLEAN and CONFIG never aggregate")

            let monthly = try await kaiten.core.json(
                .post, "/api/entitlements", token: token,
                body: [
                    "name": "API calls", "slug": "api-calls", "description": .null, "type": "NUMBER_AI_CREDIT", "aggregationMethod": "MAX",
                    "resetPeriod": "MONTH",
                ]
            )
            #expect(monthly.status == .created)
            #expect(monthly.json?["resetPeriod"] == "MONTH" && monthly.json?["resetAnchor"] == "CALENDAR")
            #expect(monthly.json?["aggregationMethod"] == "MAX")

            let events = try await EntitlementsFixture.events(of: organization, in: kaiten)
            #expect(events.map(\.name) == ["ENTITLEMENT_CREATED", "ENTITLEMENT_CREATED", "ENTITLEMENT_CREATED"])
            #expect(events.first?.data == seats.value)
            #expect(events.last?.data == monthly.value)
        }
    }

    @Test func everyValidationRuleHasItsStatusAndCode() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            #expect(
                try await kaiten.core.json(
                    .post, "/api/entitlements", token: token, body: ["name": "Taken", "slug": "taken", "description": .null, "type": "NUMBER"]
                ).status == .created)
            let base: [String: JSONValue] = ["name": "Quota", "description": .null, "type": "NUMBER"]
            let cases: [(changes: [String: JSONValue], status: HTTPResponse.Status, code: String, location: String?)] = [
                (["type": .null], .unprocessableContent, "UNPROCESSABLE", "body.type"),
                (["type": "FLOAT"], .unprocessableContent, "UNPROCESSABLE", "body.type"),
                (["aggregationMethod": "MEDIAN"], .unprocessableContent, "UNPROCESSABLE", "body.aggregationMethod"),
                (["resetPeriod": "DECADE"], .unprocessableContent, "UNPROCESSABLE", "body.resetPeriod"),
                (["resetAnchor": "WHENEVER"], .unprocessableContent, "UNPROCESSABLE", "body.resetAnchor"),
                (["warningThresholdPercent": 101], .unprocessableContent, "UNPROCESSABLE", "body.warningThresholdPercent"),
                (["displayOrder": -1], .unprocessableContent, "UNPROCESSABLE", "body.displayOrder"),
                (["saleUnitFactor": 0], .unprocessableContent, "UNPROCESSABLE", "body.saleUnitFactor"),
                (["userFacing": "yes"], .unprocessableContent, "UNPROCESSABLE", "body.userFacing"),
                (["icon": "Lucide:Rocket"], .unprocessableContent, "UNPROCESSABLE", "body.icon"),
                (["icon": .string("lucide:" + String(repeating: "a", count: 60))], .unprocessableContent, "UNPROCESSABLE", "body.icon"),
                (["slug": "Not A Slug"], .unprocessableContent, "UNPROCESSABLE", "body.slug"),
                (["id": "00000000-0000-0000-0000-000000000000"], .unprocessableContent, "UNPROCESSABLE", "body.id"),
                (
                    ["type": "BOOLEAN", "unitSingular": "seat", "unitPlural": "seats"], .badRequest, "CreateEntitlement.InvalidUnitsConfiguration",
                    nil
                ),
                (["unitSingular": "seat"], .badRequest, "CreateEntitlement.InvalidUnitsConfiguration", nil),
                (["unitSingular": "  ", "unitPlural": "seats"], .badRequest, "CreateEntitlement.InvalidUnitsConfiguration", nil),
                (
                    ["unitSingular": "seat", "unitPlural": "seats", "saleUnitSingular": "pack"], .badRequest,
                    "CreateEntitlement.InvalidUnitsConfiguration", nil
                ),
                (
                    ["saleUnitSingular": "pack", "saleUnitPlural": "packs", "saleUnitFactor": 10], .badRequest,
                    "CreateEntitlement.InvalidUnitsConfiguration", nil
                ),
                (["type": "CONFIG", "warningThresholdPercent": 80], .badRequest, "CreateEntitlement.InvalidEnforcementPolicyConfiguration", nil),
                (["resetAnchor": "CALENDAR"], .badRequest, "CreateEntitlement.InvalidResetConfiguration", nil),
                (["type": "BOOLEAN", "resetPeriod": "DAY"], .badRequest, "CreateEntitlement.InvalidResetConfiguration", nil),
                (["aggregationMethod": "LATEST", "resetPeriod": "DAY"], .badRequest, "CreateEntitlement.InvalidResetConfiguration", nil),
                (["icon": "heroicons:rocket"], .badRequest, "CreateEntitlement.InvalidIcon", nil),
                (["groupSlugs": ["no-such-group"]], .notFound, "CreateEntitlement.GroupNotFound", nil),
                (["slug": "taken"], .conflict, "CreateEntitlement.SlugConflict", nil),
            ]
            for (changes, status, code, location) in cases {
                let response = try await kaiten.core.json(.post, "/api/entitlements", token: token, body: base.merging(changes) { _, new in new })
                #expect(response.status == status, "\(changes)")
                #expect(response.json?["code"]?.stringValue == code, "\(changes)")
                if let location {
                    #expect(response.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue } == [location], "\(changes)")
                }
            }
            let missingType = try await kaiten.core.json(.post, "/api/entitlements", token: token, body: ["name": "Typeless", "description": .null])
            #expect(missingType.status == .unprocessableContent && missingType.json?["code"] == "CreateEntitlement.TypeRequired")
            let missingDescription = try await kaiten.core.json(.post, "/api/entitlements", token: token, body: ["name": "Quota", "type": "NUMBER"])
            #expect(missingDescription.json?["errors"]?.arrayValue?.first?["location"] == "body.description")

            #expect(try await kaiten.count("SELECT count(*) FROM entitlement") == 1)
            #expect(try await EntitlementsFixture.events(of: organization, in: kaiten).count == 1, "a refused write leaves no event")
        }
    }

    @Test func groupSlugsAreTrimmedDeduplicatedSortedAndLinked() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            for slug in ["beta", "alpha"] {
                #expect(
                    try await kaiten.core.json(
                        .post, "/api/entitlement-groups", token: token, body: ["name": .string(slug), "slug": .string(slug), "description": .null]
                    ).status == .created)
            }
            let created = try await kaiten.core.json(
                .post, "/api/entitlements", token: token,
                body: ["name": "Seats", "slug": "seats", "description": .null, "type": "NUMBER", "groupSlugs": [" beta", "alpha", "beta", " "]]
            )
            #expect(created.status == .created)
            #expect(created.json?["entitlementGroups"]?.arrayValue?.compactMap { $0["slug"]?.stringValue } == ["alpha", "beta"])
            #expect(created.json?["groupSlugs"] == nil, "groupSlugs is write-only")
            let listed = try await kaiten.core.json(.get, "/api/entitlements", token: token)
            #expect(listed.json?["items"]?.arrayValue?.first?["entitlementGroups"] == created.json?["entitlementGroups"])
        }
    }

    @Test func updateReplacesEverythingButTheFixedAndOneWayFields() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            _ = try await kaiten.core.json(
                .post, "/api/entitlement-groups", token: token, body: ["name": "Core", "slug": "core", "description": .null])
            let created = try await kaiten.core.json(
                .post, "/api/entitlements", token: token,
                body: [
                    "name": "Seats", "slug": "seats", "description": "Named users", "type": "NUMBER", "aggregationMethod": "MAX",
                    "unitSingular": "seat", "unitPlural": "seats", "userFacing": true, "displayOrder": 5, "icon": "lucide:users",
                    "warningThresholdPercent": 80, "groupSlugs": ["core"],
                ]
            )
            #expect(created.status == .created)

            let replaced = try await kaiten.core.json(.put, "/api/entitlements/seats", token: token, body: ["name": "Users", "description": .null])
            #expect(replaced.status == .noContent && replaced.value == nil)
            let afterReplace = try #require(try await kaiten.core.json(.get, "/api/entitlements/seats", token: token).json)
            #expect(afterReplace["name"] == "Users" && afterReplace["description"] == .null)
            #expect(afterReplace["unitSingular"] == nil && afterReplace["icon"] == nil)
            #expect(afterReplace["userFacing"] == false && afterReplace["displayOrder"] == 0 && afterReplace["warningThresholdPercent"] == 0)
            #expect(afterReplace["type"] == "NUMBER" && afterReplace["aggregationMethod"] == "MAX", "type and method are kept")
            #expect(afterReplace["entitlementGroups"]?.arrayValue?.count == 1, "absent groupSlugs keeps the memberships")
            #expect(afterReplace["createdAt"] == created.json?["createdAt"])

            let refusals: [([String: JSONValue], HTTPResponse.Status, String)] = [
                (["slug": "renamed"], .unprocessableContent, "UpdateEntitlement.SlugNotRenameable"),
                (["type": "BOOLEAN"], .badRequest, "UpdateEntitlement.ImmutableType"),
                (["aggregationMethod": "SUM"], .badRequest, "UpdateEntitlement.ImmutableAggregationMethod"),
                (["unitPlural": "seats"], .badRequest, "UpdateEntitlement.InvalidUnitsConfiguration"),
                (["icon": "feather:x"], .badRequest, "UpdateEntitlement.InvalidIcon"),
                (["resetAnchor": "LICENSE_START"], .badRequest, "UpdateEntitlement.InvalidResetConfiguration"),
                (["groupSlugs": ["missing"]], .notFound, "UpdateEntitlement.GroupNotFound"),
            ]
            for (changes, status, code) in refusals {
                let body = (["name": "Users", "description": .null] as [String: JSONValue]).merging(changes) { _, new in new }
                let response = try await kaiten.core.json(.put, "/api/entitlements/seats", token: token, body: body)
                #expect(response.status == status && response.json?["code"]?.stringValue == code, "\(changes)")
            }
            let echoed = try await kaiten.core.json(
                .put, "/api/entitlements/seats", token: token,
                body: ["name": "Users", "description": .null, "slug": "seats", "type": "NUMBER", "aggregationMethod": "MAX", "groupSlugs": []]
            )
            #expect(echoed.status == .noContent)
            #expect(
                try await kaiten.core.json(.get, "/api/entitlements/seats", token: token).json?["entitlementGroups"] == nil, "[] leaves every group")

            // The reset period may be set once; from then on every PUT must echo it and its anchor.
            let enable = try await kaiten.core.json(
                .put, "/api/entitlements/seats", token: token, body: ["name": "Users", "description": .null, "resetPeriod": "DAY"])
            #expect(enable.status == .noContent)
            let periodic = try await kaiten.core.json(.get, "/api/entitlements/seats", token: token)
            #expect(periodic.json?["resetPeriod"] == "DAY" && periodic.json?["resetAnchor"] == "CALENDAR")
            let doors: [([String: JSONValue], String)] = [
                ([:], "UpdateEntitlement.ImmutableResetPeriod"),
                (["resetPeriod": "WEEK", "resetAnchor": "CALENDAR"], "UpdateEntitlement.ImmutableResetPeriod"),
                (["resetPeriod": "DAY"], "UpdateEntitlement.ImmutableResetAnchor"),
                (["resetPeriod": "DAY", "resetAnchor": "LICENSE_START"], "UpdateEntitlement.ImmutableResetAnchor"),
            ]
            for (changes, code) in doors {
                let body = (["name": "Users", "description": .null] as [String: JSONValue]).merging(changes) { _, new in new }
                let response = try await kaiten.core.json(.put, "/api/entitlements/seats", token: token, body: body)
                #expect(response.status == .badRequest && response.json?["code"]?.stringValue == code, "\(changes)")
            }
            let kept = try await kaiten.core.json(
                .put, "/api/entitlements/seats", token: token,
                body: ["name": "Daily users", "description": .null, "resetPeriod": "DAY", "resetAnchor": "CALENDAR"]
            )
            #expect(kept.status == .noContent)

            let missing = try await kaiten.core.json(.put, "/api/entitlements/nope", token: token, body: ["name": "X", "description": .null])
            #expect(missing.status == .notFound && missing.json?["code"] == "UpdateEntitlement.NotFound")

            let current = try await kaiten.core.json(.get, "/api/entitlements/seats", token: token)
            let events = try await EntitlementsFixture.events(of: organization, in: kaiten).filter { !$0.name.hasPrefix("ENTITLEMENT_GROUP_") }
            #expect(events.map(\.name) == ["ENTITLEMENT_CREATED"] + Array(repeating: "ENTITLEMENT_UPDATED", count: 4))
            #expect(events.last?.data == current.value)
        }
    }

    @Test func anEntitlementGrantedByALicenseCannotBeDeleted() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let created = try await kaiten.core.json(
                .post, "/api/entitlements", token: token, body: ["name": "Seats", "slug": "seats", "description": .null, "type": "NUMBER"])
            let fixture = try await EntitlementsFixture.license(in: organization, kaiten: kaiten)
            try await fixture.grant("seats", value: #"{"type":"number","value":10}"#, overage: 0)

            let refused = try await kaiten.core.json(.delete, "/api/entitlements/seats", token: token)
            #expect(refused.status == .conflict && refused.json?["code"] == "DeleteEntitlement.InUseConflict")
            #expect(refused.json?["errors"]?.arrayValue?.first?["value"] == ["licenseGrants": 1])
            #expect(try await kaiten.core.json(.get, "/api/entitlements/seats", token: token).status == .ok)

            try await kaiten.database.client.query("DELETE FROM license_entitlement", logger: kaiten.database.logger)
            #expect(try await kaiten.core.json(.delete, "/api/entitlements/seats", token: token).status == .noContent)
            let gone = try await kaiten.core.json(.get, "/api/entitlements/seats", token: token)
            #expect(gone.status == .notFound && gone.json?["code"] == "GetEntitlement.NotFound")
            let again = try await kaiten.core.json(.delete, "/api/entitlements/seats", token: token)
            #expect(again.status == .notFound && again.json?["code"] == "DeleteEntitlement.NotFound")

            let events = try await EntitlementsFixture.events(of: organization, in: kaiten)
            #expect(events.map(\.name) == ["ENTITLEMENT_CREATED", "ENTITLEMENT_DELETED"])
            #expect(events.last?.data == created.value, "the deleted event carries the entitlement as it was")
        }
    }

    @Test func listPagesNewestFirstAndTenancyHolds() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let (_, other) = try await kaiten.organization()
            for name in ["One", "Two", "Three"] {
                _ = try await kaiten.core.json(
                    .post, "/api/entitlements", token: token, body: ["name": .string(name), "description": .null, "type": "BOOLEAN"])
            }
            let first = try await kaiten.core.json(.get, "/api/entitlements?limit=2", token: token)
            #expect(first.json?["items"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Three", "Two"])
            #expect(first.json?["hasMore"] == true)
            let cursor = try #require(first.json?["nextCursor"]?.stringValue)
            let second = try await kaiten.core.json(.get, "/api/entitlements?limit=2&cursor=\(cursor)", token: token)
            #expect(second.json?["items"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["One"])
            #expect(second.json?["hasMore"] == false && second.json?["nextCursor"] == nil)

            let slug = try #require(first.json?["items"]?.arrayValue?.first?["slug"]?.stringValue)
            #expect(try await kaiten.core.json(.get, "/api/entitlements/\(slug)", token: other).status == .notFound)
            #expect(try await kaiten.core.json(.delete, "/api/entitlements/\(slug)", token: other).status == .notFound)
            #expect(try await kaiten.core.json(.get, "/api/entitlements", token: other).json?["items"] == [])
        }
    }

    @Test func scopesAreReadAndWriteEntitlements() async throws {
        try await TestKaiten.run { kaiten in
            let (_, reader) = try await kaiten.organization(scopes: ["read:entitlements"])
            let refused = try await kaiten.core.json(
                .post, "/api/entitlements", token: reader, body: ["name": "Seats", "description": .null, "type": "NUMBER"])
            #expect(refused.status == .forbidden && refused.json?["detail"] == "missing required scope: write:entitlements")
            #expect(try await kaiten.core.json(.get, "/api/entitlements", token: reader).status == .ok)
            #expect(try await kaiten.core.json(.get, "/api/entitlement-groups", token: reader).status == .ok)
            let groupRefused = try await kaiten.core.json(.post, "/api/entitlement-groups", token: reader, body: ["name": "G", "description": .null])
            #expect(groupRefused.status == .forbidden)
            let (_, customersOnly) = try await kaiten.organization(scopes: ["read:customers"])
            #expect(try await kaiten.core.json(.get, "/api/entitlements", token: customersOnly).status == .forbidden)
            #expect(try await kaiten.core.json(.get, "/api/entitlement-groups/x/usage?instance=y", token: customersOnly).status == .forbidden)
        }
    }
}

/// Rows the licensing modules own, written directly so these tests do not depend on their endpoints.
struct EntitlementsFixture {
    let kaiten: TestKaiten
    let organizationID: UUID
    let licenseID: UUID

    /// A customer and a one-version license family in the organization.
    static func license(in organization: String, kaiten: TestKaiten) async throws -> EntitlementsFixture {
        let organizationID = UUID(uuidString: organization)!
        let licenseID = try await kaiten.database.first(
            """
            WITH family AS (
                INSERT INTO license_family (organization_id, slug, last_version) VALUES (\(organizationID), 'pro', 1) RETURNING id
            )
            INSERT INTO license (organization_id, family_id, name, slug, type, version, version_name)
            SELECT \(organizationID), family.id, 'Pro', 'pro', 'PAID', 1, 'Version - 1' FROM family
            RETURNING id
            """,
            as: UUID.self,
            logger: kaiten.database.logger
        )!
        try await kaiten.database.client.query(
            "INSERT INTO customer (organization_id, name, slug) VALUES (\(organizationID), 'Acme', 'acme')",
            logger: kaiten.database.logger
        )
        return EntitlementsFixture(kaiten: kaiten, organizationID: organizationID, licenseID: licenseID)
    }

    /// Grants the entitlement on the license; `value` is the stored JSON.
    func grant(_ entitlementSlug: String, value: String, overage: Int?) async throws {
        try await kaiten.database.client.query(
            """
            INSERT INTO license_entitlement (organization_id, license_id, entitlement_id, value, limit_cap_exceeded_overage_percent)
            SELECT \(organizationID), \(licenseID), id, \(value)::jsonb, \(overage) FROM entitlement
            WHERE organization_id = \(organizationID) AND slug = \(entitlementSlug)
            """,
            logger: kaiten.database.logger
        )
    }

    /// An instance of the customer on the license, whose license started at `licenseStart`.
    func instance(_ slug: String, licenseStart: Date) async throws -> UUID {
        try await kaiten.database.first(
            """
            INSERT INTO instance (organization_id, name, slug, customer_id, license_id, start_license_date)
            SELECT \(organizationID), \(slug), \(slug), id, \(licenseID), \(licenseStart) FROM customer
            WHERE organization_id = \(organizationID) AND slug = 'acme'
            RETURNING id
            """,
            as: UUID.self,
            logger: kaiten.database.logger
        )!
    }

    /// Stores a usage counter; `periodStart` is SQL, so a test can place it relative to the database clock.
    func usage(_ entitlementSlug: String, on instanceID: UUID, value: Double, events: Int, periodStart: String) async throws {
        try await kaiten.database.client.query(
            """
            INSERT INTO entitlement_usage (instance_id, entitlement_id, organization_id, value, period_start)
            SELECT \(instanceID), id, \(organizationID), jsonb_build_object('type', 'number', 'value', \(value)::numeric, 'event_count', \(events)),
                   \(unescaped: periodStart)
            FROM entitlement WHERE organization_id = \(organizationID) AND slug = \(entitlementSlug)
            """,
            logger: kaiten.database.logger
        )
    }

    /// The organization's entitlement and group events, oldest first.
    static func events(of organization: String, in kaiten: TestKaiten) async throws -> [(name: String, data: JSONValue)] {
        try await kaiten.database.all(
            "SELECT event_name, data::text FROM outbox_events WHERE organization_id = \(UUID(uuidString: organization)!) AND event_name LIKE 'ENTITLEMENT%' ORDER BY occurred_at, id",
            as: (String, String).self,
            logger: kaiten.database.logger
        ).map { ($0.0, try JSONValue.parse(Array($0.1.utf8))) }
    }
}
