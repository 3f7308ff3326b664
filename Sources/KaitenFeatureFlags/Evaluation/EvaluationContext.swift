import CEL
import Foundation
import KaitenCore

/// What one evaluation is asked with: the OFREP request's `context`.
package struct EvaluationContext: Sendable {
    /// The key splits bucket by; an empty one counts as none.
    let targetingKey: String?
    /// Every top-level member but `targetingKey` and `__kaiten`, each a CEL variable of the same name. What a
    /// caller sends under `__kaiten` is dropped: the server fills that namespace.
    let attributes: [String: CELValue]
    /// The instance the `kaiten` input names (`{"instanceSlug": …}` or `{"instanceId": …}`), whose instance,
    /// customer and zone facts a rule may read.
    let instance: InstanceReference?
    /// The context as sent, but for `__kaiten`: what a bulk answer's ETag covers of it.
    let members: [String: JSONValue]

    enum InstanceReference: Sendable, Equatable {
        case slug(String)
        case id(UUID)
    }

    /// Reads `{"context": {…}}`; a body or context that is not an object is the caller's error.
    package init(request body: JSONValue?) throws(OFREPError) {
        var context: [String: JSONValue] = [:]
        switch body {
        case nil:
            break
        case .object(let members)?:
            if let unexpected = members.keys.sorted().first(where: { $0 != "context" }) {
                throw OFREPError(.invalidContext, "unexpected member \"\(unexpected)\": the body holds only context")
            }
            switch members["context"] {
            case nil: break
            case .object(let members)?: context = members
            default: throw OFREPError(.invalidContext, "context must be a JSON object")
            }
        default:
            throw OFREPError(.invalidContext, "the body must be a JSON object with a context object")
        }
        switch context["targetingKey"] {
        case nil, .null?: targetingKey = nil
        case .string(let key)?: targetingKey = key.isEmpty ? nil : key
        default: throw OFREPError(.invalidContext, "targetingKey must be a string")
        }
        context[TargetingRules.factsRoot] = nil
        members = context
        attributes = context.mapValues(CELValue.init(json:))
        if case .object(let input)? = context["kaiten"] {
            if case .string(let slug)? = input["instanceSlug"] {
                instance = .slug(slug)
            } else if case .string(let text)? = input["instanceId"], let id = UUID(uuidString: text) {
                instance = .id(id)
            } else {
                instance = nil
            }
        } else {
            instance = nil
        }
    }
}

extension CELValue {
    /// A JSON value as CEL reads it: whole numbers as `int`, other numbers as `double`, objects as maps.
    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .integer(let integer): self = .int(integer)
        case .number(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .list(items.map(CELValue.init(json:)))
        case .object(let members): self = .map(CELMap(members.mapValues(CELValue.init(json:))))
        }
    }
}
