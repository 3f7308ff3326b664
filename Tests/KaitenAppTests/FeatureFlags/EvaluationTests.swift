import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import ServiceLifecycle
import Testing

@testable import KaitenFeatureFlags

@Suite struct EvaluationTests {
    @Test func aWriteThatBypassesThisServerStillReachesItsNextEvaluation() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let created = try await kaiten.core.json(.post, "/api/feature-flags", token: token, body: FeatureFlagsTests.flag(["targetings": []]))
            let slug = try #require(created.json?["slug"]?.stringValue)
            let body: [String: JSONValue] = ["context": ["targetingKey": "user-1"]]
            let first = try await kaiten.core.json(.post, "/api/ofrep/v1/evaluate/flags", token: token, body: body)
            #expect(first.json?["flags"]?.arrayValue?.first?["reason"] == "STATIC")
            let tag = try #require(first.headers[.eTag])

            // As another replica's write would: nothing in this process hears of it.
            try await kaiten.database.client.query("UPDATE feature_flag SET enabled = false WHERE slug = \(slug)", logger: kaiten.database.logger)

            let again = try await kaiten.core.json(
                .post, "/api/ofrep/v1/evaluate/flags", token: token, body: body, headers: [.ifNoneMatch: tag])
            #expect(again.status == .ok)
            #expect(again.json?["flags"]?.arrayValue?.first?["reason"] == "DISABLED")
            #expect(again.headers[.eTag] != tag)
            let single = try await kaiten.core.json(.post, "/api/ofrep/v1/evaluate/flags/\(slug)", token: token, body: body)
            #expect(single.json?["reason"] == "DISABLED")
        }
    }

    @Test func anotherContextNeverGetsA304ForTheFirstContextsTag() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            _ = try await kaiten.core.json(.post, "/api/feature-flags", token: token, body: FeatureFlagsTests.flag())
            let pro: [String: JSONValue] = ["context": ["targetingKey": "user-1", "user": ["plan": "pro"]]]
            let first = try await kaiten.core.json(.post, "/api/ofrep/v1/evaluate/flags", token: token, body: pro)
            let tag = try #require(first.headers[.eTag])
            let unchanged = try await kaiten.core.json(
                .post, "/api/ofrep/v1/evaluate/flags", token: token, body: pro, headers: [.ifNoneMatch: tag])
            #expect(unchanged.status == .notModified)
            let free: [String: JSONValue] = ["context": ["targetingKey": "user-1", "user": ["plan": "free"]]]
            let other = try await kaiten.core.json(
                .post, "/api/ofrep/v1/evaluate/flags", token: token, body: free, headers: [.ifNoneMatch: tag])
            #expect(other.status == .ok)
            #expect(other.json?["flags"]?.arrayValue?.first?["reason"] == "DEFAULT")
        }
    }

    @Test func aDateRolloutsAnswerChangesOnlyWhenKeysMove() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let flag = FeatureFlagResource(
            id: UUID().uuidString, slug: "migration", name: "Migration", description: nil, type: "boolean",
            variants: [["name": "old", "description": "", "value": false], ["name": "new", "description": "", "value": true]],
            targetings: [],
            defaultVariant: [
                "type": "rollout_date",
                "start": ["variant": "old", "percentage": 0, "date": .string(Timestamp.format(start))],
                "end": ["variant": "new", "percentage": 100, "date": .string(Timestamp.format(start.addingTimeInterval(10_000)))],
            ],
            metadata: [:], enabled: true, eventName: "", createdAt: start
        )
        let flags = CompiledFlags(revision: 1, flags: [flag])
        #expect(flags.rolloutPhases(at: start.addingTimeInterval(-1)) == [.notStarted])
        // 10,000 buckets over 10,000 seconds: one bucket moves per second, none within it.
        #expect(flags.rolloutPhases(at: start.addingTimeInterval(42.1)) == flags.rolloutPhases(at: start.addingTimeInterval(42.9)))
        #expect(flags.rolloutPhases(at: start.addingTimeInterval(42.5)) != flags.rolloutPhases(at: start.addingTimeInterval(43.5)))
        #expect(flags.rolloutPhases(at: start.addingTimeInterval(10_001)) == [.ended])
    }

    @Test func evaluatedEventsPastTheBoundAreDroppedAndCountedAndTheRestWrittenWhenStoppedGracefully() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, _) = try await kaiten.organization()
            let organizationID = try #require(UUID(uuidString: organization))
            let events = EvaluationEvents(database: kaiten.database, capacity: 2)
            let resolution = Resolution(value: true, variant: "on", reason: .static, matchedRule: nil, brokenRules: [])
            events.record(
                (0..<5).map { .init(organizationID: organizationID, flagID: "\($0)", flagSlug: "flag-\($0)", outcome: .success(resolution)) })
            #expect(events.dropped == 3)
            // Whether the stop comes before the service starts waiting or after, what it queued is written.
            let group = ServiceGroup(services: [events], logger: kaiten.database.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let written = try await kaiten.database.all(
                """
                SELECT data->>'flag_slug' FROM outbox_events
                WHERE organization_id = \(organizationID) AND event_name = 'FEATURE_FLAG_EVALUATED' ORDER BY 1
                """,
                as: String.self, logger: kaiten.database.logger
            )
            #expect(written == ["flag-0", "flag-1"])
        }
    }
}
