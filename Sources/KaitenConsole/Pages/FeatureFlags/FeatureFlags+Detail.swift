import Foundation
import Hummingbird
import KaitenCore
import KaitenFeatureFlags
import PostgresNIO

/// `/console/feature-flags/{slug}` and its "Try it": the flag as the module reads it, and one evaluation of it
/// for a context typed in the page.
extension FeatureFlagsPages {
    static let sampleContext = #"{"targetingKey":"user-123"}"#

    func detail(_ console: ConsoleRequest, slug: String) async throws -> Page {
        let flag = try await featureFlags.get(slug: slug, caller: console.caller)
        let draft = FlagDraft(flag)
        return Page(
            template: "flag-detail", title: flag.name, section: .featureFlags,
            data: [
                "flag": [
                    "name": flag.name, "slug": flag.slug, "type": flag.type, "enabled": flag.enabled,
                    "description": flag.description ?? "—", "eventName": flag.eventName.isEmpty ? "—" : flag.eventName,
                    "defaultStrategy": Self.describe(draft.defaultStrategy), "fallback": draft.fallback.isEmpty ? "—" : draft.fallback,
                    "metadata": flag.metadata.prettyText,
                ] as [String: Any],
                "variants": (flag.variants.arrayValue ?? []).map { variant in
                    [
                        "name": variant["name"]?.stringValue ?? "", "value": (variant["value"] ?? .null).jsonText,
                        "description": variant["description"]?.stringValue ?? "",
                    ]
                },
                "rules": draft.rules.enumerated().map { index, rule in
                    ["number": index + 1, "name": rule.name, "rule": rule.rule, "strategy": Self.describe(rule.strategy)] as [String: Any]
                },
                "hasRules": !draft.rules.isEmpty,
                "canWrite": console.caller.scopes.grants(.write(.featureFlags)),
            ])
    }

    /// A strategy in words: "off", "on 20%, off 80%", "from off (0%) at … to on (100%) at …".
    static func describe(_ strategy: FlagDraft.Strategy) -> String {
        switch strategy.type {
        case "rollout_percentage":
            strategy.weights.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)%" }.joined(separator: ", ")
        case "rollout_date":
            "from \(strategy.start.variant) (\(strategy.start.percentage)%) at \(strategy.start.date.replacingOccurrences(of: "T", with: " ")) UTC "
                + "to \(strategy.end.variant) (\(strategy.end.percentage)%) at \(strategy.end.date.replacingOccurrences(of: "T", with: " ")) UTC"
        default:
            strategy.variant
        }
    }

    /// "Try it": the flag evaluated for the context typed, as OFREP answers it, and optionally one rule tested
    /// against the same context with the facts the server saw. `form` is nil before the first try.
    func trial(_ console: ConsoleRequest, slug: String, form: FormBody?) async throws -> Page {
        let flag = try await featureFlags.get(slug: slug, caller: console.caller)
        let contextText = form?["context"] ?? Self.sampleContext
        let rule = form?.text("rule")
        var data: [String: Any] = [
            "name": flag.name, "slug": flag.slug, "context": contextText, "rule": rule ?? "",
            "canTest": console.caller.scopes.grants(.write(.featureFlags)),
        ]
        if form != nil {
            switch Self.evaluationContext(contextText) {
            case .failure(let problem):
                data["contextError"] = problem.message
            case .success(let context):
                let evaluation = try await featureFlags.prepareEvaluation(context: context, caller: console.caller).evaluate(slug: slug).json
                var result: [String: Any] = [:]
                for key in ["reason", "variant", "errorCode", "errorDetails"] { result[key] = evaluation[key]?.stringValue }
                result["value"] = evaluation["value"]?.jsonText
                result["metadata"] = evaluation["metadata"]?.prettyText
                data["result"] = result
                if let rule {
                    let test = try await featureFlags.test(rule, context: context, caller: console.caller)
                    var tested: [String: Any] = [
                        "matched": test["matched"] == JSONValue.bool(true), "facts": (test["facts"] ?? JSONValue.null).prettyText,
                    ]
                    tested["issues"] = test["issues"]?.arrayValue.flatMap { issues in
                        issues.isEmpty
                            ? nil
                            : issues.map { issue in
                                "\(issue["line"]?.jsonText ?? ""):\(issue["column"]?.jsonText ?? ""): \(issue["message"]?.stringValue ?? "")"
                            }
                    }
                    tested["evaluationError"] = test["evaluationError"]?.stringValue
                    data["test"] = tested
                }
            }
        }
        return Page(template: "flag-try", title: "Try \(flag.name)", section: .featureFlags, data: data)
    }

    /// The typed context as the evaluation reads it, or why it is not one.
    static func evaluationContext(_ text: String) -> Result<EvaluationContext, ContextProblem> {
        guard let value = try? JSONValue.parse(Array(text.utf8)) else { return .failure(ContextProblem(message: "The context is not JSON.")) }
        do throws(OFREPError) {
            return .success(try EvaluationContext(request: .object(["context": value])))
        } catch {
            return .failure(ContextProblem(message: error.details))
        }
    }

    struct ContextProblem: Error {
        let message: String
    }
}
