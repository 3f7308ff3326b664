import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import Logging
import PostgresNIO

/// Reads webhook endpoints.
enum EndpointRows: OrganizationRows {
    static let alias = "e"
    static let selection = """
        SELECT e.id, e.url, e.description, e.event_types, e.enabled, e.throttle_rate, e.disabled_reason, e.disabled_at, e.created_at,
               e.updated_at
        FROM webhook_endpoint e
        """

    typealias Columns = (UUID, String, String, [String]?, Bool, Int?, String?, Date?, Date, Date)

    /// Decodes the endpoints of a query that starts with `selection`.
    static func fetch(_ query: PostgresQuery, on executor: some SQLExecutor, logger: Logger) async throws -> [EndpointResource] {
        try await executor.all(query, as: Columns.self, logger: logger).map { row in
            EndpointResource(
                id: row.0.lowercased, url: row.1, description: row.2, eventTypes: row.3, enabled: row.4, throttleRate: row.5,
                disabledReason: row.6, disabledAt: row.7, createdAt: row.8, updatedAt: row.9
            )
        }
    }

    /// The organization's endpoint with this id, or a 404 with the operation's code.
    static func find(
        _ id: UUID, organizationID: UUID, notFound code: String, on executor: some SQLExecutor, logger: Logger
    ) async throws
        -> EndpointResource
    {
        guard
            let endpoint = try await fetch(
                "\(unescaped: selection) WHERE e.organization_id = \(organizationID) AND e.id = \(id)", on: executor, logger: logger
            ).first
        else {
            throw EndpointPath.notFound(code, id.lowercased)
        }
        return endpoint
    }
}

/// The `{endpointId}` of a path. Anything that is not one of the organization's endpoints is a 404, malformed
/// ids included.
enum EndpointPath {
    static func id(_ context: KaitenRequestContext, notFound code: String) throws -> UUID {
        let text = try context.parameters.path("endpointId")
        guard let id = UUID(uuidString: text) else { throw notFound(code, text) }
        return id
    }

    static func notFound(_ code: String, _ id: String) -> APIError {
        .notFound(code, "webhook endpoint \"\(id)\" not found")
    }
}

/// The writable fields of an endpoint, shared by create and the full-replacement update.
struct EndpointFields {
    let url: String
    let description: String
    /// nil: every event type.
    let eventTypes: [String]?
    let enabled: Bool
    /// Attempts per second at most; nil: unthrottled.
    let throttleRate: Int?

    /// The highest rate an endpoint can ask for; faster than this, throttling means nothing next to one request
    /// in flight at a time.
    static let maximumThrottleRate = 10_000

    init(reading reader: inout JSONObjectReader) {
        url = reader.string("url", required: true, minLength: 1, maxLength: WebhookURL.maximumLength) ?? ""
        description = reader.string("description", nullable: true, maxLength: 1000) ?? ""
        eventTypes = reader.stringArray("eventTypes", nullable: true, maxItems: EventCatalogue.all.count)
        enabled = reader.boolean("enabled") ?? true
        throttleRate = reader.integer("throttleRate", in: 1...Self.maximumThrottleRate, nullable: true)
    }

    /// The checks past the schema: an http(s) URL to an allowed destination and known event types.
    func validate(operation: String, allowPrivate: Bool) throws {
        switch WebhookURL.parse(url, allowPrivate: allowPrivate) {
        case .success: break
        case .failure(.malformed(let reason)):
            throw APIError.unprocessable(
                "\(operation).InvalidURL", reason, errors: [ErrorDetail(message: reason, location: "body.url", value: .string(url))])
        case .failure(.forbiddenDestination(let reason)):
            throw APIError.unprocessable(
                "\(operation).ForbiddenDestination",
                "webhooks are not delivered to non-public addresses: \(reason)",
                errors: [ErrorDetail(message: reason, location: "body.url", value: .string(url))]
            )
        }
        guard let eventTypes else { return }
        if eventTypes.isEmpty {
            throw APIError.unprocessable(
                "\(operation).EmptyEventTypes",
                "eventTypes must name at least one event type; omit it or send null for every type",
                errors: [ErrorDetail(message: "expected at least one event type", location: "body.eventTypes", value: .array([]))]
            )
        }
        let unknown = eventTypes.enumerated().filter { EventCatalogue.event(ofType: $0.element) == nil }
        if !unknown.isEmpty {
            throw APIError.unprocessable(
                "\(operation).UnknownEventType",
                "unknown event type\(unknown.count > 1 ? "s" : ""): \(unknown.map(\.element).joined(separator: ", ")); GET /webhooks/event-types lists them",
                errors: unknown.map {
                    ErrorDetail(message: "unknown event type", location: "body.eventTypes[\($0.offset)]", value: .string($0.element))
                }
            )
        }
    }

    /// The filter as stored: each type once, in catalogue order.
    var storedEventTypes: [String]? {
        eventTypes.map { wanted in EventCatalogue.all.map(\.type).filter { wanted.contains($0) } }
    }
}

extension WebhookSecret {
    /// A client-supplied signing secret, or a 422 with the operation's code when it is not in `whsec_` form.
    static func supplied(_ text: String?, operation: String) throws -> WebhookSecret? {
        guard let text else { return nil }
        guard let secret = WebhookSecret(text) else {
            let reason = "expected whsec_ followed by the base64 of 24 to 64 random bytes"
            throw APIError.unprocessable(
                "\(operation).InvalidSecret", "the secret is not a whsec_ secret: \(reason)",
                errors: [ErrorDetail(message: reason, location: "body.secret")]
            )
        }
        return secret
    }
}
