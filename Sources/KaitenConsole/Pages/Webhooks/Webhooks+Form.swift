import Foundation
import Hummingbird
import KaitenCore
import KaitenWebhooks
import PostgresNIO

/// The endpoint form (create and edit): URL, description, the event types grouped by category, and on edit
/// whether it is enabled and its throttle.
extension WebhooksPages {
    static let fields: Set<String> = ["url", "description", "eventTypes", "enabled", "throttleRate"]

    func editor(
        _ console: ConsoleRequest, endpoint: WebhookEndpointRow?, typed: FormBody? = nil, failure: FormFailure? = nil
    ) throws -> Page {
        let eventTypes = try webhooks.listEventTypes(caller: console.caller).items
        let checked = Set(typed.map { $0.values("eventTypes") } ?? endpoint?.eventTypes ?? [])
        // `com.kaiten.instance.entitlement.v1.cap_exceeded` is of the category `instance entitlement`.
        let categories = Dictionary(grouping: eventTypes) { type in
            type.type.split(separator: ".").dropFirst(2).prefix { !($0.hasPrefix("v") && $0.dropFirst().allSatisfy(\.isNumber)) }
                .joined(separator: " ").replacingOccurrences(of: "_", with: " ")
        }
        var data: [String: Any] = [
            "creating": endpoint == nil,
            "action": endpoint?.link ?? "/console/webhooks",
            "cancel": endpoint?.link ?? "/console/webhooks",
            "values": [
                "url": typed?["url"] ?? endpoint?.url ?? "", "description": typed?["description"] ?? endpoint?.description ?? "",
                "throttleRate": typed?["throttleRate"] ?? endpoint?.throttleRate.map(String.init) ?? "",
            ],
            "enabled": typed.map { $0["enabled"] != nil } ?? endpoint?.enabled ?? true,
            "categories": categories.keys.sorted().map { category in
                [
                    "label": category.prefix(1).uppercased() + category.dropFirst(),
                    "events": (categories[category] ?? []).map { type in
                        ["type": type.type, "name": type.name, "id": "event-\(type.name.lowercased())", "checked": checked.contains(type.type)]
                            as [String: Any]
                    },
                ] as [String: Any]
            },
        ]
        if let failure { data.merge(failure.data) { $1 } }
        return Page(
            template: "webhook-form", title: endpoint.map { "Edit \($0.url)" } ?? "New webhook endpoint", section: .webhooks, data: data,
            status: failure?.status ?? .ok)
    }

    /// The request body the API takes: no event checked means every event type.
    static func body(_ form: FormBody, creating: Bool) -> JSONValue {
        var members: [String: JSONValue] = ["url": .string(form.text("url") ?? ""), "description": .string(form["description"] ?? "")]
        let eventTypes = form.values("eventTypes")
        members["eventTypes"] = eventTypes.isEmpty ? .null : .array(eventTypes.map(JSONValue.string))
        if !creating {
            members["enabled"] = .bool(form["enabled"] != nil)
            // Left as typed when it is not a number, for the API to refuse beside the field.
            members["throttleRate"] =
                form.text("throttleRate").map { text in Int(text).map { JSONValue.number(Double($0)) } ?? JSONValue.string(text) } ?? .null
        }
        return .object(members)
    }

    func create(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        return try await console.submit {
            let created = try await webhooks.createEndpoint(
                try CreateWebhookEndpoint.Command(body: Self.body(form, creating: true)), caller: console.caller)
            return console.redirect(to: "/console/webhooks/\(created.endpoint.id)", notice: "Webhook endpoint \(created.endpoint.url) created.")
        } refused: { error in
            try editor(console, endpoint: nil, typed: form, failure: FormFailure(error, fields: Self.fields))
        }
    }

    func update(_ console: ConsoleRequest, _ form: FormBody, id: UUID) async throws -> Response {
        let endpoint = try await endpoint(console, id: id)
        return try await console.submit {
            let updated = try await webhooks.updateEndpoint(
                id, try UpdateWebhookEndpoint.Command(body: Self.body(form, creating: false)), caller: console.caller)
            return console.redirect(to: endpoint.link, notice: "Webhook endpoint \(updated.url) saved.")
        } refused: { error in
            try editor(console, endpoint: endpoint, typed: form, failure: FormFailure(error, fields: Self.fields))
        }
    }
}
