import Foundation
import KaitenCore

/// A webhook endpoint as the API shows it; the secret only appears when it is created or rotated.
public struct EndpointResource: Encodable, Sendable, KeysetPaged {
    public let id: String
    public let url: String
    public let description: String
    /// The event types delivered, or nil for every type.
    public let eventTypes: [String]?
    public let enabled: Bool
    /// Attempts per second at most, or nil when unthrottled.
    public let throttleRate: Int?
    public let disabledReason: String?
    public let disabledAt: Date?
    public let createdAt: Date
    public let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, url, description, eventTypes, enabled, throttleRate, disabledReason, disabledAt, createdAt, updatedAt
    }

    /// `eventTypes` and `throttleRate` are always present (null: every type, unthrottled); the disabled details
    /// only when disabled.
    public func encode(to encoder: any Encoder) throws {
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
public struct CreatedEndpointResource: Encodable, Sendable {
    public let endpoint: EndpointResource
    public let secret: String

    public func encode(to encoder: any Encoder) throws {
        try endpoint.encode(to: encoder)
        var container = encoder.container(keyedBy: ExtraKeys.self)
        try container.encode(secret, forKey: .secret)
    }

    enum ExtraKeys: String, CodingKey { case secret }
}

/// The answer to a rotation: the new secret, and until when the previous one still signs.
public struct RotatedSecretResource: Encodable, Sendable {
    public let secret: String
    public let previousSecretExpiresAt: Date
}

/// One message as an endpoint sees it: the event and the state of its delivery there.
public struct MessageResource: Encodable, Sendable, KeysetPaged {
    public let id: String
    public let eventName: String
    public let eventType: String
    /// `pending`, `succeeded` or `failed`.
    public let status: String
    public let attempts: Int
    public let nextAttemptAt: Date?
    public let lastAttemptAt: Date?
    public let createdAt: Date
    public let payload: JSONValue
}

/// One HTTP attempt of a delivery.
public struct AttemptResource: Encodable, Sendable, KeysetPaged {
    public let id: String
    public let messageId: String
    public let attemptNumber: Int
    /// `scheduled` (the retry schedule) or `manual` (a retry asked for through the API).
    public let trigger: String
    public let url: String
    public let succeeded: Bool
    public let responseStatusCode: Int?
    public let responseBody: String?
    public let error: String?
    public let durationMs: Int
    public let createdAt: Date
}

/// An event type an endpoint can subscribe to.
public struct EventTypeResource: Encodable, Sendable {
    public let name: String
    public let type: String
}
