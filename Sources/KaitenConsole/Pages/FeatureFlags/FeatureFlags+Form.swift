import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import KaitenFeatureFlags
import PostgresNIO

/// The flag form (create and edit, one form that posts back to itself to add rows), the enable switch and
/// the lint the rule editor calls as the author types.
extension FeatureFlagsPages {
    /// The body members a refusal may name that the form shows beside a field (the rest go at the top).
    static let fields: Set<String> = ["name", "slug", "description", "type", "enabled", "variants", "targetings", "default_variant", "metadata"]

    func editor(_ console: ConsoleRequest, draft: FlagDraft, creating: Bool, failure: APIError? = nil) -> Page {
        let path = creating ? "/console/feature-flags/new" : "/console/feature-flags/\(draft.slug)/edit"
        let problems = FlagFormProblems(failure?.errors ?? [])
        let variantNames = draft.variants.map(\.name).filter { !$0.isEmpty }
        var defaultStrategy = strategyData(draft.defaultStrategy, prefix: "default", variants: draft.variants, names: variantNames)
        defaultStrategy["error"] = problems.messages(under: "body.default_variant")
        var data: [String: Any] = [
            "creating": creating,
            "action": path,
            "cancel": creating ? "/console/feature-flags" : "/console/feature-flags/\(draft.slug)",
            "values": ["name": draft.name, "slug": draft.slug, "description": draft.description, "fallback": draft.fallback],
            "enabled": draft.enabled,
            "types": FlagDraft.types.map { ["value": $0, "selected": $0 == draft.type] as [String: Any] },
            "isString": draft.type == "string",
            "variants": draft.variants.enumerated().map { index, row in
                var variant: [String: Any] = [
                    "index": index, "number": index + 1, "name": row.name, "description": row.description, "value": row.value,
                ]
                variant["error"] = problems.messages(under: "body.variants[\(index)]")
                return variant
            },
            "default": defaultStrategy,
            "rules": draft.rules.enumerated().map { index, rule in
                var data: [String: Any] = [
                    "index": index, "number": index + 1, "name": rule.name, "rule": rule.rule,
                    "strategy": strategyData(rule.strategy, prefix: "rule-\(index)", variants: draft.variants, names: variantNames),
                    "canMoveUp": index > 0, "canMoveDown": index < draft.rules.count - 1,
                ]
                data["ruleError"] = problems.messages(at: "body.targetings[\(index)].rule")
                data["error"] = problems.messages(under: "body.targetings[\(index)]", except: "body.targetings[\(index)].rule")
                return data
            },
            "hasRules": !draft.rules.isEmpty,
        ]
        data["variantsError"] = problems.messages(at: "body.variants")
        data["fallbackError"] = problems.messages(under: "body.metadata")
        var status = HTTPResponse.Status.ok
        if let failure {
            let form = FormFailure(failure, fields: Self.fields)
            data.merge(form.data) { $1 }
            status = form.status
        }
        return Page(
            template: "flag-form", title: creating ? "New feature flag" : "Edit \(draft.name)", section: .featureFlags, data: data,
            status: status)
    }

    /// The fields of one strategy (the default or a rule's): its type, its variant, a percentage per variant
    /// and the two ends of a date rollout; the type chooses which of them count.
    private func strategyData(_ strategy: FlagDraft.Strategy, prefix: String, variants: [FlagDraft.VariantRow], names: [String]) -> [String: Any] {
        func options(_ selected: String) -> [[String: Any]] {
            let choices = names.contains(selected) || selected.isEmpty ? names : names + [selected]
            return choices.map { ["name": $0, "selected": $0 == selected] }
        }
        return [
            "prefix": prefix,
            "types": [("basic", "One variant"), ("rollout_percentage", "Percentage split"), ("rollout_date", "Date rollout")].map {
                ["value": $0.0, "label": $0.1, "selected": $0.0 == strategy.type] as [String: Any]
            },
            "variantOptions": options(strategy.variant),
            "weights": variants.enumerated().compactMap { index, row -> [String: Any]? in
                row.name.isEmpty ? nil : ["index": index, "name": row.name, "value": strategy.weights[row.name] ?? ""]
            },
            "start": ["options": options(strategy.start.variant), "percentage": strategy.start.percentage, "date": strategy.start.date]
                as [String: Any],
            "end": ["options": options(strategy.end.variant), "percentage": strategy.end.percentage, "date": strategy.end.date]
                as [String: Any],
        ]
    }

    func create(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        let draft = FlagDraft(form: form, stored: nil)
        guard FlagDraft.isSave(form) else { return console.render(editor(console, draft: draft, creating: true)) }
        return try await console.submit {
            let body = try draft.body(creating: true).get()
            let flag = try await featureFlags.create(try CreateFeatureFlag.Command(body: body), caller: console.caller)
            return console.redirect(to: "/console/feature-flags/\(flag.slug)", notice: "Feature flag \(flag.name) created.")
        } refused: { error in
            editor(console, draft: draft, creating: true, failure: error)
        }
    }

    func update(_ console: ConsoleRequest, _ form: FormBody, slug: String) async throws -> Response {
        let stored = FlagDraft(try await featureFlags.get(slug: slug, caller: console.caller))
        let draft = FlagDraft(form: form, stored: stored)
        guard FlagDraft.isSave(form) else { return console.render(editor(console, draft: draft, creating: false)) }
        return try await console.submit {
            let body = try draft.body(creating: false).get()
            try await featureFlags.update(slug: slug, try UpdateFeatureFlag.Command(body: body), caller: console.caller)
            return console.redirect(to: "/console/feature-flags/\(slug)", notice: "Feature flag \(draft.name) saved.")
        } refused: { error in
            editor(console, draft: draft, creating: false, failure: error)
        }
    }

    /// Switches a flag on or off: the stored definition sent back whole with `enabled` changed, as the API's
    /// full replacement takes it.
    func setEnabled(_ console: ConsoleRequest, _ form: FormBody, slug: String) async throws -> Response {
        let flag = try await featureFlags.get(slug: slug, caller: console.caller)
        let enabled = form["enabled"] == "true"
        let body: JSONValue = .object([
            "name": .string(flag.name), "description": flag.description.map(JSONValue.string) ?? .null, "type": .string(flag.type),
            "variants": flag.variants, "targetings": flag.targetings, "default_variant": flag.defaultVariant, "metadata": flag.metadata,
            "enabled": .bool(enabled), "event_name": .string(flag.eventName),
        ])
        try await featureFlags.update(slug: slug, try UpdateFeatureFlag.Command(body: body), caller: console.caller)
        let back = form["back"] == "list" ? "/console/feature-flags" : "/console/feature-flags/\(slug)"
        return console.redirect(to: back, notice: "Feature flag \(flag.name) \(enabled ? "enabled" : "disabled").")
    }

    /// What is wrong with one rule, as JSON for the editor's script: the module's lint, as the API answers it.
    func lint(_ console: ConsoleRequest, _ form: FormBody) async throws -> Response {
        let issues = try await featureFlags.lint(form["rule"] ?? "", caller: console.caller)
        let answer = JSONValue.object([
            "valid": .bool(issues.isEmpty), "issues": .array(issues.map { .string("\($0.line):\($0.column): \($0.message)") }),
        ])
        var headers = PageRenderer.securityHeaders
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: answer.jsonText)))
    }
}

/// A refusal's `errors[]` by the place in the flag's body they name, to show each beside its row.
struct FlagFormProblems {
    let details: [ErrorDetail]

    init(_ details: [ErrorDetail]) {
        self.details = details
    }

    /// The messages at exactly `location`.
    func messages(at location: String) -> String? {
        joined(details.filter { $0.location == location }.map(\.message))
    }

    /// The messages at `location` and below it, each prefixed with the member it names below it.
    func messages(under location: String, except excluded: String? = nil) -> String? {
        joined(
            details.compactMap { detail in
                guard detail.location != excluded,
                    detail.location == location || detail.location.hasPrefix(location + ".") || detail.location.hasPrefix(location + "[")
                else { return nil }
                let member = detail.location.dropFirst(location.count).drop { $0 == "." }
                return member.isEmpty ? detail.message : "\(member): \(detail.message)"
            })
    }

    private func joined(_ messages: [String]) -> String? {
        messages.isEmpty ? nil : messages.joined(separator: " ")
    }
}
