import Foundation
import KaitenCore
import KaitenPipeline
import Testing

@Suite struct CloudEventEnvelopeTests {
    static let record = OutboxRecord(
        id: UUID(uuidString: "0b6f3f38-7f0c-4c47-a0e5-7a0f2d3c9e11")!,
        organizationID: UUID(uuidString: "7dc2f7fe-cd26-5ac0-a0ae-0e022b867ef8")!,
        eventName: "CUSTOMER_CREATED",
        eventType: "com.kaiten.customer.v1.created",
        occurredAt: Timestamp.parse("2026-11-22T15:00:00.123Z")!,
        data: ["id": "c1", "name": "Acme"],
        headers: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "instance_id": "i1"]
    )

    @Test func roundTripsThroughOurEnvelope() throws {
        let envelope = CloudEventEnvelope(record: Self.record, position: "lsn:0/16B3748")
        let read = try CloudEventEnvelope(bytes: envelope.bytes)
        #expect(read.content == .record(Self.record))
        #expect(read.messageID == "0b6f3f38-7f0c-4c47-a0e5-7a0f2d3c9e11")
        #expect(read.trace.headers["traceparent"] == Self.record.headers["traceparent"])
        #expect(envelope.json["specversion"] == "1.0")
        #expect(envelope.json["data"]?["after"]?["data"] == .string(#"{"id":"c1","name":"Acme"}"#))
    }

    @Test func readsDebeziumServersEnvelopeWithSchemas() throws {
        let debezium = """
            {"specversion":"1.0","id":"name:kaiten_db;lsn:23884656;txId:760","source":"/debezium/postgresql/kaiten",
             "type":"io.debezium.connector.postgresql.DataChangeEvent","datacontenttype":"application/json",
             "iodebeziumop":"c","iodebeziumtable":"outbox_events",
             "data":{"schema":{"type":"struct"},"payload":{"before":null,"after":{
               "id":"0b6f3f38-7f0c-4c47-a0e5-7a0f2d3c9e11","organization_id":"7dc2f7fe-cd26-5ac0-a0ae-0e022b867ef8",
               "event_name":"CUSTOMER_CREATED","event_type":"com.kaiten.customer.v1.created",
               "occurred_at":"2026-11-22T15:00:00.123Z","data":"{\\"id\\":\\"c1\\",\\"name\\":\\"Acme\\"}",
               "headers":{"instance_id":"i1"}}}}}
            """
        let envelope = try CloudEventEnvelope(bytes: Array(debezium.utf8))
        guard case .record(let record) = envelope.content else {
            Issue.record("expected a record")
            return
        }
        #expect(record.data == ["id": "c1", "name": "Acme"])
        #expect(record.headers == ["instance_id": "i1"])
        #expect(record.eventName == "CUSTOMER_CREATED")
    }

    @Test func readsHeartbeats() throws {
        #expect(try CloudEventEnvelope(bytes: CloudEventEnvelope.heartbeat.bytes).content == .heartbeat)
    }

    @Test(arguments: [
        "not json", "[]", #"{"id":""}"#, #"{"id":"x","data":{}}"#, #"{"id":"x","data":{"after":{"id":"nope"}}}"#,
        #"{"id":"x","data":{"after":{"id":"0b6f3f38-7f0c-4c47-a0e5-7a0f2d3c9e11","organization_id":"7dc2f7fe-cd26-5ac0-a0ae-0e022b867ef8","event_name":"A","event_type":"t","occurred_at":"yesterday","data":"{}"}}}"#,
    ])
    func refusesWhatIsNotAnOutboxEvent(_ text: String) {
        #expect(throws: EnvelopeError.self) { try CloudEventEnvelope(bytes: Array(text.utf8)) }
    }
}
