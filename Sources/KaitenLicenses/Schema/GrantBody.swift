import Foundation
import KaitenCore

/// The body of associate-entitlement and update-license-entitlement: the `LicenseEntitlement` schema, of which
/// a client writes `entitlementSlug`, `value` and `limitCapExceededOveragePercent`.
struct GrantBody {
    let entitlementSlug: String?
    let value: [String: JSONValue]
    let overagePercent: Int?

    init(body: JSONValue) throws {
        var reader = JSONObjectReader(body)
        entitlementSlug = reader.string("entitlementSlug")
        value = reader.object("value", required: true) ?? [:]
        overagePercent = BodyMembers.int32("limitCapExceededOveragePercent", in: &reader)
        try reader.finish()
    }
}

/// A grant's value and overage percent, checked against the type of the entitlement granted.
///
/// The overage percent derives the grant's enforcement from its own value: −1 exactly when the value is
/// unlimited (−1), otherwise 0 for a hard cap or a positive tolerance; boolean and object grants have none.
struct GrantTerms {
    static let unlimitedOverage = -1
    /// The column is a `smallint`.
    static let maximumOverage = Int(Int16.max)

    let value: EntitlementValue
    let overagePercent: Int?

    /// - Parameter operation: the prefix of the error codes, e.g. `AssociateEntitlementToLicense`.
    /// - Throws: 400 `<operation>.InvalidValue` or `<operation>.InvalidLimitCapExceededOveragePercent`.
    init(value raw: [String: JSONValue], overagePercent: Int?, entitlementType: String, operation: String) throws {
        switch Self.value(raw, for: entitlementType) {
        case .success(let value): self.value = value
        case .failure(let reason): throw APIError.validation("\(operation).InvalidValue", reason.message)
        }
        switch Self.overage(overagePercent, for: value) {
        case .success(let overage): self.overagePercent = overage
        case .failure(let reason): throw APIError.validation("\(operation).InvalidLimitCapExceededOveragePercent", reason.message)
        }
    }

    struct Refusal: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// The one shape an entitlement of this type takes.
    static func value(_ raw: [String: JSONValue], for entitlementType: String) -> Result<EntitlementValue, Refusal> {
        guard case .string(let type)? = raw["type"], !type.isEmpty else { return .failure(Refusal("value.type is required")) }
        let (expected, valueKind): (String, String) =
            switch entitlementType {
            case "BOOLEAN": ("boolean", "a boolean")
            case "CONFIG": ("object", "an object")
            default: ("number", "a number")
            }
        guard type == expected else { return .failure(Refusal("value.type must be \"\(expected)\" for \(entitlementType) entitlements")) }
        guard let value = EntitlementValue(json: .object(raw)) else {
            if Set(raw.keys).isSubset(of: ["type", "value"]) {
                return .failure(Refusal("value.value must be \(valueKind) for \(entitlementType) entitlements"))
            }
            return .failure(Refusal("value accepts only the members type and value"))
        }
        return .success(value)
    }

    static func overage(_ given: Int?, for value: EntitlementValue) -> Result<Int?, Refusal> {
        guard case .number = value else {
            if given != nil { return .failure(Refusal("limitCapExceededOveragePercent is only allowed when value.type is \"number\"")) }
            return .success(nil)
        }
        let overage = given ?? (value.isUnlimited ? unlimitedOverage : 0)
        if value.isUnlimited {
            guard overage == unlimitedOverage else {
                return .failure(Refusal("limitCapExceededOveragePercent must be \(unlimitedOverage) when the entitlement value is unlimited"))
            }
        } else if overage < 0 {
            return .failure(Refusal("limitCapExceededOveragePercent must be \(unlimitedOverage) (unlimited) or >= 0"))
        } else if overage > maximumOverage {
            return .failure(Refusal("limitCapExceededOveragePercent must be at most \(maximumOverage)"))
        }
        return .success(overage)
    }
}
