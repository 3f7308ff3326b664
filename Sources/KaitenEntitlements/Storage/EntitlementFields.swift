import Foundation
import KaitenCore

/// The writable members of an entitlement, shared by create and the full-replacement update.
///
/// Reading enforces the contract's schema (types, enums, bounds, patterns), which Kaiten reports as 422
/// `UNPROCESSABLE`; ``validate(type:aggregationMethod:resetAnchor:operation:)`` then makes the cross-member
/// checks Kaiten reports as 400 with an operation-specific code.
struct EntitlementFields {
    static let iconPattern = TextPattern("^[a-z0-9]+:[a-z0-9]+(-[a-z0-9]+)*$")
    /// Icon providers the server accepts; the shape is the schema's, the provider is a business rule.
    static let iconProviders: Set<String> = ["lucide"]

    let name: String
    let description: String?
    let slug: String?
    let type: EntitlementType?
    let aggregationMethod: AggregationMethod?
    /// Nil when absent or null: on update, that keeps the memberships as they are.
    let groupSlugs: [String]?
    let icon: String?
    let unitSingular: String?
    let unitPlural: String?
    let saleUnitSingular: String?
    let saleUnitPlural: String?
    let saleUnitFactor: Double?
    let userFacing: Bool?
    let displayOrder: Int?
    let warningThresholdPercent: Int?
    let resetPeriod: ResetPeriod?
    let resetAnchor: ResetAnchor?

    init(reading reader: inout JSONObjectReader) {
        name = reader.string("name", required: true, minLength: 1) ?? ""
        description = reader.string("description", required: true, nullable: true)
        slug = reader.slug()
        type = Self.enumeration("type", from: &reader)
        aggregationMethod = Self.enumeration("aggregationMethod", from: &reader)
        groupSlugs = reader.stringArray("groupSlugs", nullable: true)
        icon = reader.string("icon", maxLength: 64, pattern: Self.iconPattern)
        unitSingular = reader.string("unitSingular", minLength: 1, maxLength: 100)
        unitPlural = reader.string("unitPlural", minLength: 1, maxLength: 100)
        saleUnitSingular = reader.string("saleUnitSingular", minLength: 1, maxLength: 100)
        saleUnitPlural = reader.string("saleUnitPlural", minLength: 1, maxLength: 100)
        saleUnitFactor = Self.positiveNumber("saleUnitFactor", from: &reader)
        userFacing = reader.boolean("userFacing")
        displayOrder = reader.integer("displayOrder", in: 0...Int(Int32.max))
        warningThresholdPercent = reader.integer("warningThresholdPercent", in: 0...100)
        resetPeriod = Self.enumeration("resetPeriod", from: &reader)
        resetAnchor = Self.enumeration("resetAnchor", from: &reader)
    }

    /// Kaiten's cross-member rules, checked against the type the entitlement has (or will have).
    ///
    /// - Parameters:
    ///   - aggregationMethod: the resolved method (SUM by default for the number family, nil otherwise).
    ///   - resetAnchor: the resolved anchor (CALENDAR when only a period was given).
    ///   - operation: the code prefix, `CreateEntitlement` or `UpdateEntitlement`.
    /// - Throws: 400 `<operation>.InvalidUnitsConfiguration`, `.InvalidEnforcementPolicyConfiguration`,
    ///   `.InvalidResetConfiguration` or `.InvalidIcon`.
    func validate(type: EntitlementType, aggregationMethod: AggregationMethod?, resetAnchor: ResetAnchor?, operation: String) throws {
        if let reason = unitsProblem(type: type) {
            throw APIError.validation("\(operation).InvalidUnitsConfiguration", reason)
        }
        if !type.isNumberFamily, warningThresholdPercent != nil {
            throw APIError.validation(
                "\(operation).InvalidEnforcementPolicyConfiguration",
                "warningThresholdPercent is only allowed when type is NUMBER or NUMBER_AI_CREDIT"
            )
        }
        if let reason = resetProblem(type: type, aggregationMethod: aggregationMethod, resetAnchor: resetAnchor) {
            throw APIError.validation("\(operation).InvalidResetConfiguration", reason)
        }
        if let icon, let provider = icon.split(separator: ":").first, !Self.iconProviders.contains(String(provider)) {
            throw APIError.validation("\(operation).InvalidIcon", "unsupported icon provider \"\(provider)\"")
        }
    }

    /// The units rules, mirrored by the table's check constraints.
    private func unitsProblem(type: EntitlementType) -> String? {
        let labels = [unitSingular, unitPlural, saleUnitSingular, saleUnitPlural]
        if !type.isNumberFamily, labels.contains(where: { $0 != nil }) || saleUnitFactor != nil {
            return "unit fields are only allowed when type is NUMBER or NUMBER_AI_CREDIT"
        }
        if labels.contains(where: { $0?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true }) {
            return "unit labels must not be empty"
        }
        if (unitSingular == nil) != (unitPlural == nil) {
            return "unitSingular and unitPlural must be provided together"
        }
        let saleUnitMembers = [saleUnitSingular != nil, saleUnitPlural != nil, saleUnitFactor != nil].filter { $0 }.count
        if saleUnitMembers != 0 && saleUnitMembers != 3 {
            return "saleUnitSingular, saleUnitPlural and saleUnitFactor must be provided together"
        }
        if saleUnitMembers == 3 && unitSingular == nil {
            return "sale unit fields require unitSingular and unitPlural to be set"
        }
        return nil
    }

    private func resetProblem(type: EntitlementType, aggregationMethod: AggregationMethod?, resetAnchor: ResetAnchor?) -> String? {
        guard resetPeriod != nil else {
            return resetAnchor == nil ? nil : "resetAnchor must be null when resetPeriod is null"
        }
        if !type.isNumberFamily { return "resetPeriod is only allowed when type is NUMBER or NUMBER_AI_CREDIT" }
        if aggregationMethod == .latest { return "resetPeriod is incompatible with aggregationMethod LATEST" }
        return nil
    }

    // MARK: Schema readers for the member types JSONObjectReader has no accessor for.

    private static func enumeration<Value: RawRepresentable & CaseIterable>(_ key: String, from reader: inout JSONObjectReader) -> Value?
    where Value.RawValue == String {
        guard let value = reader.raw(key) else { return nil }
        guard case .string(let text) = value else {
            reader.reject(key, "expected string, got \(value.typeName)", value: value)
            return nil
        }
        guard let parsed = Value(rawValue: text) else {
            reader.reject(key, "expected value to be one of \"\(Value.allCases.map(\.rawValue).joined(separator: ", "))\"", value: value)
            return nil
        }
        return parsed
    }

    private static func positiveNumber(_ key: String, from reader: inout JSONObjectReader) -> Double? {
        guard let value = reader.raw(key) else { return nil }
        guard let number = value.doubleValue else {
            reader.reject(key, "expected number, got \(value.typeName)", value: value)
            return nil
        }
        guard number > 0 else {
            reader.reject(key, "expected number > 0", value: value)
            return nil
        }
        return number
    }
}
