import Foundation
import HTTPTypes
import KaitenCore
import PostgresNIO
import Testing

/// Notifications read the audit trail, which the worker writes; these tests write its rows directly, at fixed
/// instants, so that the order and the read marks are what the test says.
@Suite struct NotificationsTests {
    struct Fixture {
        let kaiten: TestKaiten
        let organizationID: UUID
        let token: String

        static func make(_ kaiten: TestKaiten) async throws -> Fixture {
            let (organization, token) = try await kaiten.organization()
            return Fixture(kaiten: kaiten, organizationID: UUID(uuidString: organization)!, token: token)
        }

        /// Records an audit trail entry `minutesAgo` minutes ago, filed under `instance` if given, and returns its id.
        @discardableResult
        func entry(
            _ name: String, _ type: String, minutesAgo: Double, payload: JSONValue = [:], organization: UUID? = nil, instance: String? = nil
        ) async throws -> String {
            let id = UUID()
            try await kaiten.database.client.query(
                """
                INSERT INTO audit_trail (id, organization_id, instance_id, event_name, event_type, occurred_at, payload)
                VALUES (\(id), \(organization ?? organizationID), \(instance.flatMap(UUID.init(uuidString:))), \(name), \(type),
                        \(Date().addingTimeInterval(-minutesAgo * 60)), \(payload.jsonText)::jsonb)
                """,
                logger: kaiten.database.logger
            )
            return id.lowercased
        }

        func feed(_ query: String = "") async throws -> JSONResponseResult {
            try await kaiten.core.json(.get, "/api/v1/notifications\(query)", token: token)
        }
    }

    @Test func theFeedShowsTheCataloguedEventsTheCallerReceivesNewestFirst() async throws {
        try await TestKaiten.run { kaiten in
            let instancesFixture = try await InstancesFixture.make(kaiten)
            let fixture = Fixture(kaiten: kaiten, organizationID: instancesFixture.organizationID, token: instancesFixture.token)
            let instance = try #require(try await instancesFixture.instance("production")["id"]?.stringValue)
            let created = try await fixture.entry(
                "INSTANCE_CREATED", "com.kaiten.instance.v1.created", minutesAgo: 3, payload: ["name": "Prod", "slug": "prod"], instance: instance)
            let nearLimit = try await fixture.entry(
                "INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED", "com.kaiten.instance.entitlement.v1.usage_warning_threshold_reached",
                minutesAgo: 2.5, payload: ["entitlement_slug": "seats"], instance: instance)
            try await fixture.entry("INSTANCE_UPDATED", "com.kaiten.instance.v1.updated", minutesAgo: 2, payload: ["name": "Prod"])
            try await fixture.entry("ENTITLEMENT_VALUE_GET", "com.kaiten.instance.entitlement.v1.value_get", minutesAgo: 2)
            let customer = try await fixture.entry(
                "CUSTOMER_CREATED", "com.kaiten.customer.v1.created", minutesAgo: 1, payload: ["name": "Acme", "slug": "acme"])
            let deleted = try await fixture.entry(
                "CUSTOMER_DELETED", "com.kaiten.customer.v1.deleted", minutesAgo: 0.5, payload: ["name": "Old", "slug": "old"])
            let (other, _) = try await kaiten.organization()
            try await fixture.entry("CUSTOMER_CREATED", "com.kaiten.customer.v1.created", minutesAgo: 0, organization: UUID(uuidString: other)!)

            let all = try await fixture.feed()
            #expect(all.status == .ok)
            let data = try #require(all.json?["data"]?.arrayValue)
            #expect(
                data.compactMap { $0["id"]?.stringValue } == [deleted, customer, nearLimit, created],
                "off by default, uncatalogued and foreign rows are left out")
            #expect(data[1]["title"] == "Customer created: Acme" && data[1]["objectType"] == "customer")
            #expect(data[1]["eventType"] == "com.kaiten.customer.v1.created" && data[1]["actionUrl"] == "/customers/acme")
            #expect(data[0]["actionUrl"] == "/customers", "a deleted object has no page of its own")
            #expect(data[3]["actionUrl"] == "/customers/instances/production", "an instance's page is found by the entry's instance, as it is now")
            #expect(data[3]["readAt"] == nil)
            #expect(data[2]["title"] == "Entitlement near limit: Production", "a usage payload names no instance; the entry's instance does")
            #expect(all.json?["unreadCount"] == 4 && all.json?["nextCursor"] == .null)

            let first = try await fixture.feed("?limit=3")
            #expect(first.json?["data"]?.arrayValue?.count == 3)
            let cursor = try #require(first.json?["nextCursor"]?.stringValue)
            let second = try await fixture.feed("?limit=3&cursor=\(cursor)")
            #expect(second.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [created])
            #expect(second.json?["nextCursor"] == .null)

            let instances = try await fixture.feed("?objectType=instance&objectType=token")
            #expect(instances.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [nearLimit, created])
            #expect(instances.json?["unreadCount"] == 4, "the count is the whole feed's")

            for query in ["?limit=51", "?limit=0", "?status=read", "?objectType=planet"] {
                let refused = try await fixture.feed(query)
                #expect(refused.status == .unprocessableContent && refused.json?["code"] == "UNPROCESSABLE", "\(query)")
            }
            let (_, reader) = try await kaiten.organization(scopes: ["read:customers"])
            #expect(try await kaiten.core.json(.get, "/api/v1/notifications", token: reader).status == .forbidden)
        }
    }

    @Test func notificationsAreMarkedReadOneByOneOrAllAtOnce() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await Fixture.make(kaiten)
            let first = try await fixture.entry("LICENSE_CREATED", "com.kaiten.license.v1.created", minutesAgo: 3, payload: ["slug": "growth"])
            try await fixture.entry("LICENSE_DELETED", "com.kaiten.license.v1.deleted", minutesAgo: 2)
            try await fixture.entry("SYSTEM_ORGANIZATION_TOKEN_ISSUED", "com.kaiten.identity.v1.system_token_issued", minutesAgo: 1)
            let (other, _) = try await kaiten.organization()
            let foreign = try await fixture.entry(
                "LICENSE_CREATED", "com.kaiten.license.v1.created", minutesAgo: 1, organization: UUID(uuidString: other)!)

            let marked = try await kaiten.core.json(
                .post, "/api/v1/notifications/mark-read", token: fixture.token,
                body: ["ids": [.string(first), .string(foreign), "not-an-id", .string(UUID().uuidString)]])
            #expect(marked.status == .ok && marked.json == ["updated": 1, "unreadCount": 2], "ids of nothing here are skipped")
            let again = try await kaiten.core.json(.post, "/api/v1/notifications/mark-read", token: fixture.token, body: ["ids": [.string(first)]])
            #expect(again.json == ["updated": 0, "unreadCount": 2])

            let unread = try await fixture.feed("?status=unread")
            #expect(unread.json?["data"]?.arrayValue?.count == 2)
            let read = try await fixture.feed()
            #expect(read.json?["data"]?.arrayValue?.last?["readAt"] != nil)

            let all = try await kaiten.core.json(.post, "/api/v1/notifications/mark-read", token: fixture.token, body: ["all": true])
            #expect(all.json == ["updated": 2, "unreadCount": 0])
            #expect(try await fixture.feed("?status=unread").json?["data"] == .array([]))
            try await fixture.entry("LICENSE_CREATED", "com.kaiten.license.v1.created", minutesAgo: -1)
            #expect(try await fixture.feed().json?["unreadCount"] == 1, "what arrives after marking all read is unread")

            let tooMany = try await kaiten.core.json(
                .post, "/api/v1/notifications/mark-read", token: fixture.token,
                body: ["ids": .array((0...200).map { _ in .string(UUID().uuidString) })])
            #expect(tooMany.status == .unprocessableContent)
        }
    }

    @Test func preferencesNarrowOrWidenTheFeedAndStoreOnlyWhatDiffersFromTheDefault() async throws {
        try await TestKaiten.run { kaiten in
            let fixture = try await Fixture.make(kaiten)
            try await fixture.entry("INSTANCE_UPDATED", "com.kaiten.instance.v1.updated", minutesAgo: 2)
            try await fixture.entry("INSTANCE_CREATED", "com.kaiten.instance.v1.created", minutesAgo: 1)

            let matrix = try await kaiten.core.json(.get, "/api/v1/notification-preferences", token: fixture.token)
            #expect(matrix.json?["channels"] == ["in_app"])
            let events = try #require(matrix.json?["events"]?.arrayValue)
            let updated = try #require(events.first { $0["eventName"] == "INSTANCE_UPDATED" })
            #expect(
                updated == [
                    "eventName": "INSTANCE_UPDATED", "eventType": "com.kaiten.instance.v1.updated", "group": "instances", "label": "Instance updated",
                    "channels": ["in_app": false],
                ])

            let changed = try await kaiten.core.json(
                .put, "/api/v1/notification-preferences", token: fixture.token,
                body: [
                    "events": [
                        ["eventName": "INSTANCE_UPDATED", "channels": ["in_app": true]],
                        ["eventName": "INSTANCE_CREATED", "channels": ["in_app": false]],
                    ]
                ])
            #expect(changed.status == .ok)
            #expect(changed.json?["events"]?.arrayValue?.first { $0["eventName"] == "INSTANCE_UPDATED" }?["channels"] == ["in_app": true])
            #expect(try await fixture.feed().json?["data"]?.arrayValue?.compactMap { $0["eventName"]?.stringValue } == ["INSTANCE_UPDATED"])

            let reset = try await kaiten.core.json(
                .put, "/api/v1/notification-preferences", token: fixture.token,
                body: ["events": [["eventName": "INSTANCE_CREATED", "channels": ["in_app": true]]]])
            #expect(reset.status == .ok)
            #expect(try await kaiten.count("SELECT count(*)::int FROM notification_preference") == 1, "a choice equal to the default is not stored")
            #expect(try await fixture.feed().json?["data"]?.arrayValue?.count == 2)

            for events: JSONValue in [
                [["eventName": "ENTITLEMENT_VALUE_GET", "channels": ["in_app": true]]],
                [["eventName": "INSTANCE_CREATED", "channels": ["email": true]]],
                [["eventName": "INSTANCE_CREATED", "channels": ["in_app": "yes"]]],
            ] {
                let refused = try await kaiten.core.json(.put, "/api/v1/notification-preferences", token: fixture.token, body: ["events": events])
                #expect(refused.status == .unprocessableContent && refused.json?["code"] == "UNPROCESSABLE")
            }
            #expect(try await kaiten.count("SELECT count(*)::int FROM notification_preference") == 1, "refused choices change nothing")
        }
    }
}
