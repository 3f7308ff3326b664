import CEL
import Foundation
import KaitenCore

/// Why an evaluation served its value, in OpenFeature's words.
enum EvaluationReason: String, Sendable {
    case `static` = "STATIC"
    case `default` = "DEFAULT"
    case targetingMatch = "TARGETING_MATCH"
    case split = "SPLIT"
    case disabled = "DISABLED"
}

/// The outcome of evaluating one flag for one context.
struct Resolution: Sendable, Equatable {
    let value: JSONValue
    let variant: String
    let reason: EvaluationReason
    /// The targeting rule that chose the variant.
    let matchedRule: String?
    /// `"<rule name>: <error>"` for each rule that could not run; such a rule does not match.
    let brokenRules: [String]
}

/// Why a targeting rule could not run.
struct RuleFailure: Error {
    let message: String
}

/// Kaiten's evaluation order: a disabled flag serves its default; otherwise the targeting rules are tried in
/// order and the first that holds chooses, a rule that cannot run being skipped and reported; with no match
/// the default strategy chooses.
struct FlagEvaluator: Sendable {
    let now: Date

    func evaluate(_ flag: EvaluableFlag, context: EvaluationContext, activation: CELActivation) -> Result<Resolution, OFREPError> {
        let definition = flag.definition
        guard definition.enabled else {
            return choose(definition.defaultVariant, flag: flag, context: context).map {
                resolution(flag, variant: $0, reason: .disabled, matchedRule: nil, brokenRules: [])
            }
        }
        var broken: [String] = []
        for (targeting, program) in zip(definition.targetings, flag.programs) {
            switch matches(program, activation: activation) {
            case .failure(let error):
                broken.append("\(targeting.name): \(error.message)")
            case .success(false):
                continue
            case .success(true):
                switch pick(targeting.strategy, flag: flag, context: context) {
                case .failure(let error):
                    return .failure(error)
                case .success(nil):
                    // A split that left this key uncovered: the next rule may still match.
                    continue
                case .success(let variant?):
                    let reason: EvaluationReason = if case .basic = targeting.strategy { .targetingMatch } else { .split }
                    return .success(resolution(flag, variant: variant, reason: reason, matchedRule: targeting.name, brokenRules: broken))
                }
            }
        }
        let reason: EvaluationReason
        if !definition.targetings.isEmpty {
            reason = .default
        } else if case .basic = definition.defaultVariant {
            reason = .static
        } else {
            reason = .split
        }
        return choose(definition.defaultVariant, flag: flag, context: context).map {
            resolution(flag, variant: $0, reason: reason, matchedRule: nil, brokenRules: broken)
        }
    }

    /// Whether a rule holds: an error when it does not compile, fails, or gives anything but a boolean.
    private func matches(_ program: Result<CELProgram, CELCompileError>, activation: CELActivation) -> Result<Bool, RuleFailure> {
        switch program {
        case .failure(let error):
            return .failure(RuleFailure(message: error.description))
        case .success(let program):
            do {
                guard case .bool(let holds) = try program.evaluate(activation) else {
                    return .failure(RuleFailure(message: "the rule does not give a boolean"))
                }
                return .success(holds)
            } catch {
                return .failure(RuleFailure(message: error.message))
            }
        }
    }

    /// The variant a strategy picks; a split needs the targeting key to bucket by.
    private func pick(_ strategy: VariantStrategy, flag: EvaluableFlag, context: EvaluationContext) -> Result<String?, OFREPError> {
        if case .basic(let variant) = strategy { return .success(variant) }
        guard let key = context.targetingKey else {
            return .failure(OFREPError(.targetingKeyMissing, "flag \"\(flag.slug)\" splits by targeting key, and the context has none"))
        }
        let bucket = Bucket(flagSlug: flag.slug, targetingKey: key)
        switch strategy {
        case .basic(let variant): return .success(variant)
        case .rolloutPercentage(let weights): return .success(bucket.variant(weights: weights))
        case .rolloutDate(let start, let end): return .success(bucket.variant(start: start, end: end, now: now))
        }
    }

    private func choose(_ strategy: VariantStrategy, flag: EvaluableFlag, context: EvaluationContext) -> Result<String, OFREPError> {
        pick(strategy, flag: flag, context: context).map { $0 ?? "" }
    }

    private func resolution(
        _ flag: EvaluableFlag, variant: String, reason: EvaluationReason, matchedRule: String?, brokenRules: [String]
    ) -> Resolution {
        Resolution(
            value: flag.values[variant] ?? flag.definition.type.zeroValue,
            variant: variant,
            reason: reason,
            matchedRule: matchedRule,
            brokenRules: brokenRules
        )
    }
}
