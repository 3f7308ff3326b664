import Foundation
import HTTPTypes
import KaitenCore
import KaitenMetadataFields
import PostgresNIO
import Testing

/// The seven metadata-field operations over HTTP, with their events.
@Suite struct MetadataFieldsTests {
    private static let region: [String: JSONValue] = [
        "resourceType": "INSTANCE", "key": "region", "label": "Region", "jsonSchema": ["type": "string", "enum": ["eu", "us"]],
    ]

    private func create(_ kaiten: TestKaiten, token: String, _ body: [String: JSONValue]) async throws -> [String: JSONValue] {
        let created = try await kaiten.core.json(.post, "/api/metadata-fields", token: token, body: body)
        #expect(created.status == .created, "\(created.value?.jsonText ?? "")")
        return try #require(created.json)
    }

    private func field(_ type: String, _ key: String, _ schema: JSONValue = ["type": "string"]) -> [String: JSONValue] {
        ["resourceType": .string(type), "key": .string(key), "label": .string(key.capitalized), "jsonSchema": schema]
    }

    private func events(_ kaiten: TestKaiten, _ organization: String) async throws -> [(String, JSONValue)] {
        try await kaiten.database.all(
            """
            SELECT event_name, data::text FROM outbox_events
            WHERE organization_id = \(UUID(uuidString: organization)!) AND event_name LIKE 'METADATA_FIELD_%'
            ORDER BY occurred_at
            """,
            as: (String, String).self,
            logger: kaiten.database.logger
        ).map { ($0.0, try JSONValue.parse(Array($0.1.utf8))) }
    }

    @Test func createReturnsTheFieldAndRecordsItsEvent() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let created = try await create(kaiten, token: token, Self.region)
            #expect(created["resourceType"] == "INSTANCE" && created["key"] == "region" && created["label"] == "Region")
            #expect(created["jsonSchema"] == ["type": "string", "enum": ["eu", "us"]])
            #expect(created["displayOrder"] == 0)
            #expect(created["archivedAt"] == nil)
            #expect(created["createdBy"]?["id"] == .string(DeterministicIdentifiers.systemUserID.lowercased))
            #expect(UUID(uuidString: created["id"]?.stringValue ?? "") != nil)
            let recorded = try await events(kaiten, organization)
            #expect(recorded.map(\.0) == ["METADATA_FIELD_CREATED"])
            #expect(recorded.first?.1 == .object(created))
        }
    }

    @Test func anActiveKeyIsUniquePerResourceType() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            _ = try await create(kaiten, token: token, Self.region)
            let duplicate = try await kaiten.core.json(.post, "/api/metadata-fields", token: token, body: Self.region)
            #expect(duplicate.status == .conflict && duplicate.json?["code"] == "CreateMetadataField.KeyConflict")
            _ = try await create(kaiten, token: token, field("DEPLOYMENT_ZONE", "region"))
            let (_, otherToken) = try await kaiten.organization()
            _ = try await create(kaiten, token: otherToken, Self.region)
            #expect(try await events(kaiten, organization).map(\.0) == ["METADATA_FIELD_CREATED", "METADATA_FIELD_CREATED"])
        }
    }

    @Test func invalidSchemasAndBodiesAre422() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            var body = Self.region
            body["jsonSchema"] = ["type": "strng", "maxLength": -2]
            let invalid = try await kaiten.core.json(.post, "/api/metadata-fields", token: token, body: body)
            #expect(invalid.status == .unprocessableContent && invalid.json?["code"] == "MetadataField.SchemaShape.Invalid")
            #expect(
                invalid.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue } == [
                    "body.jsonSchema.maxLength", "body.jsonSchema.type",
                ])
            body["jsonSchema"] = ["type": "array"]
            let unconstrained = try await kaiten.core.json(.post, "/api/metadata-fields", token: token, body: body)
            #expect(unconstrained.status == .unprocessableContent && unconstrained.json?["code"] == "MetadataField.SchemaShape.ArrayMissingItems")
            let malformed = try await kaiten.core.json(
                .post, "/api/metadata-fields", token: token,
                body: ["resourceType": "ORGANIZATION", "key": "", "label": "x", "jsonSchema": "string", "color": "red"]
            )
            #expect(malformed.status == .unprocessableContent && malformed.json?["code"] == "UNPROCESSABLE")
            #expect(
                malformed.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue }
                    == ["body.color", "body.jsonSchema", "body.key", "body.resourceType"]
            )
            #expect(try await events(kaiten, organization).isEmpty)
        }
    }

    @Test func writesNeedTheWriteScopeAndListsTheReadScope() async throws {
        try await TestKaiten.run { kaiten in
            let (_, admin) = try await kaiten.organization()
            let created = try await create(kaiten, token: admin, Self.region)
            let id = created["id"]!.stringValue!
            let reader = try await kaiten.organization(scopes: ["read:metadata_fields"])
            let (_, outsider) = try await kaiten.organization(scopes: ["read:customers"])
            #expect(
                try await kaiten.core.json(.get, "/api/metadata-fields?resourceType=INSTANCE", token: outsider).json?["code"] == "Auth.MissingScope")
            let refused = try await kaiten.core.json(.post, "/api/metadata-fields", token: reader.token, body: Self.region)
            #expect(refused.status == .forbidden && refused.json?["detail"] == "missing required scope: write:metadata_fields")
            #expect(
                try await kaiten.core.json(.post, "/api/metadata-fields/\(id)/dry-run", token: reader.token, body: ["jsonSchema": [:]]).status
                    == .forbidden)
            #expect(try await kaiten.core.json(.get, "/api/metadata-fields?resourceType=INSTANCE", token: reader.token).status == .ok)
        }
    }

    @Test func listIsInDisplayOrderAndPagesWithItsOwnCursor() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            var ids: [String] = []
            for (index, key) in ["a", "b", "c", "d", "e"].enumerated() {
                var body = field("INSTANCE", key)
                body["displayOrder"] = .integer(Int64([3, 1, 1, 0, 2][index]))
                ids.append(try await create(kaiten, token: token, body)["id"]!.stringValue!)
            }
            _ = try await create(kaiten, token: token, field("DEPLOYMENT_ZONE", "zone-only"))
            var keys: [String] = []
            var cursor: String?
            repeat {
                let page = try await kaiten.core.json(
                    .get, "/api/metadata-fields?resourceType=INSTANCE&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
                #expect(page.status == .ok)
                keys += page.json?["items"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? []
                cursor = page.json?["nextCursor"]?.stringValue
                #expect((page.json?["hasMore"] == true) == (cursor != nil))
            } while cursor != nil
            // Equal display orders keep their creation order.
            #expect(keys == ["d", "b", "c", "e", "a"])

            let missing = try await kaiten.core.json(.get, "/api/metadata-fields", token: token)
            #expect(missing.status == .unprocessableContent && missing.json?["errors"]?.arrayValue?.first?["location"] == "query.resourceType")
            let unknown = try await kaiten.core.json(.get, "/api/metadata-fields?resourceType=CUSTOMER&limit=0", token: token)
            #expect(unknown.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue } == ["query.limit", "query.resourceType"])
            let foreign = try await kaiten.core.json(.get, "/api/metadata-fields?resourceType=INSTANCE&cursor=bm90LWEtY3Vyc29y", token: token)
            #expect(foreign.status == .badRequest && foreign.json?["code"] == "MetadataFields.InvalidCursor")

            _ = try await kaiten.core.json(.post, "/api/metadata-fields/\(ids[3])/archive", token: token)
            let active = try await kaiten.core.json(.get, "/api/metadata-fields?resourceType=INSTANCE", token: token)
            #expect(active.json?["items"]?.arrayValue?.compactMap { $0["key"]?.stringValue } == ["b", "c", "e", "a"])
            let all = try await kaiten.core.json(.get, "/api/metadata-fields?resourceType=INSTANCE&includeArchived=true", token: token)
            #expect(all.json?["items"]?.arrayValue?.count == 5)

            let (_, stranger) = try await kaiten.organization()
            let theirs = try await kaiten.core.json(.get, "/api/metadata-fields?resourceType=INSTANCE", token: stranger)
            #expect(theirs.json?["items"]?.arrayValue?.isEmpty == true && theirs.json?["hasMore"] == false)
        }
    }

    @Test func updateChangesLabelAndSchemaWithinTheAllowedTransitions() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let created = try await create(kaiten, token: token, Self.region)
            let id = created["id"]!.stringValue!
            var body = Self.region
            body["label"] = "Hosting region"
            body["jsonSchema"] = ["type": "string", "enum": ["eu", "us", "apac"]]
            let updated = try await kaiten.core.json(.patch, "/api/metadata-fields/\(id)", token: token, body: body)
            #expect(updated.status == .ok)
            #expect(updated.json?["label"] == "Hosting region" && updated.json?["jsonSchema"]?["enum"] == ["eu", "us", "apac"])
            #expect(updated.json?["createdAt"] == created["createdAt"])

            let refusals: [([String: JSONValue], String)] = [
                (["jsonSchema": ["type": "number"]], "SchemaTransition.TypeChanged"),
                (["jsonSchema": ["type": "string"]], "SchemaTransition.EnumWrapToggled"),
                (["jsonSchema": ["type": "array", "items": ["type": "string"]]], "SchemaTransition.TypeChanged"),
                (["key": "zone"], "UpdateMetadataField.KeyImmutable"),
                (["resourceType": "DEPLOYMENT_ZONE"], "UpdateMetadataField.ResourceTypeImmutable"),
                (["displayOrder": 4], "UpdateMetadataField.DisplayOrderNotSettable"),
                (["jsonSchema": ["type": "string", "minLength": "one"]], "MetadataField.SchemaShape.Invalid"),
            ]
            for (change, code) in refusals {
                let refused = try await kaiten.core.json(.patch, "/api/metadata-fields/\(id)", token: token, body: body.merging(change) { $1 })
                #expect(refused.status == .unprocessableContent && refused.json?["code"] == .string(code), "\(change)")
            }
            let (_, stranger) = try await kaiten.organization()
            let foreign = try await kaiten.core.json(.patch, "/api/metadata-fields/\(id)", token: stranger, body: body)
            #expect(foreign.status == .notFound && foreign.json?["code"] == "UpdateMetadataField.NotFound")
            let notAnID = try await kaiten.core.json(.patch, "/api/metadata-fields/region", token: token, body: body)
            #expect(notAnID.status == .unprocessableContent && notAnID.json?["errors"]?.arrayValue?.first?["location"] == "path.id")

            _ = try await kaiten.core.json(.post, "/api/metadata-fields/\(id)/archive", token: token)
            let archived = try await kaiten.core.json(.patch, "/api/metadata-fields/\(id)", token: token, body: body)
            #expect(archived.status == .unprocessableContent && archived.json?["code"] == "UpdateMetadataField.Archived")
            let names = try await events(kaiten, organization).map(\.0)
            #expect(names == ["METADATA_FIELD_CREATED", "METADATA_FIELD_UPDATED", "METADATA_FIELD_ARCHIVED"])
        }
    }

    @Test func archiveFreesTheKeyAndUnarchiveRefusesToTakeItBack() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let first = try await create(kaiten, token: token, Self.region)["id"]!.stringValue!
            let archived = try await kaiten.core.json(.post, "/api/metadata-fields/\(first)/archive", token: token)
            #expect(archived.status == .ok && archived.json?["archivedAt"]?.stringValue != nil)
            let again = try await kaiten.core.json(.post, "/api/metadata-fields/\(first)/archive", token: token)
            #expect(again.status == .notFound && again.json?["code"] == "ArchiveMetadataField.NotFound")

            let second = try await create(kaiten, token: token, Self.region)["id"]!.stringValue!
            let taken = try await kaiten.core.json(.post, "/api/metadata-fields/\(first)/unarchive", token: token)
            #expect(taken.status == .conflict && taken.json?["code"] == "UnarchiveMetadataField.KeyConflict")
            let notArchived = try await kaiten.core.json(.post, "/api/metadata-fields/\(second)/unarchive", token: token)
            #expect(notArchived.status == .notFound && notArchived.json?["code"] == "UnarchiveMetadataField.NotFound")

            _ = try await kaiten.core.json(.post, "/api/metadata-fields/\(second)/archive", token: token)
            let restored = try await kaiten.core.json(.post, "/api/metadata-fields/\(first)/unarchive", token: token)
            #expect(restored.status == .ok && restored.json?["archivedAt"] == nil && restored.json?["id"] == .string(first))

            let (_, stranger) = try await kaiten.organization()
            #expect(try await kaiten.core.json(.post, "/api/metadata-fields/\(first)/archive", token: stranger).status == .notFound)
            let names = try await events(kaiten, organization).map(\.0)
            #expect(
                names == [
                    "METADATA_FIELD_CREATED", "METADATA_FIELD_ARCHIVED", "METADATA_FIELD_CREATED", "METADATA_FIELD_ARCHIVED",
                    "METADATA_FIELD_UNARCHIVED",
                ]
            )
        }
    }

    @Test func reorderSetsDisplayOrderToTheIndex() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            var ids: [String] = []
            for key in ["a", "b", "c"] {
                ids.append(try await create(kaiten, token: token, field("INSTANCE", key))["id"]!.stringValue!)
            }
            let reordered = try await kaiten.core.json(
                .post, "/api/metadata-fields/reorder", token: token, body: ["ids": [.string(ids[2]), .string(ids[0])]])
            #expect(reordered.status == .noContent)
            let list = try await kaiten.core.json(.get, "/api/metadata-fields?resourceType=INSTANCE", token: token)
            let items = list.json?["items"]?.arrayValue ?? []
            // b keeps 0 and was created before c.
            #expect(items.compactMap { $0["key"]?.stringValue } == ["b", "c", "a"])
            #expect(items.compactMap { $0["displayOrder"] } == [0, 0, 1])
            let recorded = try await events(kaiten, organization)
            #expect(recorded.last?.0 == "METADATA_FIELD_REORDERED")
            #expect(recorded.last?.1 == ["ids": [.string(ids[2]), .string(ids[0])]])

            let zone = try await create(kaiten, token: token, field("DEPLOYMENT_ZONE", "tier"))["id"]!.stringValue!
            let mixed = try await kaiten.core.json(
                .post, "/api/metadata-fields/reorder", token: token, body: ["ids": [.string(ids[0]), .string(zone)]])
            #expect(mixed.status == .unprocessableContent && mixed.json?["code"] == "ReorderMetadataFields.MixedResourceTypes")
            let duplicate = try await kaiten.core.json(
                .post, "/api/metadata-fields/reorder", token: token, body: ["ids": [.string(ids[0]), .string(ids[0])]])
            #expect(duplicate.json?["code"] == "ReorderMetadataFields.DuplicateID")
            let unknown = try await kaiten.core.json(.post, "/api/metadata-fields/reorder", token: token, body: ["ids": [.string(UUID().uuidString)]])
            #expect(unknown.status == .notFound && unknown.json?["code"] == "ReorderMetadataFields.UnknownID")
            let (_, stranger) = try await kaiten.organization()
            let foreign = try await kaiten.core.json(.post, "/api/metadata-fields/reorder", token: stranger, body: ["ids": [.string(ids[0])]])
            #expect(foreign.status == .notFound)
            let malformed = try await kaiten.core.json(.post, "/api/metadata-fields/reorder", token: token, body: ["ids": ["a", 3]])
            #expect(malformed.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue } == ["body.ids[1]"])
            // `reorder` is not an id: the literal route wins for POST, and other methods never reach a use case.
            let patched = try await kaiten.core.json(.patch, "/api/metadata-fields/reorder", token: token, body: ["ids": [.string(ids[0])]])
            #expect(patched.status.code < 500 && patched.status != .ok)
            let empty = try await kaiten.core.json(.post, "/api/metadata-fields/reorder", token: token, body: ["ids": .null])
            #expect(empty.status == .unprocessableContent && empty.json?["errors"]?.arrayValue?.first?["location"] == "body.ids")
            #expect(try await events(kaiten, organization).filter { $0.0 == "METADATA_FIELD_REORDERED" }.count == 1)
        }
    }

    @Test func dryRunCountsTheResourcesACandidateSchemaWouldBreak() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let organizationID = UUID(uuidString: organization)!
            let region = try await create(kaiten, token: token, field("INSTANCE", "region", ["type": "string"]))["id"]!.stringValue!
            let values: [JSONValue] = ["eu", "us", "apac", "latam", "mena", "africa", "oceania", 42]
            try await seedInstances(kaiten, organizationID: organizationID, metadata: values.map { ["region": $0] } + [["other": "x"], [:]])
            let (stranger, _) = try await kaiten.organization()
            try await seedInstances(kaiten, organizationID: UUID(uuidString: stranger)!, metadata: [["region": "apac"]])

            let impact = try await kaiten.core.json(
                .post, "/api/metadata-fields/\(region)/dry-run", token: token, body: ["jsonSchema": ["type": "string", "enum": ["eu", "us"]]]
            )
            #expect(impact.status == .ok)
            #expect(impact.json?["count"] == 6)
            let samples = impact.json?["samples"]?.arrayValue ?? []
            #expect(samples.count == 5)
            #expect(samples.first == ["name": "Instance 8", "slug": "instance-8"])
            let none = try await kaiten.core.json(.post, "/api/metadata-fields/\(region)/dry-run", token: token, body: ["jsonSchema": [:]])
            #expect(none.json == ["count": 0, "samples": []])

            try await kaiten.database.client.query(
                """
                INSERT INTO deployment_zone (organization_id, name, slug, type, metadata)
                VALUES (\(organizationID), 'Paris', 'paris', 'k8s', '{"tier": "gold"}'), (\(organizationID), 'Lyon', 'lyon', 'k8s', '{"tier": 3}')
                """,
                logger: kaiten.database.logger
            )
            let tier = try await create(kaiten, token: token, field("DEPLOYMENT_ZONE", "tier"))["id"]!.stringValue!
            let zones = try await kaiten.core.json(
                .post, "/api/metadata-fields/\(tier)/dry-run", token: token, body: ["jsonSchema": ["type": "string"]])
            #expect(zones.json == ["count": 1, "samples": [["name": "Lyon", "slug": "lyon"]]])

            let invalid = try await kaiten.core.json(.post, "/api/metadata-fields/\(region)/dry-run", token: token, body: ["jsonSchema": ["type": 1]])
            #expect(invalid.status == .unprocessableContent && invalid.json?["code"] == "MetadataField.SchemaShape.Invalid")
            let missing = try await kaiten.core.json(
                .post, "/api/metadata-fields/\(UUID().uuidString)/dry-run", token: token, body: ["jsonSchema": [:]])
            #expect(missing.status == .notFound && missing.json?["code"] == "DryRunMetadataField.NotFound")
            #expect(try await events(kaiten, organization).map(\.0) == ["METADATA_FIELD_CREATED", "METADATA_FIELD_CREATED"])
        }
    }

    /// Instances named `Instance 1…n` (newest last) with the given metadata, on a customer and license of
    /// their own: written in SQL, independently of the instances module.
    private func seedInstances(_ kaiten: TestKaiten, organizationID: UUID, metadata: [[String: JSONValue]]) async throws {
        let logger = kaiten.database.logger
        let client = kaiten.database.client
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let customer = try await client.first(
            "INSERT INTO customer (organization_id, name, slug) VALUES (\(organizationID), 'Acme', \("acme-\(suffix)")) RETURNING id",
            as: UUID.self, logger: logger
        )!
        let family = try await client.first(
            "INSERT INTO license_family (organization_id, slug) VALUES (\(organizationID), \("pro-\(suffix)")) RETURNING id",
            as: UUID.self, logger: logger
        )!
        let license = try await client.first(
            """
            INSERT INTO license (organization_id, family_id, name, slug, type, version, version_name)
            VALUES (\(organizationID), \(family), 'Pro', \("pro-\(suffix)-v1"), 'PAID', 1, 'v1') RETURNING id
            """,
            as: UUID.self, logger: logger
        )!
        for (index, values) in metadata.enumerated() {
            try await client.query(
                """
                INSERT INTO instance (organization_id, name, slug, customer_id, license_id, metadata, created_at)
                VALUES (\(organizationID), \("Instance \(index + 1)"), \("instance-\(index + 1)"), \(customer), \(license),
                        \(JSONValue.object(values).jsonText)::jsonb, now() + \(index) * interval '1 second')
                """,
                logger: logger
            )
        }
    }
}
