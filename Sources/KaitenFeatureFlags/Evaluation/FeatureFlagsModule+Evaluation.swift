import CEL
import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

extension FeatureFlagsModule {
    static let evaluationScope = Scope.read(.featureFlags)

    /// One flag's evaluation as OFREP answers it.
    struct Evaluation: Sendable {
        let key: String
        let outcome: Result<Resolution, OFREPError>

        var json: JSONValue {
            switch outcome {
            case .success(let resolution):
                var members: [String: JSONValue] = [
                    "key": .string(key), "value": resolution.value, "reason": .string(resolution.reason.rawValue),
                    "variant": .string(resolution.variant),
                ]
                if !resolution.brokenRules.isEmpty {
                    members["metadata"] = .object(["kaiten.brokenTargetingRules": .array(resolution.brokenRules.map(JSONValue.string))])
                }
                return .object(members)
            case .failure(let error):
                return .object(["key": .string(key), "errorCode": .string(error.code.rawValue), "errorDetails": .string(error.details)])
            }
        }
    }

    /// Evaluates the organization's flags named by `slug` (every flag when nil) for `context`, and queues an
    /// evaluated event for each flag that exists.
    func evaluate(slug: String?, context: EvaluationContext, caller: OrganizationCaller) async throws -> [Evaluation] {
        try caller.require(Self.evaluationScope)
        let flags = try await FeatureFlagRows.fetch(
            """
            \(unescaped: FeatureFlagRows.selection)
            WHERE f.organization_id = \(caller.organizationID) AND (\(slug)::text IS NULL OR f.slug = \(slug))
            ORDER BY f.slug
            """,
            on: database.client,
            logger: database.logger
        )
        if let slug, flags.isEmpty {
            return [Evaluation(key: slug, outcome: .failure(OFREPError(.flagNotFound, "feature flag \"\(slug)\" not found")))]
        }
        var variables = context.attributes
        variables["targetingKey"] = context.targetingKey.map(CELValue.string) ?? .null
        variables[TargetingRules.factsRoot] = try await TargetingFacts.load(
            organizationID: caller.organizationID, context: context, on: database.client, logger: database.logger
        )
        // Bound once: every rule of every flag reads the same context.
        let activation = TargetingRules.environment.bind(variables)
        let evaluator = FlagEvaluator(now: now())
        return flags.map { flag in
            let outcome: Result<Resolution, OFREPError>
            do {
                outcome = evaluator.evaluate(try EvaluableFlag(flag), context: context, activation: activation)
            } catch {
                outcome = .failure(OFREPError(.parseError, "the stored definition of flag \"\(flag.slug)\" cannot be read"))
            }
            recordEvaluated(flag, outcome: outcome, organizationID: caller.organizationID)
            return Evaluation(key: flag.slug, outcome: outcome)
        }
    }

    private func recordEvaluated(_ flag: FeatureFlagResource, outcome: Result<Resolution, OFREPError>, organizationID: UUID) {
        var data: [String: JSONValue] = ["flag_slug": .string(flag.slug), "flag_id": .string(flag.id)]
        switch outcome {
        case .success(let resolution):
            data["reason"] = .string(resolution.reason.rawValue)
            data["variant"] = .string(resolution.variant)
            if resolution.reason == .targetingMatch, let rule = resolution.matchedRule { data["matched_rule_name"] = .string(rule) }
        case .failure(let error):
            data["reason"] = "ERROR"
            data["error_code"] = .string(error.code.rawValue)
            data["error_message"] = .string(error.details)
        }
        if let message = try? OutboxMessage(organizationID: organizationID, event: EvaluationEvents.event, data: JSONValue.object(data)) {
            evaluationEvents.record(message)
        }
    }
}

/// OFREP's answers are plain JSON, never problem documents.
enum OFREPResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: value.jsonText)))
    }

    /// The request's context, or the OFREP failure answering a body that is not one. A body too large (413)
    /// or declared as something other than JSON (415) is refused as every operation refuses it.
    static func context(of request: Request, required: Bool) async throws -> Result<EvaluationContext, OFREPError> {
        try request.requireJSONMediaType()
        let buffer = try await request.collectBody()
        let body: JSONValue?
        if buffer.readableBytes == 0 {
            guard !required else { return .failure(OFREPError(.invalidContext, "the request needs a body {\"context\": {…}}")) }
            body = nil
        } else {
            do {
                body = try JSONValue.parse(buffer.readableBytesView)
            } catch let error as APIError {
                return .failure(OFREPError(.invalidContext, "the body is not JSON: \(error.detail)"))
            }
        }
        do {
            return .success(try EvaluationContext(request: body))
        } catch {
            return .failure(error)
        }
    }
}
