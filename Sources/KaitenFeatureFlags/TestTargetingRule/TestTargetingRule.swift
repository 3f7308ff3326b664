import CEL
import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /feature-flags/targeting/test`: runs a rule once against a context and shows the facts it saw. Nothing
/// is recorded: no event, no metering.
package enum TestTargetingRule {
    static let operation = APIOperation("test-targeting-rule", .post, "/feature-flags/targeting/test")
    static let requiredScope = Scope.write(.featureFlags)

    static func register(on router: OperationRouter, module: FeatureFlagsModule) {
        router.on(operation) { request, context in
            var reader = JSONObjectReader(try await request.jsonBody())
            let rule = reader.string("rule", required: true, maxLength: 10_000) ?? ""
            let targetingKey = reader.string("targetingKey", maxLength: 10_000)
            var contextMembers = reader.object("context") ?? [:]
            try reader.finish()
            if let targetingKey { contextMembers["targetingKey"] = .string(targetingKey) }
            let evaluationContext: EvaluationContext
            do {
                evaluationContext = try EvaluationContext(request: .object(["context": .object(contextMembers)]))
            } catch let error as OFREPError {
                throw APIError.schemaViolations([ErrorDetail(message: error.details, location: "body.context")])
            }
            return try JSONResponse.make(try await module.test(rule, context: evaluationContext, caller: try context.organizationCaller()))
        }
    }
}

extension FeatureFlagsModule {
    package func test(_ rule: String, context: EvaluationContext, caller: OrganizationCaller) async throws -> JSONValue {
        try caller.require(TestTargetingRule.requiredScope)
        let issues = TargetingRules.lint(rule, entitlementSlugs: try await entitlementSlugs(of: caller.organizationID))
        let facts = try await TargetingFacts.read(
            organizationID: caller.organizationID, context: context, on: database, logger: database.logger
        ).facts
        var result: [String: JSONValue] = [
            "facts": facts.json, "issues": .array(issues.map(\.json)), "valid": .bool(issues.isEmpty), "matched": false,
        ]
        var variables = context.attributes
        variables["targetingKey"] = context.targetingKey.map(CELValue.string) ?? .null
        variables[TargetingRules.factsRoot] = facts
        switch TargetingRules.programs.program(rule) {
        case .failure(let error):
            result["evaluationError"] = .string(error.description)
        case .success(let program):
            do {
                let value = try program.evaluate(variables)
                if case .bool(let matched) = value {
                    result["matched"] = .bool(matched)
                } else {
                    result["evaluationError"] = "the rule does not give a boolean"
                }
            } catch {
                result["evaluationError"] = .string(error.message)
            }
        }
        return .object(result)
    }
}

extension CELValue {
    /// The value as JSON, for showing facts: maps with string keys become objects.
    var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let integer): .integer(integer)
        case .uint(let integer): integer <= UInt64(Int64.max) ? .integer(Int64(integer)) : .number(Double(integer))
        case .double(let number): number.isFinite ? .number(number) : .null
        case .string(let text): .string(text)
        case .bytes(let bytes): .string(Data(bytes).base64EncodedString())
        case .list(let items): .array(items.map(\.json))
        case .map(let map):
            .object(
                Dictionary(
                    map.entries.compactMap { entry in
                        if case .string(let key) = entry.key { (key, entry.value.json) } else { nil }
                    }, uniquingKeysWith: { first, _ in first }))
        case .timestamp, .duration, .type: .string("\(self)")
        }
    }
}
