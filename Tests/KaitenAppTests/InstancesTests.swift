import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import Testing

/// An organization with a customer and a published license, and helpers for what the instance tests need.
/// Licenses, entitlements, grants and zones are written by SQL: their own modules are tested elsewhere.
struct InstancesFixture {
    let kaiten: TestKaiten
    let organizationID: UUID
    let token: String
    let customerID: String
    let licenseID: UUID
    let licenseSlug: String

    static func make(_ kaiten: TestKaiten, licenseSlug: String = "growth") async throws -> InstancesFixture {
        let (organization, token) = try await kaiten.organization()
        let organizationID = UUID(uuidString: organization)!
        let customer = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme", "slug": "acme"])
        let customerID = try #require(customer.json?["id"]?.stringValue)
        let fixture = InstancesFixture(
            kaiten: kaiten, organizationID: organizationID, token: token, customerID: customerID, licenseID: UUID(), licenseSlug: licenseSlug
        )
        return try await fixture.withLicense(licenseSlug)
    }

    /// The fixture with another license of its organization, in a family of its own.
    func withLicense(_ slug: String, state: String = "PUBLISHED") async throws -> InstancesFixture {
        let familyID = UUID()
        let licenseID = UUID()
        try await execute(
            "INSERT INTO license_family (id, organization_id, slug) VALUES (\(familyID), \(organizationID), \(slug))"
        )
        try await execute(
            """
            INSERT INTO license (id, organization_id, family_id, name, slug, type, version, version_name, lifecycle_state)
            VALUES (\(licenseID), \(organizationID), \(familyID), \(slug.capitalized), \(slug), 'PAID', 1, 'Version - 1',
                    \(state)::license_lifecycle_state)
            """
        )
        return InstancesFixture(
            kaiten: kaiten, organizationID: organizationID, token: token, customerID: customerID, licenseID: licenseID, licenseSlug: slug
        )
    }

    func execute(_ query: PostgresQuery) async throws {
        try await kaiten.database.client.query(query, logger: kaiten.database.logger)
    }

    func deploymentZone(_ slug: String) async throws -> String {
        let id = UUID()
        try await execute(
            "INSERT INTO deployment_zone (id, organization_id, name, slug, type) VALUES (\(id), \(organizationID), \(slug), \(slug), 'production')"
        )
        return id.lowercased
    }

    /// The members every create or replace must send besides name, customer and license: a description and
    /// the license term, from now for a year (what a create once defaulted to).
    static func requiredMembers(from start: Date = Date()) -> [String: JSONValue] {
        [
            "description": "",
            "startLicenseDate": .string(Timestamp.format(start)),
            "endLicenseDate": .string(Timestamp.format(start.addingTimeInterval(365 * 86_400))),
        ]
    }

    /// Creates an instance through the API and returns its JSON.
    func instance(_ slug: String, extra: [String: JSONValue] = [:]) async throws -> [String: JSONValue] {
        var body: [String: JSONValue] = [
            "name": .string(slug.capitalized), "slug": .string(slug), "customerId": .string(customerID), "licenseId": .string(licenseID.lowercased),
        ]
        body.merge(Self.requiredMembers()) { old, _ in old }
        body.merge(extra) { _, new in new }
        let created = try await kaiten.core.json(.post, "/api/instances", token: token, body: body)
        try #require(created.status == .created, "\(created.json ?? [:])")
        return try #require(created.json)
    }

    /// The events of this organization named `name`, oldest first: payload, headers, occurred_at.
    func events(_ name: String) async throws -> [(data: JSONValue, headers: JSONValue?, occurredAt: Date)] {
        try await kaiten.database.all(
            """
            SELECT data::text, headers::text, occurred_at FROM outbox_events
            WHERE organization_id = \(organizationID) AND event_name = \(name) ORDER BY occurred_at, id
            """,
            as: (String, String?, Date).self,
            logger: kaiten.database.logger
        ).map { row in
            (try JSONValue.parse(Array(row.0.utf8)), try row.1.map { try JSONValue.parse(Array($0.utf8)) }, row.2)
        }
    }

    func eventCount(_ name: String) async throws -> Int {
        try await kaiten.count("SELECT count(*)::int FROM outbox_events WHERE organization_id = \(organizationID) AND event_name = \(name)")
    }
}

@Suite struct InstancesTests {
    @Test func anInstanceIsCreatedWithItsDefaultsAndAnnouncedWithItsId() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let before = Date()
            let created = try await kaiten.core.json(
                .post, "/api/instances", token: fixture.token,
                body: ["name": "Production", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased)]
                    .merging(InstancesFixture.requiredMembers()) { old, _ in old }
            )
            #expect(created.status == .created)
            let instance = try #require(created.json)
            let slug = try #require(instance["slug"]?.stringValue)
            #expect(slug.hasPrefix("production-"))
            #expect(instance["status"] == "HEALTHY")
            #expect(instance["description"] == "")
            #expect(instance["metadata"] == .object([:]))
            #expect(instance["customerSlug"] == "acme")
            #expect(instance["licenseSlug"] == "growth")
            #expect(instance["lifecycleStage"] == nil)
            #expect(instance["deploymentZoneId"] == nil)
            let start = try #require(instance["startLicenseDate"]?.stringValue.flatMap(Timestamp.parse))
            let end = try #require(instance["endLicenseDate"]?.stringValue.flatMap(Timestamp.parse))
            #expect(abs(start.timeIntervalSince(before)) < 60)
            #expect(abs(end.timeIntervalSince(start) - 365 * 86_400) < 2 * 86_400)

            let events = try await fixture.events("INSTANCE_CREATED")
            #expect(events.count == 1)
            #expect(events.first?.data["slug"]?.stringValue == slug)
            #expect(events.first?.headers?["instance_id"] == instance["id"])
            #expect(try await fixture.eventCount("INSTANCE_DEPLOYED") == 0)

            let fetched = try await kaiten.core.json(.get, "/api/instances/\(slug)", token: fixture.token)
            #expect(fetched.status == .ok)
            #expect(fetched.json == instance)
        }
    }

    @Test func creatingInAZoneDeploysTheInstance() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let zone = try await fixture.deploymentZone("eu-west")
            let instance = try await fixture.instance(
                "prod", extra: ["deploymentZoneId": .string(zone), "metadata": ["region": "eu"], "startLicenseDate": "2026-01-31T10:30:00Z"]
            )
            #expect(instance["deploymentZoneId"]?.stringValue == zone)
            #expect(instance["deploymentZoneSlug"] == "eu-west")
            #expect(instance["metadata"] == ["region": "eu"])
            #expect(instance["startLicenseDate"] == "2026-01-31T10:30:00.000000Z")
            let deployed = try await fixture.events("INSTANCE_DEPLOYED")
            #expect(deployed.count == 1 && deployed.first?.headers?["instance_id"] == instance["id"])
        }
    }

    @Test func listsPageNewestFirst() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            for slug in ["one", "two", "three"] { _ = try await fixture.instance(slug) }
            let first = try await kaiten.core.json(.get, "/api/instances?limit=2", token: fixture.token)
            #expect(first.json?["items"]?.arrayValue?.compactMap { $0["slug"]?.stringValue } == ["three", "two"])
            #expect(first.json?["hasMore"] == true)
            let cursor = try #require(first.json?["nextCursor"]?.stringValue)
            let second = try await kaiten.core.json(.get, "/api/instances?limit=2&cursor=\(cursor)", token: fixture.token)
            #expect(second.json?["items"]?.arrayValue?.compactMap { $0["slug"]?.stringValue } == ["one"])
            #expect(second.json?["hasMore"] == false)
            #expect(second.json?["nextCursor"] == nil)
            let (_, other) = try await kaiten.organization()
            #expect(try await kaiten.core.json(.get, "/api/instances", token: other).json?["items"] == .array([]))
        }
    }

    @Test func anUpdateReplacesTheInstanceKeepsItsZoneAndRecordsDeploymentsAndMigrations() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let instance = try await fixture.instance("prod", extra: ["description": "old", "metadata": ["a": 1]])
            let id = try #require(instance["id"])
            var body: [String: JSONValue] = [
                "name": "Production", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased),
                "description": "", "startLicenseDate": "2026-01-01T00:00:00Z", "endLicenseDate": "2027-01-01T00:00:00Z", "slug": "production",
            ]
            let renamed = try await kaiten.core.json(.put, "/api/instances/prod", token: fixture.token, body: body)
            #expect(renamed.status == .noContent)
            #expect(try await kaiten.core.json(.get, "/api/instances/prod", token: fixture.token).status == .notFound)
            let replaced = try #require(try await kaiten.core.json(.get, "/api/instances/production", token: fixture.token).json)
            #expect(replaced["id"] == id)
            #expect(replaced["name"] == "Production")
            #expect(replaced["description"] == "", "a full replacement replaces the description")
            #expect(replaced["metadata"] == .object([:]))
            #expect(replaced["endLicenseDate"] == "2027-01-01T00:00:00.000000Z")
            #expect(try await fixture.eventCount("INSTANCE_UPDATED") == 1)

            let zone = try await fixture.deploymentZone("eu-west")
            body["slug"] = nil
            body["deploymentZoneId"] = .string(zone)
            #expect(try await kaiten.core.json(.put, "/api/instances/production", token: fixture.token, body: body).status == .noContent)
            #expect(try await fixture.eventCount("INSTANCE_DEPLOYED") == 1)
            body["deploymentZoneId"] = nil
            #expect(try await kaiten.core.json(.put, "/api/instances/production", token: fixture.token, body: body).status == .noContent)
            let kept = try await kaiten.core.json(.get, "/api/instances/production", token: fixture.token)
            #expect(kept.json?["deploymentZoneId"]?.stringValue == zone, "a left-out zone is kept")
            #expect(try await fixture.eventCount("INSTANCE_DEPLOYED") == 1)
            #expect(try await fixture.eventCount("INSTANCE_MIGRATED") == 0)

            let other = try await fixture.deploymentZone("us-east")
            body["deploymentZoneId"] = .string(other)
            #expect(try await kaiten.core.json(.put, "/api/instances/production", token: fixture.token, body: body).status == .noContent)
            let migrated = try await fixture.events("INSTANCE_MIGRATED")
            #expect(migrated.count == 1)
            #expect(migrated.first?.data["deploymentZoneSlug"] == "us-east")
            #expect(migrated.first?.headers?["instance_id"] == id)
            #expect(try await fixture.eventCount("INSTANCE_UPDATED") == 4)
        }
    }

    @Test func aPatchChangesStatusAndStageAndAnnouncesOnlyChanges() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let instance = try await fixture.instance("prod")
            #expect(
                try await kaiten.core.json(.patch, "/api/instances/prod", token: fixture.token, body: ["status": "INCIDENT"]).status == .noContent)
            let status = try await fixture.events("INSTANCE_STATUS_CHANGED")
            #expect(status.count == 1)
            #expect(
                status.first?.data
                    == .object([
                        "instance_id": instance["id"]!, "previous_status": "HEALTHY", "new_status": "INCIDENT",
                        "changed_by": status.first!.data["changed_by"]!,
                    ])
            )
            #expect(status.first?.headers?["instance_id"] == instance["id"])
            #expect(try await fixture.eventCount("INSTANCE_UPDATED") == 1)

            #expect(
                try await kaiten.core.json(.patch, "/api/instances/prod", token: fixture.token, body: ["status": "INCIDENT"]).status == .noContent)
            #expect(try await kaiten.core.json(.patch, "/api/instances/prod", token: fixture.token, body: [:]).status == .noContent)
            #expect(try await fixture.eventCount("INSTANCE_UPDATED") == 1, "a patch that changes nothing announces nothing")

            #expect(
                try await kaiten.core.json(.patch, "/api/instances/prod", token: fixture.token, body: ["lifecycleStage": "AT_RISK"]).status
                    == .noContent
            )
            let stage = try await fixture.events("INSTANCE_LIFECYCLE_STAGE_CHANGED")
            #expect(stage.first?.data["previous_lifecycle_stage"] == .null)
            #expect(stage.first?.data["new_lifecycle_stage"] == "AT_RISK")
            let patched = try await kaiten.core.json(.get, "/api/instances/prod", token: fixture.token)
            #expect(patched.json?["status"] == "INCIDENT")
            #expect(patched.json?["lifecycleStage"] == "AT_RISK")

            let invalid = try await kaiten.core.json(
                .patch, "/api/instances/prod", token: fixture.token, body: ["status": "BROKEN", "lifecycleStage": ""])
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue } == ["body.lifecycleStage", "body.status"])
            let missing = try await kaiten.core.json(.patch, "/api/instances/nope", token: fixture.token, body: ["status": "HEALTHY"])
            #expect(missing.status == .notFound && missing.json?["code"] == "PatchInstance.NotFound")
        }
    }

    @Test func aDeletionIsPermanentAndAnnouncedWithTheInstanceAsItWas() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let instance = try await fixture.instance("prod")
            #expect(try await kaiten.core.json(.delete, "/api/instances/prod", token: fixture.token).status == .noContent)
            #expect(try await kaiten.core.json(.get, "/api/instances/prod", token: fixture.token).json?["code"] == "GetInstance.NotFound")
            let deleted = try await fixture.events("INSTANCE_DELETED")
            #expect(deleted.first?.data == .object(instance))
            #expect(deleted.first?.headers?["instance_id"] == instance["id"])
            let again = try await kaiten.core.json(.delete, "/api/instances/prod", token: fixture.token)
            #expect(again.status == .notFound && again.json?["code"] == "DeleteInstance.NotFound")
        }
    }

    @Test func referencesThatDoNotResolveInTheOrganizationAreNotFound() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let foreign = try await InstancesFixture.make(kaiten)
            let zone = try await foreign.deploymentZone("theirs")
            let cases: [(String, String, String)] = [
                ("customerId", UUID().lowercased, "CreateInstance.CustomerNotFound"),
                ("customerId", foreign.customerID, "CreateInstance.CustomerNotFound"),
                ("licenseId", foreign.licenseID.lowercased, "CreateInstance.LicenseNotFound"),
                ("deploymentZoneId", zone, "CreateInstance.DeploymentZoneNotFound"),
            ]
            for (field, value, code) in cases {
                var body: [String: JSONValue] = [
                    "name": "Prod", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased),
                ]
                body.merge(InstancesFixture.requiredMembers()) { old, _ in old }
                body[field] = .string(value)
                let refused = try await kaiten.core.json(.post, "/api/instances", token: fixture.token, body: body)
                #expect(refused.status == .notFound, "\(field)")
                #expect(refused.json?["code"]?.stringValue == code)
            }
            #expect(try await kaiten.count("SELECT count(*)::int FROM instance WHERE organization_id = \(fixture.organizationID)") == 0)
            _ = try await foreign.instance("theirs")
            #expect(try await kaiten.core.json(.get, "/api/instances/theirs", token: fixture.token).status == .notFound)
            #expect(try await kaiten.core.json(.delete, "/api/instances/theirs", token: fixture.token).json?["code"] == "DeleteInstance.NotFound")
            // Each operation names its own refusal, not the read's.
            let replaced = try await kaiten.core.json(
                .put, "/api/instances/theirs", token: fixture.token,
                body: ["name": "Mine", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased)]
                    .merging(InstancesFixture.requiredMembers()) { old, _ in old }
            )
            #expect(replaced.status == .notFound && replaced.json?["code"] == "UpdateInstance.NotFound")
            let patched = try await kaiten.core.json(.patch, "/api/instances/theirs", token: fixture.token, body: ["status": "INCIDENT"])
            #expect(patched.status == .notFound && patched.json?["code"] == "PatchInstance.NotFound")
            #expect(try await kaiten.core.json(.get, "/api/instances/theirs", token: fixture.token).json?["code"] == "GetInstance.NotFound")
        }
    }

    @Test func anArchivedLicenseCannotBeAssignedButADraftCan() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let archived = try await fixture.withLicense("legacy", state: "ARCHIVED")
            let draft = try await fixture.withLicense("next", state: "DRAFT")
            let body: [String: JSONValue] = [
                "name": "Prod", "customerId": .string(fixture.customerID), "licenseId": .string(archived.licenseID.lowercased),
            ]
            .merging(InstancesFixture.requiredMembers()) { old, _ in old }
            let refused = try await kaiten.core.json(.post, "/api/instances", token: fixture.token, body: body)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.json?["code"] == "CreateInstance.LicenseArchived")
            _ = try await draft.instance("trial")

            _ = try await fixture.instance("prod")
            var update: [String: JSONValue] = [
                "name": "Prod", "customerId": .string(fixture.customerID), "licenseId": .string(archived.licenseID.lowercased),
                "description": "", "startLicenseDate": "2026-01-01T00:00:00Z", "endLicenseDate": "2027-01-01T00:00:00Z",
            ]
            let moved = try await kaiten.core.json(.put, "/api/instances/prod", token: fixture.token, body: update)
            #expect(moved.status == .unprocessableContent && moved.json?["code"] == "UpdateInstance.LicenseArchived")
            update["licenseId"] = .string(UUID().lowercased)
            let unknown = try await kaiten.core.json(.put, "/api/instances/prod", token: fixture.token, body: update)
            #expect(unknown.status == .notFound && unknown.json?["code"] == "UpdateInstance.LicenseNotFound")
            #expect(try await fixture.eventCount("INSTANCE_UPDATED") == 0)
        }
    }

    @Test func slugsConflictPerOrganization() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            _ = try await fixture.instance("prod")
            _ = try await fixture.instance("staging")
            let body: [String: JSONValue] = [
                "name": "Prod", "slug": "prod", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased),
            ]
            .merging(InstancesFixture.requiredMembers()) { old, _ in old }
            let taken = try await kaiten.core.json(.post, "/api/instances", token: fixture.token, body: body)
            #expect(taken.status == .conflict && taken.json?["code"] == "CreateInstance.SlugConflict")
            let rename: [String: JSONValue] = [
                "name": "Staging", "slug": "prod", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased),
                "description": "", "startLicenseDate": "2026-01-01T00:00:00Z", "endLicenseDate": "2027-01-01T00:00:00Z",
            ]
            let clash = try await kaiten.core.json(.put, "/api/instances/staging", token: fixture.token, body: rename)
            #expect(clash.status == .conflict && clash.json?["code"] == "UpdateInstance.SlugConflict")
            let other = try await InstancesFixture.make(kaiten)
            _ = try await other.instance("prod")
        }
    }

    @Test func bodiesAreClosedAndValidatedBeforeAnythingElse() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let invalid = try await kaiten.core.json(
                .post, "/api/instances", token: fixture.token,
                body: [
                    "name": "", "customerId": "not-a-uuid", "licenseId": .string(fixture.licenseID.lowercased), "status": "HEALTHY",
                    "slug": "Bad Slug",
                ]
            )
            #expect(invalid.status == .unprocessableContent && invalid.json?["code"] == "UNPROCESSABLE")
            #expect(
                invalid.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue }
                    == [
                        "body.customerId", "body.description", "body.endLicenseDate", "body.name", "body.slug", "body.startLicenseDate",
                        "body.status",
                    ]
            )
            _ = try await fixture.instance("prod")
            let withIntegrations = try await kaiten.core.json(
                .put, "/api/instances/prod", token: fixture.token,
                body: [
                    "name": "Prod", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased),
                    "description": "", "startLicenseDate": "2026-01-01T00:00:00Z", "endLicenseDate": "2027-01-01T00:00:00Z",
                    "integrations": ["crm.attio": ["external_id": "rec_1"]],
                ]
            )
            #expect(withIntegrations.status == .unprocessableContent && withIntegrations.json?["code"] == "UpdateInstance.IntegrationsNotSettable")
            let withoutDates = try await kaiten.core.json(
                .put, "/api/instances/prod", token: fixture.token,
                body: ["name": "Prod", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased)]
            )
            #expect(withoutDates.status == .unprocessableContent)
            let withoutDescription = try await kaiten.core.json(
                .put, "/api/instances/prod", token: fixture.token,
                body: [
                    "name": "Prod", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased),
                    "startLicenseDate": "2026-01-01T00:00:00Z", "endLicenseDate": "2027-01-01T00:00:00Z",
                ]
            )
            #expect(withoutDescription.status == .unprocessableContent && withoutDescription.json?["code"] == "UNPROCESSABLE")
            #expect(withoutDescription.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue } == ["body.description"])
            // A license term the API could not give back as sent is refused, with a code of its own.
            var farFuture = InstancesFixture.requiredMembers()
            farFuture["endLicenseDate"] = "9999-12-31T23:59:59.999999Z"
            let unstorable = try await kaiten.core.json(
                .post, "/api/instances", token: fixture.token,
                body: ["name": "Far", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased)]
                    .merging(farFuture) { old, _ in old }
            )
            #expect(unstorable.status == .unprocessableContent && unstorable.json?["code"] == "Request.TimestampOutOfRange")
            #expect(unstorable.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue } == ["body.endLicenseDate"])
            let missing = try await kaiten.core.json(
                .put, "/api/instances/nope", token: fixture.token,
                body: [
                    "name": "Prod", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased),
                    "description": "", "startLicenseDate": "2026-01-01T00:00:00Z", "endLicenseDate": "2027-01-01T00:00:00Z",
                ]
            )
            #expect(missing.status == .notFound && missing.json?["code"] == "UpdateInstance.NotFound")
            let (_, reader) = try await kaiten.organization(scopes: ["read:instances"])
            let forbidden = try await kaiten.core.json(
                .post, "/api/instances", token: reader,
                body: ["name": "Prod", "customerId": .string(fixture.customerID), "licenseId": .string(fixture.licenseID.lowercased)]
                    .merging(InstancesFixture.requiredMembers()) { old, _ in old }
            )
            #expect(forbidden.status == .forbidden && forbidden.json?["code"] == "Auth.MissingScope")
        }
    }
}
