import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import Testing

@Suite struct FeatureFlagsTests {
    static func flag(_ overrides: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var body: [String: JSONValue] = [
            "name": "New checkout",
            "type": "boolean",
            "description": .null,
            "variants": [["name": "on", "description": "", "value": true], ["name": "off", "description": "", "value": false]],
            "default_variant": ["type": "basic", "value": "off"],
            "targetings": [
                ["type": "rollout_percentage", "name": "pro split", "rule": "user.plan == 'pro'", "distribution": ["on": 30, "off": 70]]
            ],
            "metadata": ["fallback_value": false],
            "enabled": true,
            "event_name": "",
        ]
        for (key, value) in overrides { body[key] = value }
        return body
    }

    @Test func aFlagIsCreatedReadReplacedAndDeletedWithItsEvents() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            let created = try await kaiten.core.json(.post, "/api/feature-flags", token: token, body: Self.flag())
            #expect(created.status == .created)
            let slug = try #require(created.json?["slug"]?.stringValue)
            #expect(slug.hasPrefix("new-checkout-"))
            #expect(created.json?["default_variant"] == ["type": "basic", "value": "off"])
            #expect(created.json?["description"] == .null)

            let listed = try await kaiten.core.json(.get, "/api/feature-flags", token: token)
            #expect(listed.json?["items"]?.arrayValue?.count == 1)

            let replaced = try await kaiten.core.json(.put, "/api/feature-flags/\(slug)", token: token, body: Self.flag(["enabled": false]))
            #expect(replaced.status == .noContent)
            let read = try await kaiten.core.json(.get, "/api/feature-flags/\(slug)", token: token)
            #expect(read.json?["enabled"] == false)

            let deleted = try await kaiten.core.json(.delete, "/api/feature-flags/\(slug)", token: token)
            #expect(deleted.status == .noContent)
            let gone = try await kaiten.core.json(.get, "/api/feature-flags/\(slug)", token: token)
            #expect(gone.status == .notFound && gone.json?["code"] == "GetFeatureFlag.NotFound")

            let events = try await kaiten.database.all(
                "SELECT event_name FROM outbox_events WHERE organization_id = \(UUID(uuidString: organization)!) AND event_name LIKE 'FEATURE_FLAG_%' ORDER BY occurred_at, id",
                as: String.self,
                logger: kaiten.database.logger
            )
            #expect(events.sorted() == ["FEATURE_FLAG_CREATED", "FEATURE_FLAG_DELETED", "FEATURE_FLAG_UPDATED"])
        }
    }

    @Test func definitionsThatDoNotFitTogetherAreRefusedAtTheirLocations() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let refused = try await kaiten.core.json(
                .post, "/api/feature-flags", token: token,
                body: Self.flag([
                    "variants": [["name": "on", "description": "", "value": "yes"]],
                    "default_variant": ["type": "rollout_percentage", "distribution": ["on": 0, "maybe": 0]],
                    "metadata": ["fallback_value": 3],
                ]))
            #expect(refused.status == .badRequest)
            #expect(refused.json?["code"] == "VALIDATION_FAILED")
            let locations = refused.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue } ?? []
            #expect(
                locations == [
                    "body.default_variant", "body.default_variant", "body.metadata.fallback_value", "body.targetings[0]", "body.variants[0].value",
                ])
            let listed = try await kaiten.core.json(.get, "/api/feature-flags", token: token)
            #expect(listed.json?["items"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func schemaViolationsAre422WithEveryLocation() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            var body = Self.flag(["type": "colour", "targetings": [["type": "basic", "name": "x", "rule": "true", "variant": "on", "extra": 1]]])
            body["enabled"] = nil
            let refused = try await kaiten.core.json(.post, "/api/feature-flags", token: token, body: body)
            #expect(refused.status == .unprocessableContent)
            let locations = refused.json?["errors"]?.arrayValue?.compactMap { $0["location"]?.stringValue } ?? []
            #expect(Set(locations) == ["body.type", "body.targetings[0].extra", "body.enabled"])
        }
    }
}
