import Foundation
import KaitenCore
import KaitenFeatureFlags

/// A feature flag as its form holds it, typed text included, between the browser and the API's JSON body.
///
/// The form has no script to add rows, so it is posted back to itself: each post rebuilds the draft from the
/// fields, applies the button pressed (add a variant or a rule, move or remove a rule) and either shows the
/// form again or, for Save, sends ``body(creating:)`` through the module's use case.
struct FlagDraft {
    static let types = ["boolean", "string", "number", "object"]
    static let strategyTypes = ["basic", "rollout_percentage", "rollout_date"]

    struct VariantRow {
        var name = ""
        var description = ""
        /// JSON text, except for string flags where it is the string itself, as typed.
        var value = ""

        var isBlank: Bool { name.isEmpty && description.isEmpty && value.isEmpty }
    }

    /// One end of a date rollout, its date as a `datetime-local` input writes it.
    struct RolloutStep {
        var variant = ""
        var percentage = ""
        var date = ""
    }

    struct Strategy {
        var type = "basic"
        var variant = ""
        /// Percentages by variant name, as typed.
        var weights: [String: String] = [:]
        var start = RolloutStep()
        var end = RolloutStep()
    }

    struct Rule {
        var name = ""
        var rule = ""
        var strategy = Strategy()

        var isBlank: Bool { name.isEmpty && rule.isEmpty }
    }

    var name = ""
    var slug = ""
    var description = ""
    var type = "boolean"
    var enabled = true
    var variants: [VariantRow] = []
    var defaultStrategy = Strategy()
    var fallback = ""
    var rules: [Rule] = []
    /// What the form does not show but a full replacement must keep.
    var eventName = ""
    var otherMetadata: [String: JSONValue] = [:]

    /// A new flag: a boolean one, with its two variants and off by default.
    static var new: FlagDraft {
        var draft = FlagDraft()
        draft.variants = [VariantRow(name: "on", value: "true"), VariantRow(name: "off", value: "false")]
        draft.defaultStrategy.variant = "off"
        draft.fallback = "false"
        return draft
    }

    // MARK: From the stored flag

    init() {}

    init(_ flag: FeatureFlagResource) {
        name = flag.name
        slug = flag.slug
        description = flag.description ?? ""
        type = flag.type
        enabled = flag.enabled
        eventName = flag.eventName
        let isString = flag.type == "string"
        variants = (flag.variants.arrayValue ?? []).map { variant in
            VariantRow(
                name: variant["name"]?.stringValue ?? "", description: variant["description"]?.stringValue ?? "",
                value: Self.text(of: variant["value"] ?? .null, isString: isString))
        }
        defaultStrategy = Strategy(flag.defaultVariant, valueKey: "value")
        rules = (flag.targetings.arrayValue ?? []).map { targeting in
            Rule(
                name: targeting["name"]?.stringValue ?? "", rule: targeting["rule"]?.stringValue ?? "",
                strategy: Strategy(targeting, valueKey: "variant"))
        }
        var metadata = flag.metadata.objectValue ?? [:]
        fallback = metadata.removeValue(forKey: "fallback_value").map { Self.text(of: $0, isString: isString) } ?? ""
        otherMetadata = metadata
    }

    private static func text(of value: JSONValue, isString: Bool) -> String {
        if isString, case .string(let text) = value { return text }
        return value.jsonText
    }

    // MARK: From the form

    /// The draft the form posted, with the pressed button's change applied.
    init(form: FormBody, stored: FlagDraft?) {
        name = form["name"] ?? ""
        slug = stored?.slug ?? form["slug"] ?? ""
        description = form["description"] ?? ""
        type = form["type"].flatMap { Self.types.contains($0) ? $0 : nil } ?? "boolean"
        enabled = form["enabled"] == "true"
        eventName = stored?.eventName ?? ""
        otherMetadata = stored?.otherMetadata ?? [:]
        fallback = form["fallback"] ?? ""
        // Row indexes name the fields; a blank row is a removed one.
        var variantNames: [Int: String] = [:]
        var index = 0
        while let rowName = form["variant-\(index)-name"] {
            let row = VariantRow(
                name: rowName.trimmingCharacters(in: .whitespaces), description: form["variant-\(index)-description"] ?? "",
                value: form["variant-\(index)-value"] ?? "")
            variantNames[index] = row.name
            if !row.isBlank { variants.append(row) }
            index += 1
        }
        defaultStrategy = Strategy(form: form, prefix: "default", variantNames: variantNames)
        index = 0
        while let rule = form["rule-\(index)-rule"] {
            let row = Rule(
                name: form["rule-\(index)-name"] ?? "", rule: rule,
                strategy: Strategy(form: form, prefix: "rule-\(index)", variantNames: variantNames))
            if !row.isBlank { rules.append(row) }
            index += 1
        }
        apply(form["action"] ?? "save")
    }

    /// What the form's buttons other than Save do.
    private mutating func apply(_ action: String) {
        switch action {
        case "add-variant":
            variants.append(VariantRow())
        case "add-rule":
            rules.append(Rule(name: "", rule: "", strategy: Strategy(variant: variants.first?.name ?? "")))
        default:
            // `rule-up-2`, `rule-down-2`, `rule-remove-2`.
            let parts = action.split(separator: "-")
            guard parts.count == 3, parts[0] == "rule", let index = Int(parts[2]), rules.indices.contains(index) else { return }
            switch parts[1] {
            case "up" where index > 0: rules.swapAt(index, index - 1)
            case "down" where index < rules.count - 1: rules.swapAt(index, index + 1)
            case "remove": rules.remove(at: index)
            default: break
            }
        }
    }

    /// Whether the post asked to save, rather than to change the form's rows.
    static func isSave(_ form: FormBody) -> Bool { (form["action"] ?? "save") == "save" }

    // MARK: To the API

    /// The body the API's create or full-replacement update takes, or the problems that keep the draft from
    /// being one (a value that is not JSON, a percentage that is not a whole number), at the body's locations.
    func body(creating: Bool) -> Result<JSONValue, APIError> {
        var problems: [ErrorDetail] = []
        let isString = type == "string"
        func value(_ text: String, at location: String) -> JSONValue {
            if isString { return .string(text) }
            guard let parsed = try? JSONValue.parse(Array(text.utf8)) else {
                problems.append(ErrorDetail(message: "expected JSON, such as true, 42, \"text\" or {\"key\": 1}", location: location))
                return .null
            }
            return parsed
        }
        let variantValues: [JSONValue] = variants.enumerated().map { index, row in
            .object([
                "name": .string(row.name), "description": .string(row.description),
                "value": value(row.value, at: "body.variants[\(index)].value"),
            ])
        }
        var metadata = otherMetadata
        if !fallback.isEmpty { metadata["fallback_value"] = value(fallback, at: "body.metadata.fallback_value") }
        let names = variants.map(\.name)
        let defaultMembers = defaultStrategy.members(valueKey: "value", variantNames: names, at: "body.default_variant", problems: &problems)
        let targetings: [JSONValue] = rules.enumerated().map { index, rule in
            var members = rule.strategy.members(valueKey: "variant", variantNames: names, at: "body.targetings[\(index)]", problems: &problems)
            members["name"] = .string(rule.name)
            members["rule"] = .string(rule.rule)
            return .object(members)
        }
        var body: [String: JSONValue] = [
            "name": .string(name), "description": description.isEmpty ? .null : .string(description), "type": .string(type),
            "variants": .array(variantValues), "default_variant": .object(defaultMembers), "targetings": .array(targetings),
            "metadata": .object(metadata), "enabled": .bool(enabled), "event_name": .string(eventName),
        ]
        if creating, !slug.isEmpty { body["slug"] = .string(slug) }
        guard problems.isEmpty else {
            return .failure(APIError(.validation, code: "Console.InvalidFlagForm", detail: "the feature flag is not valid", errors: problems))
        }
        return .success(.object(body))
    }
}

extension FlagDraft.Strategy {
    init(variant: String) {
        self.variant = variant
    }

    init(_ stored: JSONValue, valueKey: String) {
        type = stored["type"]?.stringValue ?? "basic"
        variant = stored[valueKey]?.stringValue ?? ""
        for (name, weight) in stored["distribution"]?.objectValue ?? [:] { weights[name] = weight.jsonText }
        start = FlagDraft.RolloutStep(stored["start"])
        end = FlagDraft.RolloutStep(stored["end"])
    }

    init(form: FormBody, prefix: String, variantNames: [Int: String]) {
        type = form["\(prefix)-type"].flatMap { FlagDraft.strategyTypes.contains($0) ? $0 : nil } ?? "basic"
        variant = form["\(prefix)-variant"] ?? ""
        for (index, name) in variantNames where !name.isEmpty {
            if let weight = form.text("\(prefix)-weight-\(index)") { weights[name] = weight }
        }
        start = FlagDraft.RolloutStep(form: form, prefix: "\(prefix)-start")
        end = FlagDraft.RolloutStep(form: form, prefix: "\(prefix)-end")
    }

    /// The wire's members for this strategy; `at` is its location in the body, for the problems found.
    func members(valueKey: String, variantNames: [String], at location: String, problems: inout [ErrorDetail]) -> [String: JSONValue] {
        switch type {
        case "rollout_percentage":
            var distribution: [String: JSONValue] = [:]
            for name in variantNames {
                guard let text = weights[name] else { continue }
                guard let weight = Int64(text) else {
                    problems.append(
                        ErrorDetail(message: "the percentage of \"\(name)\" must be a whole number", location: "\(location).distribution"))
                    continue
                }
                distribution[name] = .integer(weight)
            }
            return ["type": "rollout_percentage", "distribution": .object(distribution)]
        case "rollout_date":
            return [
                "type": "rollout_date", "start": start.json(at: "\(location).start", problems: &problems),
                "end": end.json(at: "\(location).end", problems: &problems),
            ]
        default:
            return ["type": "basic", valueKey: .string(variant)]
        }
    }
}

extension FlagDraft.RolloutStep {
    init(_ stored: JSONValue?) {
        variant = stored?["variant"]?.stringValue ?? ""
        percentage = stored?["percentage"].map(\.jsonText) ?? ""
        // A datetime-local input takes minutes in UTC, without the zone: "2026-12-03T15:30".
        date = stored?["date"]?.stringValue.map { String($0.prefix(16)) } ?? ""
    }

    init(form: FormBody, prefix: String) {
        variant = form["\(prefix)-variant"] ?? ""
        percentage = form["\(prefix)-percentage"] ?? ""
        date = form["\(prefix)-date"] ?? ""
    }

    func json(at location: String, problems: inout [ErrorDetail]) -> JSONValue {
        let whole = Int64(percentage.trimmingCharacters(in: .whitespaces))
        if whole == nil {
            problems.append(ErrorDetail(message: "the percentage must be a whole number from 0 to 100", location: "\(location).percentage"))
        }
        // The input gives minutes without a zone; the console's dates are UTC.
        let timestamp = date.count == 16 ? "\(date):00Z" : date
        return .object(["variant": .string(variant), "percentage": .integer(whole ?? 0), "date": .string(timestamp)])
    }
}
