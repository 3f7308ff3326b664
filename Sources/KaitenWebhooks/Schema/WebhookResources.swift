import Foundation
import KaitenCore

/// A webhook endpoint as the API shows it; the secret only appears when it is created or rotated.
package struct EndpointResource: Encodable, Sendable, KeysetPaged {
    package let id: String
    package let url: String
    package let description: String
    /// The event types delivered, or nil for every type.
    package let eventTypes: [String]?
    package let enabled: Bool
    /// Attempts per second at most, or nil when unthrottled.
    package let throttleRate: Int?
    package let disabledReason: String?
    package let disabledAt: Date?
    package let createdAt: Date
    package let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, url, description, eventTypes, enabled, throttleRate, disabledReason, disabledAt, createdAt, updatedAt
    }

    /// `eventTypes` and `throttleRate` are always present (null: every type, unthrottled); the disabled details
    /// only when disabled.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(url, forKey: .url)
        try container.encode(description, forKey: .description)
        try container.encode(eventTypes, forKey: .eventTypes)
        try container.encode(enabled, forKey: .enabled)
        try container.encode(throttleRate, forKey: .throttleRate)
        try container.encodeIfPresent(disabledReason, forKey: .disabledReason)
        try container.encodeIfPresent(disabledAt, forKey: .disabledAt)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

/// The answer to creating an endpoint: the endpoint and, this once, its signing secret.
package struct CreatedEndpointResource: Encodable, Sendable {
    package let endpoint: EndpointResource
    package let secret: String

    package func encode(to encoder: any Encoder) throws {
        try endpoint.encode(to: encoder)
        var container = encoder.container(keyedBy: ExtraKeys.self)
        try container.encode(secret, forKey: .secret)
    }

    enum ExtraKeys: String, CodingKey { case secret }
}

/// The answer to a rotation: the new secret, and until when the previous one still signs.
package struct RotatedSecretResource: Encodable, Sendable {
    package let secret: String
    package let previousSecretExpiresAt: Date
}

/// One message as an endpoint sees it: the event and the state of its delivery there.
package struct MessageResource: Encodable, Sendable, KeysetPaged {
    package let id: String
    package let eventName: String
    package let eventType: String
    /// `pending`, `succeeded` or `failed`.
    package let status: String
    package let attempts: Int
    package let nextAttemptAt: Date?
    package let lastAttemptAt: Date?
    package let createdAt: Date
    package let payload: JSONValue
}

/// One HTTP attempt of a delivery.
package struct AttemptResource: Encodable, Sendable, KeysetPaged {
    package let id: String
    package let messageId: String
    package let attemptNumber: Int
    /// `scheduled` (the retry schedule) or `manual` (a retry asked for through the API).
    package let trigger: String
    package let url: String
    package let succeeded: Bool
    package let responseStatusCode: Int?
    package let responseBody: String?
    package let error: String?
    package let durationMs: Int
    package let createdAt: Date
}

/// An event type an endpoint can subscribe to.
package struct EventTypeResource: Encodable, Sendable {
    package let name: String
    package let type: String
}
