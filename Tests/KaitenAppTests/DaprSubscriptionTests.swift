import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KaitenAuditTrail
import KaitenCore
import KaitenPipeline
import Logging
import PostgresNIO
import Testing

@testable import KaitenApp

/// The worker's Dapr endpoints, driven as a Dapr sidecar would.
@Suite struct DaprSubscriptionTests {
    struct Failing: EventConsumer {
        let name = "failing"
        func accepts(_ event: EventType) -> Bool { true }
        func consume(_ event: ConsumedEvent, on connection: PostgresConnection, logger: Logging.Logger) async throws {
            try await connection.query("SELECT 1/0", logger: logger)
        }
    }

    static func withDapr(
        _ kaiten: TestKaiten, consumers: [any EventConsumer]? = nil, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let dispatcher = EventDispatcher(database: kaiten.database, consumers: consumers ?? [AuditTrailModule(database: kaiten.database).consumer])
        let application = Application(router: DaprSubscription.router(dispatcher: dispatcher, logger: kaiten.database.logger))
        try await application.test(.router, body)
    }

    static func status(_ client: any TestClientProtocol, _ route: String, _ body: String) async throws -> String? {
        let response = try await client.json(.post, route, token: nil, rawBody: body, headers: [.contentType: "application/cloudevents+json"])
        #expect(response.status == .ok)
        return response.json?["status"]?.stringValue
    }

    @Test func subscribeListsTheEventsTopicAndItsDeadLetterTopic() async throws {
        try await TestKaiten.run { kaiten in
            try await Self.withDapr(kaiten) { (dapr: any TestClientProtocol) async throws in
                let response = try await dapr.json(.get, "/dapr/subscribe", token: nil)
                #expect(response.status == .ok)
                #expect(
                    response.value
                        == .array([
                            [
                                "pubsubname": "rabbitmq-pubsub", "topic": "kaiten.events", "route": "/dapr/cdc/events",
                                "deadLetterTopic": "kaiten.events.dlq",
                            ],
                            ["pubsubname": "rabbitmq-pubsub", "topic": "kaiten.events.dlq", "route": "/dapr/cdc/dead-letter"],
                        ])
                )
            }
        }
    }

    @Test func eventsAreConsumedOnceWhetherDaprForwardsOrWrapsThem() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme"])
            let records = try await PipelineDispatchTests.outbox(kaiten, organization: organization).filter { $0.eventName == "CUSTOMER_CREATED" }
            let envelope = CloudEventEnvelope(record: try #require(records.first), position: "dapr")
            try await Self.withDapr(kaiten) { (dapr: any TestClientProtocol) async throws in
                #expect(try await Self.status(dapr, "/dapr/cdc/events", envelope.json.jsonText) == "SUCCESS")
                // Dapr's own CloudEvent around the message, as it posts a payload that was not a CloudEvent.
                let wrapped: JSONValue = [
                    "specversion": "1.0", "id": "5929aaac-a5e2-4ca1-859c-edfe73f11565", "type": "com.dapr.event.sent", "source": "kaiten-relay",
                    "topic": "kaiten.events", "pubsubname": "rabbitmq-pubsub", "datacontenttype": "application/json", "data": envelope.json,
                ]
                #expect(try await Self.status(dapr, "/dapr/cdc/events", wrapped.jsonText) == "SUCCESS")
                #expect(try await Self.status(dapr, "/dapr/cdc/events", CloudEventEnvelope.heartbeat.json.jsonText) == "SUCCESS")
            }
            #expect(try await kaiten.count("SELECT count(*) FROM audit_trail WHERE event_name = 'CUSTOMER_CREATED'") == 1)
            #expect(try await kaiten.count("SELECT count(*) FROM inbox_events WHERE consumer = 'audit-trail'") == 1)
        }
    }

    @Test func malformedMessagesAreDroppedAndFailuresRetried() async throws {
        try await TestKaiten.run { kaiten in
            let (organization, token) = try await kaiten.organization()
            _ = try await kaiten.core.json(.post, "/api/customers", token: token, body: ["name": "Acme"])
            let record = try #require(try await PipelineDispatchTests.outbox(kaiten, organization: organization).first)
            try await Self.withDapr(kaiten, consumers: [Failing()]) { (dapr: any TestClientProtocol) async throws in
                #expect(try await Self.status(dapr, "/dapr/cdc/events", "not json") == "DROP")
                #expect(try await Self.status(dapr, "/dapr/cdc/events", #"{"specversion":"1.0","id":"x","data":{"after":{"id":"nope"}}}"#) == "DROP")
                #expect(
                    try await Self.status(dapr, "/dapr/cdc/events", CloudEventEnvelope(record: record, position: "dapr").json.jsonText) == "RETRY")
                #expect(try await Self.status(dapr, "/dapr/cdc/dead-letter", #"{"id":"dead"}"#) == "SUCCESS")
            }
        }
    }
}
