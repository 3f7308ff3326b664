import Foundation
import Logging
import PostgresNIO

/// An outbox event as a consumer receives it.
package struct ConsumedEvent: Sendable, Equatable {
    /// The outbox row's id: the same whichever relay or transport delivered it, so consumers deduplicate on it.
    package let id: UUID
    package let organizationID: UUID
    package let event: EventType
    package let occurredAt: Date
    package let data: JSONValue
    package let headers: [String: String]

    package init(id: UUID, organizationID: UUID, event: EventType, occurredAt: Date, data: JSONValue, headers: [String: String]) {
        self.id = id
        self.organizationID = organizationID
        self.event = event
        self.occurredAt = occurredAt
        self.data = data
        self.headers = headers
    }
}

/// Something the worker feeds outbox events to: the audit trail, webhook fan-out.
///
/// The worker calls ``consume(_:on:logger:)`` inside a transaction that first records the event in the
/// consumer's inbox, so a redelivered event is skipped and a failed one leaves no trace: consumers are
/// effectively exactly-once on their own writes.
package protocol EventConsumer: Sendable {
    /// Names the consumer in `inbox_events.consumer`; never change it once deployed.
    var name: String { get }
    /// Whether the consumer wants events of this type.
    func accepts(_ event: EventType) -> Bool
    func consume(_ event: ConsumedEvent, on connection: PostgresConnection, logger: Logger) async throws
}
