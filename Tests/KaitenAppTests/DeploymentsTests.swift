import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import Testing

/// Components, releases and deployment zones over HTTP, and the events each write leaves in the outbox.
@Suite struct DeploymentsTests {
    /// Creates through the API and returns the created JSON, requiring a 201.
    private func create(_ path: String, _ body: [String: JSONValue], in fixture: InstancesFixture) async throws -> [String: JSONValue] {
        let created = try await fixture.kaiten.core.json(.post, "/api/\(path)", token: fixture.token, body: body)
        try #require(created.status == .created, "\(created.json ?? [:])")
        return try #require(created.json)
    }

    /// How many outbox rows the organization has, whatever their event.
    private func outboxCount(_ fixture: InstancesFixture) async throws -> Int {
        try await fixture.kaiten.count("SELECT count(*)::int FROM outbox_events WHERE organization_id = \(fixture.organizationID)")
    }

    @Test func aComponentNoReleaseHoldsIsChangedInPlace() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let created = try await create("components", ["name": "API Gateway", "version": "v1.2.3", "description": "edge"], in: fixture)
            let slug = try #require(created["slug"]?.stringValue)
            #expect(slug.hasPrefix("api-gateway-v1-2-3-"))
            #expect(created["previousComponentId"] == nil)
            #expect(try await kaiten.core.json(.get, "/api/components/\(slug)", token: fixture.token).json == created)

            let updated = try await kaiten.core.json(
                .put, "/api/components/\(slug)", token: fixture.token, body: ["name": "API Gateway", "version": "v1.2.4"])
            #expect(updated.status == .ok)
            #expect(updated.json?["id"] == created["id"])
            #expect(updated.json?["slug"]?.stringValue == slug, "a left-out slug is kept")
            #expect(updated.json?["description"] == "edge", "a left-out description is kept")
            #expect(updated.json?["version"] == "v1.2.4")
            #expect(try await fixture.events("COMPONENT_UPDATED").map(\.data) == [.object(try #require(updated.json))])

            let page = try await kaiten.core.json(.get, "/api/components", token: fixture.token)
            #expect(page.json?["items"]?.arrayValue?.count == 1)
            #expect(page.json?["hasMore"] == false && page.json?["nextCursor"] == nil)

            #expect(try await kaiten.core.json(.delete, "/api/components/\(slug)", token: fixture.token).status == .noContent)
            let gone = try await kaiten.core.json(.get, "/api/components/\(slug)", token: fixture.token)
            #expect(gone.status == .notFound && gone.json?["code"] == "Component.NotFound")
            #expect(try await fixture.events("COMPONENT_DELETED").first?.data == .object(try #require(updated.json)))
            #expect(try await fixture.eventCount("COMPONENT_CREATED") == 1)
        }
    }

    @Test func aComponentAReleaseHoldsIsVersionedNotEditedAndCannotBeDeleted() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let held = try await create("components", ["name": "api", "version": "1.0", "slug": "api-1-0"], in: fixture)
            let heldID = try #require(held["id"])
            let release = try await create("releases", ["version": "2026.1", "componentIds": .array([heldID, heldID])], in: fixture)
            #expect(release["components"] == [.object(held)], "repeated ids count once")

            let before = try await outboxCount(fixture)
            let unchanged = try await kaiten.core.json(
                .put, "/api/components/api-1-0", token: fixture.token, body: ["name": "api", "version": "1.0"])
            #expect(unchanged.status == .badRequest && unchanged.json?["code"] == "UpdateComponent.LinkedComponentRequiresNewVersion")
            let deleted = try await kaiten.core.json(.delete, "/api/components/api-1-0", token: fixture.token)
            #expect(deleted.status == .conflict && deleted.json?["code"] == "DeleteComponent.LinkedComponentConflict")
            #expect(try await outboxCount(fixture) == before)

            let versioned = try await kaiten.core.json(
                .put, "/api/components/api-1-0", token: fixture.token, body: ["name": "api", "version": "1.1"])
            #expect(versioned.status == .ok)
            let next = try #require(versioned.json)
            #expect(next["id"] != heldID)
            #expect(next["previousComponentId"] == heldID)
            #expect(next["slug"]?.stringValue?.hasPrefix("api-1-1-") == true)
            #expect(try await kaiten.core.json(.get, "/api/components/api-1-0", token: fixture.token).json == held, "the held version is untouched")
            #expect(try await kaiten.core.json(.get, "/api/releases/\(release["slug"]!.stringValue!)", token: fixture.token).json == release)
            #expect(try await fixture.events("COMPONENT_UPDATED").map(\.data) == [.object(next)])

            let refused = try await kaiten.core.json(
                .put, "/api/components/api-1-0", token: fixture.token, body: ["name": "api", "version": "1.2", "previousComponentId": heldID])
            #expect(refused.status == .unprocessableContent && refused.json?["code"] == "UpdateComponent.PreviousComponentNotSettable")
            let duplicate = try await kaiten.core.json(.post, "/api/components", token: fixture.token, body: ["name": "api", "version": "1.1"])
            #expect(duplicate.status == .conflict && duplicate.json?["code"] == "Component.NameVersionConflict")
        }
    }

    @Test func releasesAreCreatedWhole() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let bare = try await create("releases", ["version": "v1.0.0"], in: fixture)
            #expect(bare["slug"]?.stringValue?.hasPrefix("v1-0-0-") == true)
            #expect(bare["components"] == nil)
            #expect(try await fixture.events("RELEASE_CREATED").map(\.data) == [.object(bare)])

            let before = try await outboxCount(fixture)
            let missing = UUID().lowercased
            let unknown = try await kaiten.core.json(
                .post, "/api/releases", token: fixture.token, body: ["version": "v2", "componentIds": .array([.string(missing)])])
            #expect(unknown.status == .notFound && unknown.json?["code"] == "Component.NotFound")
            let duplicate = try await kaiten.core.json(.post, "/api/releases", token: fixture.token, body: ["version": "v1.0.0"])
            #expect(duplicate.status == .conflict && duplicate.json?["code"] == "CreateRelease.VersionConflict")
            let notAnID = try await kaiten.core.json(
                .post, "/api/releases", token: fixture.token, body: ["version": "v3", "componentIds": ["nope"]])
            #expect(notAnID.status == .unprocessableContent && notAnID.json?["code"] == "UNPROCESSABLE")
            #expect(try await outboxCount(fixture) == before)
            #expect(try await kaiten.count("SELECT count(*)::int FROM release WHERE organization_id = \(fixture.organizationID)") == 1)

            let (_, other) = try await kaiten.organization()
            let hidden = try await kaiten.core.json(.get, "/api/releases/\(bare["slug"]!.stringValue!)", token: other)
            #expect(hidden.status == .notFound && hidden.json?["code"] == "Release.NotFound")
        }
    }

    @Test func everyReleaseChangeOfAZoneIsADeploymentRollbacksIncluded() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let first = try #require(try await create("releases", ["version": "1"], in: fixture)["id"])
            let second = try #require(try await create("releases", ["version": "2"], in: fixture)["id"])
            let zone = try await create(
                "deployment-zones", ["name": "EU West", "type": "production", "description": "", "releaseId": first], in: fixture)
            #expect(zone["slug"]?.stringValue?.hasPrefix("eu-west-") == true)
            #expect(zone["releaseId"] == first)
            #expect(zone["metadata"] == .object([:]))
            let slug = try #require(zone["slug"]?.stringValue)

            func put(_ releaseID: JSONValue?) async throws {
                var body: [String: JSONValue] = ["name": "EU West", "type": "production", "description": "primary"]
                body["releaseId"] = releaseID
                let answer = try await kaiten.core.json(.put, "/api/deployment-zones/\(slug)", token: fixture.token, body: body)
                #expect(answer.status == .noContent, "\(answer.json ?? [:])")
            }
            try await put(second)
            try await put(second)
            try await put(nil)
            try await put(first)

            let deployed = try await fixture.events("RELEASE_DEPLOYED").map(\.data)
            #expect(deployed.map { $0["releaseId"] } == [first, second, first])
            #expect(deployed.allSatisfy { $0["deploymentZoneId"] == zone["id"] })
            #expect(try await fixture.eventCount("DEPLOYMENT_ZONE_UPDATED") == 4)
            let current = try #require(try await kaiten.core.json(.get, "/api/deployment-zones/\(slug)", token: fixture.token).json)
            #expect(current["releaseId"] == first)
            #expect(current["description"] == "primary")
            #expect(try await fixture.events("DEPLOYMENT_ZONE_UPDATED").last?.data == .object(current))

            let secondSlug = try #require(try await fixture.events("RELEASE_CREATED")[1].data["slug"]?.stringValue)
            let before = try await outboxCount(fixture)
            let refused = try await kaiten.core.json(.delete, "/api/releases/\(secondSlug)", token: fixture.token)
            #expect(refused.status == .conflict && refused.json?["code"] == "DeleteRelease.InUseConflict")
            #expect(try await outboxCount(fixture) == before)

            let unknown = try await kaiten.core.json(
                .put, "/api/deployment-zones/\(slug)", token: fixture.token,
                body: ["name": "EU West", "type": "production", "description": "", "releaseId": .string(UUID().lowercased)])
            #expect(unknown.status == .notFound && unknown.json?["code"] == "CreateDeployment.ReleaseNotFound")
            let renamed = try await kaiten.core.json(
                .put, "/api/deployment-zones/\(slug)", token: fixture.token,
                body: ["name": "EU West", "type": "production", "description": "", "slug": "elsewhere"])
            #expect(renamed.status == .unprocessableContent && renamed.json?["code"] == "UpdateDeploymentZone.SlugNotRenameable")
            #expect(try await outboxCount(fixture) == before)
        }
    }

    @Test func instancesShowTheirZoneUntilItIsDeleted() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let release = try await create("releases", ["version": "1", "slug": "one"], in: fixture)
            let zone = try await create(
                "deployment-zones",
                ["name": "US", "type": "staging", "description": "", "slug": "us", "releaseId": try #require(release["id"])],
                in: fixture
            )
            let instance = try await fixture.instance("prod", extra: ["deploymentZoneId": try #require(zone["id"])])
            #expect(instance["deploymentZoneSlug"] == "us")

            #expect(try await kaiten.core.json(.delete, "/api/deployment-zones/us", token: fixture.token).status == .noContent)
            #expect(try await fixture.events("DEPLOYMENT_ZONE_DELETED").first?.data == .object(zone))
            let moved = try await kaiten.core.json(.get, "/api/instances/prod", token: fixture.token)
            #expect(moved.json?["deploymentZoneId"] == nil && moved.json?["deploymentZoneSlug"] == nil)
            // With the zone, its deployment log went; nothing holds the release any more.
            #expect(try await kaiten.core.json(.delete, "/api/releases/one", token: fixture.token).status == .noContent)
            #expect(try await fixture.events("RELEASE_DELETED").first?.data == .object(release))
        }
    }

    @Test func zoneMetadataIsStrictlyValidated() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await InstancesFixture.make(kaiten)
            let declared = try await kaiten.core.json(
                .post, "/api/metadata-fields", token: fixture.token,
                body: [
                    "resourceType": "DEPLOYMENT_ZONE", "key": "region", "label": "Region", "jsonSchema": ["type": "string", "enum": ["eu", "us"]],
                ]
            )
            #expect(declared.status == .created)
            let before = try await outboxCount(fixture)
            for metadata: JSONValue in [["region": "mars"], ["region": "eu", "owner": "ops"]] {
                let refused = try await kaiten.core.json(
                    .post, "/api/deployment-zones", token: fixture.token,
                    body: ["name": "Z", "type": "production", "description": "", "metadata": metadata])
                #expect(refused.status == .unprocessableContent && refused.json?["code"] == "MetadataValidation.Failed")
            }
            #expect(try await outboxCount(fixture) == before)
            #expect(try await kaiten.count("SELECT count(*)::int FROM deployment_zone WHERE organization_id = \(fixture.organizationID)") == 0)

            let zone = try await create(
                "deployment-zones", ["name": "Z", "type": "production", "description": "", "slug": "zone", "metadata": ["region": "eu"]], in: fixture)
            #expect(zone["metadata"] == ["region": "eu"])
            let replaced = try await kaiten.core.json(
                .put, "/api/deployment-zones/zone", token: fixture.token,
                body: ["name": "Z", "type": "production", "description": "", "metadata": ["region": "antarctica"]])
            #expect(replaced.status == .unprocessableContent && replaced.json?["code"] == "MetadataValidation.Failed")
            #expect(try await kaiten.core.json(.get, "/api/deployment-zones/zone", token: fixture.token).json?["metadata"] == ["region": "eu"])
        }
    }

    @Test func eachResourceNeedsItsOwnScope() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization(scopes: ["write:components", "read:deployment_zones"])
            #expect(try await kaiten.core.json(.post, "/api/components", token: token, body: ["name": "a", "version": "1"]).status == .created)
            let release = try await kaiten.core.json(.post, "/api/releases", token: token, body: ["version": "1"])
            #expect(release.status == .forbidden && release.json?["code"] == "Auth.MissingScope")
            #expect(try await kaiten.core.json(.get, "/api/deployment-zones", token: token).status == .ok)
            let zone = try await kaiten.core.json(
                .post, "/api/deployment-zones", token: token, body: ["name": "Z", "type": "production", "description": ""])
            #expect(zone.status == .forbidden)
        }
    }
}
