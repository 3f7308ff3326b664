import Foundation
import KaitenCore

/// The type of every value a flag's variants hold.
enum FlagType: String, CaseIterable, Sendable {
    case boolean, string, number, object

    /// Whether `value` is of this type; `number` takes any JSON number, `object` any JSON value.
    func admits(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.boolean, .bool), (.string, .string), (.number, .integer), (.number, .number), (.object, _): true
        default: false
        }
    }

    /// What a flag serves when its chosen variant does not exist.
    var zeroValue: JSONValue {
        switch self {
        case .boolean: .bool(false)
        case .string: .string("")
        case .number: .integer(0)
        case .object: .object([:])
        }
    }
}

/// One value a flag can serve, by name.
struct Variant: Sendable, Equatable {
    let name: String
    let description: String
    let value: JSONValue

    init(name: String, description: String, value: JSONValue) {
        self.name = name
        self.description = description
        self.value = value
    }

    init?(reading reader: inout JSONObjectReader) {
        let name = reader.string("name", required: true, minLength: 1, maxLength: 255)
        let description = reader.string("description", required: true, maxLength: 10_000) ?? ""
        guard reader.contains("value") else {
            reader.reject("value", "expected required property value to be present")
            return nil
        }
        guard let name else { return nil }
        self.init(name: name, description: description, value: reader.raw("value") ?? .null)
    }

    var json: JSONValue { .object(["name": .string(name), "description": .string(description), "value": value]) }
}

/// One end of a date rollout: the variant served and the share of keys on it at that date.
struct RolloutStep: Sendable, Equatable {
    let variant: String
    let percentage: Int
    let date: Date

    init?(reading reader: inout JSONObjectReader) {
        let variant = reader.string("variant", required: true, maxLength: 255)
        let percentage = reader.integer("percentage", in: 0...100)
        if !reader.contains("percentage") { reader.reject("percentage", "expected required property percentage to be present") }
        let date = reader.timestamp("date", required: true)
        guard let variant, let percentage, let date else { return nil }
        self.variant = variant
        self.percentage = percentage
        self.date = date
    }

    var json: JSONValue {
        .object(["variant": .string(variant), "percentage": .integer(Int64(percentage)), "date": .string(Timestamp.format(date))])
    }
}

/// How a variant is chosen: one variant for everyone, a weighted split of the targeting keys, or a split
/// that moves from one variant to another between two dates.
enum VariantStrategy: Sendable, Equatable {
    case basic(variant: String)
    case rolloutPercentage(weights: [String: Int64])
    case rolloutDate(start: RolloutStep, end: RolloutStep)

    /// Reads the strategy members of `reader` (`value`, `distribution` or `start`/`end`) for `type`.
    init?(type: String?, valueKey: String, reading reader: inout JSONObjectReader) {
        switch type {
        case "basic":
            guard let variant = reader.string(valueKey, required: true, maxLength: 255) else { return nil }
            self = .basic(variant: variant)
        case "rollout_percentage":
            guard
                let distribution = reader.object(
                    "distribution", required: true,
                    { weights -> [String: Int64]? in
                        var result: [String: Int64] = [:]
                        for key in weights.memberNames {
                            // Any int64, as the contract says; as in Go, a weight of zero or less serves nobody.
                            switch weights.raw(key) {
                            case .integer(let weight)?:
                                result[key] = weight
                            case .number(let weight)? where weight.rounded() == weight && abs(weight) < 9.2e18:
                                result[key] = Int64(weight)
                            default:
                                weights.reject(key, "expected integer")
                            }
                        }
                        return weights.hasViolations ? nil : result
                    })
            else { return nil }
            self = .rolloutPercentage(weights: distribution)
        case "rollout_date":
            let start = reader.object("start", required: true) { RolloutStep(reading: &$0) }
            let end = reader.object("end", required: true) { RolloutStep(reading: &$0) }
            guard let start, let end else { return nil }
            self = .rolloutDate(start: start, end: end)
        default:
            // The type was refused already; its members are not also unexpected.
            for key in [valueKey, "distribution", "start", "end"] { _ = reader.raw(key) }
            return nil
        }
    }

    var typeName: String {
        switch self {
        case .basic: "basic"
        case .rolloutPercentage: "rollout_percentage"
        case .rolloutDate: "rollout_date"
        }
    }

    /// The variant names the strategy can serve.
    var variantNames: [String] {
        switch self {
        case .basic(let variant): [variant]
        case .rolloutPercentage(let weights): weights.keys.sorted()
        case .rolloutDate(let start, let end): [start.variant, end.variant]
        }
    }

    /// The strategy's members, as the wire writes them (`valueKey` names the basic variant's member).
    func members(valueKey: String) -> [String: JSONValue] {
        switch self {
        case .basic(let variant):
            ["type": "basic", valueKey: .string(variant)]
        case .rolloutPercentage(let weights):
            ["type": "rollout_percentage", "distribution": .object(weights.mapValues(JSONValue.integer))]
        case .rolloutDate(let start, let end):
            ["type": "rollout_date", "start": start.json, "end": end.json]
        }
    }

    /// What is wrong with the strategy against the flag's variants, as messages for one location.
    func problems(variants: Set<String>) -> [String] {
        var problems = variantNames.filter { !variants.contains($0) }.map { "variant \"\($0)\" is not one of the flag's variants" }
        switch self {
        case .basic(let variant) where variant.isEmpty:
            problems.append("a variant is required")
        case .rolloutPercentage(let weights) where !weights.values.contains(where: { $0 > 0 }):
            problems.append("the distribution needs a variant with a weight above 0")
        case .rolloutDate(let start, let end) where start.date >= end.date:
            problems.append("the rollout must end after it starts")
        default:
            break
        }
        return problems
    }
}

/// One targeting rule: when `rule` holds for a context, `strategy` chooses the variant.
struct Targeting: Sendable, Equatable {
    let name: String
    let rule: String
    let strategy: VariantStrategy

    init?(reading reader: inout JSONObjectReader) {
        let type = reader.string("type", required: true, pattern: TextPattern("^(basic|rollout_date|rollout_percentage)$"))
        let name = reader.string("name", required: true, maxLength: 255)
        let rule = reader.string("rule", required: true, maxLength: 10_000)
        guard let type, let strategy = VariantStrategy(type: type, valueKey: "variant", reading: &reader), let name, let rule else { return nil }
        self.name = name
        self.rule = rule
        self.strategy = strategy
    }

    var json: JSONValue {
        var members = strategy.members(valueKey: "variant")
        members["name"] = .string(name)
        members["rule"] = .string(rule)
        return .object(members)
    }
}

/// Everything a client writes of a flag, shared by create and the full-replacement update.
struct FlagDefinition: Sendable {
    let name: String
    let description: String?
    let type: FlagType
    let variants: [Variant]
    let defaultVariant: VariantStrategy
    let targetings: [Targeting]
    let metadata: [String: JSONValue]
    let enabled: Bool
    let eventName: String

    /// Reads the body's members, every one the contract requires (the SDK sends them all); schema violations
    /// (types, bounds, absent or unknown members) are collected in `reader`.
    init?(reading reader: inout JSONObjectReader) {
        let name = reader.string("name", required: true, minLength: 1, maxLength: 255)
        let description = reader.string("description", required: true, nullable: true, maxLength: 10_000)
        let type = reader.string("type", required: true, pattern: TextPattern("^(boolean|string|number|object)$")).flatMap(FlagType.init)
        let variants = reader.objects("variants", required: true, nullable: true) { Variant(reading: &$0) }
        let defaultVariant = reader.object("default_variant", required: true) { strategy -> VariantStrategy? in
            let kind = strategy.string("type", required: true, pattern: TextPattern("^(basic|rollout_date|rollout_percentage)$"))
            return VariantStrategy(type: kind, valueKey: "value", reading: &strategy)
        }
        let targetings = reader.objects("targetings", required: true, nullable: true) { Targeting(reading: &$0) }
        let metadata = reader.object("metadata", required: true)
        let enabled = reader.boolean("enabled", required: true)
        let eventName = reader.string("event_name", required: true, maxLength: 255)
        // Read-only members a client echoes back from a GET are accepted and ignored.
        _ = reader.raw("id")
        guard let name, let type, let defaultVariant, !reader.hasViolations else { return nil }
        self.name = name
        self.description = description
        self.type = type
        self.variants = variants ?? []
        self.defaultVariant = defaultVariant
        self.targetings = targetings ?? []
        self.metadata = metadata ?? [:]
        self.enabled = enabled ?? true
        self.eventName = eventName ?? ""
    }

    /// Kaiten's cross-member checks: a 400 `VALIDATION_FAILED` listing each problem at its location, sorted
    /// by location. `lint` checks one targeting rule and answers its problems.
    func validate(lint: (String) -> [String]) throws {
        var errors: [ErrorDetail] = []
        let names = Set(variants.map(\.name))
        for (index, variant) in variants.enumerated() {
            if !type.admits(variant.value) {
                errors.append(
                    ErrorDetail(message: "expected a \(type.rawValue) value", location: "body.variants[\(index)].value", value: variant.value))
            }
        }
        if names.count != variants.count {
            errors.append(ErrorDetail(message: "variant names must be unique", location: "body.variants"))
        }
        for problem in defaultVariant.problems(variants: names) {
            errors.append(ErrorDetail(message: problem, location: "body.default_variant"))
        }
        if let fallback = metadata["fallback_value"], !type.admits(fallback) {
            errors.append(ErrorDetail(message: "expected a \(type.rawValue) value", location: "body.metadata.fallback_value", value: fallback))
        }
        for (index, targeting) in targetings.enumerated() {
            for problem in targeting.strategy.problems(variants: names) {
                errors.append(ErrorDetail(message: problem, location: "body.targetings[\(index)]"))
            }
            for problem in lint(targeting.rule) {
                errors.append(ErrorDetail(message: problem, location: "body.targetings[\(index)].rule", value: .string(targeting.rule)))
            }
        }
        guard errors.isEmpty else {
            throw APIError(
                .validation, code: "VALIDATION_FAILED", detail: "the feature flag is not valid", errors: errors.sorted { $0.location < $1.location })
        }
    }
}
