import Foundation
import HTTPTypes
import KaitenCore
import KaitenMetadataFields
import Testing

/// `MetadataValidator`, the port instances and deployment zones validate their metadata through.
@Suite struct MetadataFieldsValidatorTests {
    /// One organization, its fields declared over HTTP, and the validator reading them.
    private struct Organization {
        let kaiten: TestKaiten
        let id: UUID
        let token: String
        let validator: MetadataValidator

        init(_ kaiten: TestKaiten) async throws {
            let (id, token) = try await kaiten.organization()
            self.kaiten = kaiten
            self.id = UUID(uuidString: id)!
            self.token = token
            validator = MetadataValidator(database: kaiten.database)
        }

        @discardableResult
        func declare(_ type: String, _ key: String, _ schema: JSONValue) async throws -> String {
            let created = try await kaiten.core.json(
                .post, "/api/metadata-fields", token: token,
                body: ["resourceType": .string(type), "key": .string(key), "label": .string(key), "jsonSchema": schema]
            )
            return try #require(created.json?["id"]?.stringValue)
        }

        func archive(_ id: String) async throws {
            #expect(try await kaiten.core.json(.post, "/api/metadata-fields/\(id)/archive", token: token).status == .ok)
        }

        func validate(
            _ proposed: [String: JSONValue], current: [String: JSONValue]? = nil, _ type: MetadataResourceType
        ) async throws -> [String: JSONValue] {
            try await validator.validate(proposed, current: current, resourceType: type, organizationID: id, on: kaiten.database.client)
        }

        func refusal(_ proposed: [String: JSONValue], current: [String: JSONValue]? = nil, _ type: MetadataResourceType) async throws -> APIError? {
            do {
                _ = try await validate(proposed, current: current, type)
                return nil
            } catch let error as APIError {
                return error
            }
        }
    }

    @Test func withoutDeclaredFieldsAnythingGoes() async throws {
        try await TestKaiten.run { kaiten in
            let organization = try await Organization(kaiten)
            let anything: [String: JSONValue] = ["free": ["form": [1, true]]]
            for type in MetadataResourceType.allCases {
                #expect(try await organization.validate(anything, type) == anything)
            }
        }
    }

    @Test func zonesAreStrictInstancesTolerantAndEachBadKeyIsReported() async throws {
        try await TestKaiten.run { kaiten in
            let organization = try await Organization(kaiten)
            for type in ["INSTANCE", "DEPLOYMENT_ZONE"] {
                try await organization.declare(type, "region", ["type": "string", "enum": ["eu", "us"]])
                try await organization.declare(type, "since", ["type": "string", "format": "date"])
                try await organization.declare(type, "tags", ["type": "array", "items": ["type": "string"]])
            }
            let valid: [String: JSONValue] = ["region": "eu", "since": "2026-01-31", "tags": ["a"]]
            for type in MetadataResourceType.allCases {
                #expect(try await organization.validate(valid, type) == valid)
            }
            let withUnknown = valid.merging(["reported_by": "agent"]) { $1 }
            #expect(try await organization.refusal(withUnknown, .instance) == nil)
            let strict = try #require(try await organization.refusal(withUnknown, .deploymentZone))
            #expect(strict.status == 422 && strict.code == "MetadataValidation.Failed")
            #expect(strict.errors.map(\.location) == ["body.metadata.reported_by"])

            let bad: [String: JSONValue] = ["region": "apac", "since": "2026-02-30", "tags": ["a", 3]]
            let failed = try #require(try await organization.refusal(bad, .instance))
            #expect(failed.errors.map(\.location) == ["body.metadata.region", "body.metadata.since", "body.metadata.tags"])
            #expect(failed.errors.last?.message == "tags[1]: expected string, got number")
            #expect(failed.errors.last?.value == ["a", 3])
        }
    }

    @Test func archivedKeysAreKeptChangedAsRawOrReinjectedButNeverIntroduced() async throws {
        try await TestKaiten.run { kaiten in
            let organization = try await Organization(kaiten)
            try await organization.declare("DEPLOYMENT_ZONE", "region", ["type": "string"])
            try await organization.archive(try await organization.declare("DEPLOYMENT_ZONE", "legacy", ["type": "integer"]))
            let current: [String: JSONValue] = ["region": "eu", "legacy": 7]

            #expect(try await organization.validate(current, current: current, .deploymentZone) == current)
            let changed: [String: JSONValue] = ["region": "us", "legacy": "no longer an integer"]
            #expect(try await organization.validate(changed, current: current, .deploymentZone) == changed)
            #expect(try await organization.validate(["region": "us"], current: current, .deploymentZone) == ["region": "us", "legacy": 7])

            let introduced = try #require(try await organization.refusal(["region": "eu", "legacy": 1], current: ["region": "eu"], .deploymentZone))
            #expect(introduced.code == "MetadataValidation.ArchivedKeyIntroduced")
            #expect(introduced.errors.map(\.location) == ["body.metadata.legacy"])
            #expect(try await organization.refusal(["legacy": 1], .deploymentZone)?.code == "MetadataValidation.ArchivedKeyIntroduced")

            // Once a new field holds the key, the new field is the contract.
            try await organization.declare("DEPLOYMENT_ZONE", "legacy", ["type": "string"])
            #expect(try await organization.validate(["legacy": "x"], .deploymentZone) == ["legacy": "x"])
            #expect(try await organization.refusal(["legacy": 1], current: current, .deploymentZone)?.code == "MetadataValidation.Failed")
        }
    }

    @Test func anUnchangedPayloadIsNotRevalidated() async throws {
        try await TestKaiten.run { kaiten in
            let organization = try await Organization(kaiten)
            try await organization.declare("INSTANCE", "cores", ["type": "integer", "maximum": 8])
            // Stored before the field was declared: the same metadata sent again still goes through.
            let current: [String: JSONValue] = ["cores": 64.0]
            #expect(try await organization.validate(["cores": 64], current: current, .instance) == ["cores": 64])
            let refused = try await organization.refusal(["cores": 65], current: current, .instance)
            #expect(refused?.errors.first?.message == "expected number <= 8")
        }
    }
}
