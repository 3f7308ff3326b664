import Foundation
import KaitenCore

/// The CloudEvents 1.0 JSON document an outbox row travels in, shaped as Debezium Server's `cloudevents`
/// format writes a change event of `public.outbox_events`, so a real Debezium Server can stand in for the
/// relay (and Kaiten's Go workers can read ours).
///
/// The change event's row image is under `data.after` (Debezium's `data.payload.after` when schemas are
/// enabled is read too). Debezium's extension attributes say where the change came from.
package struct CloudEventEnvelope: Sendable, Equatable {
    /// The CloudEvent `type` of a relay heartbeat, which consumers acknowledge and skip.
    package static let heartbeatType = "cloud.kaiten.cdc.heartbeat"
    package static let changeEventType = "io.debezium.connector.postgresql.DataChangeEvent"

    package enum Content: Sendable, Equatable {
        case record(OutboxRecord)
        case heartbeat
    }

    package let id: String
    package let content: Content
    /// The W3C trace context of the hop that sent the event, carried as CloudEvents' distributed-tracing
    /// extension: the producer's as the outbox row holds it, the relay's once relayed.
    package let trace: TraceContext

    package init(record: OutboxRecord, position: String) {
        id = "name:kaiten;\(position);id:\(record.id.lowercased)"
        content = .record(record)
        trace = TraceContext(headers: record.headers)
    }

    package static let heartbeat = CloudEventEnvelope(id: "heartbeat", content: .heartbeat, trace: TraceContext(headers: [:]))

    private init(id: String, content: Content, trace: TraceContext) {
        self.id = id
        self.content = content
        self.trace = trace
    }

    /// The same event, sent on by a hop with its own trace context.
    package func relayed(with trace: TraceContext) -> CloudEventEnvelope {
        CloudEventEnvelope(id: id, content: content, trace: trace)
    }

    /// The message id consumers deduplicate on: the outbox row's id, whoever relayed it.
    package var messageID: String? {
        guard case .record(let record) = content else { return nil }
        return record.id.lowercased
    }

    package var json: JSONValue {
        switch content {
        case .heartbeat:
            return .object([
                "specversion": "1.0",
                "id": .string(id),
                "type": .string(Self.heartbeatType),
                "source": "/debezium/heartbeat",
                "datacontenttype": "application/json",
                "data": .object([:]),
            ])
        case .record(let record):
            var members: [String: JSONValue] = [
                "specversion": "1.0",
                "id": .string(id),
                "type": .string(Self.changeEventType),
                "source": "/debezium/postgresql/kaiten",
                "time": .string(Timestamp.format(record.occurredAt)),
                "datacontenttype": "application/json",
                "iodebeziumop": "c",
                "iodebeziumconnector": "postgresql",
                "iodebeziumname": "kaiten",
                "iodebeziumdb": "kaiten",
                "iodebeziumschema": "public",
                "iodebeziumtable": "outbox_events",
                "data": .object(["before": .null, "after": record.rowImage, "op": "c"]),
            ]
            for name in ["traceparent", "tracestate"] {
                if let value = trace.headers[name] { members[name] = .string(value) }
            }
            return .object(members)
        }
    }

    package var bytes: [UInt8] { Array(json.jsonText.utf8) }

    /// Reads a message from the bus: our envelope, Debezium Server's (with or without schemas), or a
    /// heartbeat. Throws ``EnvelopeError`` for anything else, which the consumer dead-letters.
    package init(bytes: some Collection<UInt8>) throws {
        guard let document = try? JSONValue.parse(bytes), case .object(let event) = document else {
            throw EnvelopeError.malformed("the message is not a JSON object")
        }
        guard case .string(let id)? = event["id"], !id.isEmpty else { throw EnvelopeError.malformed("the event has no id") }
        if event["type"] == .string(Self.heartbeatType) {
            self.init(id: id, content: .heartbeat, trace: TraceContext(headers: [:]))
            return
        }
        var change = event["data"]
        if case .string(let text)? = change {
            change = try? JSONValue.parse(Array(text.utf8))
        }
        if case .object(let members)? = change, let payload = members["payload"], members["schema"] != nil {
            change = payload
        }
        guard case .object(let members)? = change, let after = members["after"], after != .null else {
            throw EnvelopeError.malformed("the event carries no row image (data.after)")
        }
        let record = try OutboxRecord(rowImage: after)
        var trace = record.headers
        if case .string(let traceparent)? = event["traceparent"] {
            trace = ["traceparent": traceparent]
            if case .string(let tracestate)? = event["tracestate"] { trace["tracestate"] = tracestate }
        }
        self.init(id: id, content: .record(record), trace: TraceContext(headers: trace))
    }
}
