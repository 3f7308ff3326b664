import CEL
import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

extension FeatureFlagsModule {
    static let evaluationScope = Scope.read(.featureFlags)

    /// One flag's evaluation as OFREP answers it.
    package struct Evaluation: Sendable {
        let key: String
        let outcome: Result<Resolution, OFREPError>

        package var json: JSONValue {
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

    /// Everything evaluating the organization's flags for one context needs, read in one round trip to the
    /// database (and a second only when the organization's flags changed since they were last compiled).
    package func prepareEvaluation(context: EvaluationContext, caller: OrganizationCaller) async throws -> PreparedEvaluation {
        try caller.require(Self.evaluationScope)
        let organizationID = caller.organizationID
        let reading = try await TargetingFacts.read(organizationID: organizationID, context: context, on: database, logger: database.logger)
        let flags = try await compiledFlags.flags(organizationID: organizationID, revision: reading.flagsRevision) {
            try await FeatureFlagRows.fetch(
                "\(unescaped: FeatureFlagRows.selection) WHERE f.organization_id = \(organizationID)", on: database, logger: database.logger
            )
        }
        return PreparedEvaluation(
            organizationID: organizationID, context: context, reading: reading, flags: flags, now: now(), events: evaluationEvents
        )
    }
}

/// One context's evaluation of an organization's flags, ready to run.
package struct PreparedEvaluation: Sendable {
    let organizationID: UUID
    let context: EvaluationContext
    let reading: TargetingFacts.Reading
    let flags: CompiledFlags
    let now: Date
    let events: EvaluationEvents

    /// The bulk answer's entity tag, computed without evaluating: the answer is a function of the flags'
    /// revision, the facts, the context and, through date rollouts only, the time; the tag hashes exactly
    /// those, so it changes whenever the answer can, and a 304 costs no evaluation.
    var entityTag: String {
        var bytes = Array(organizationID.uuidString.utf8)
        withUnsafeBytes(of: flags.revision.littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: reading.factsText.utf8)
        bytes.append(0)
        bytes.append(contentsOf: JSONValue.object(context.members).jsonText.utf8)
        for phase in flags.rolloutPhases(at: now) {
            let code: Int64 =
                switch phase {
                case .notStarted: -1
                case .moving(let threshold): Int64(threshold)
                case .ended: Int64(Bucket.count) + 1
                }
            withUnsafeBytes(of: code.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return "\"\(String(XXH64.hash(bytes), radix: 16))\""
    }

    /// Every flag of the organization, in slug order.
    func evaluateAll() -> [FeatureFlagsModule.Evaluation] {
        evaluate(flags.flags)
    }

    /// The flag `slug` names; an unknown one is FLAG_NOT_FOUND.
    package func evaluate(slug: String) -> FeatureFlagsModule.Evaluation {
        guard let flag = flags[slug: slug] else {
            return FeatureFlagsModule.Evaluation(key: slug, outcome: .failure(OFREPError(.flagNotFound, "feature flag \"\(slug)\" not found")))
        }
        return evaluate([flag])[0]
    }

    /// The context and the facts as the rules' variables, bound once for every rule of every flag.
    private func bindContext() -> CELActivation {
        var variables = context.attributes
        variables["targetingKey"] = context.targetingKey.map(CELValue.string) ?? .null
        variables[TargetingRules.factsRoot] = reading.facts
        return TargetingRules.environment.bind(variables)
    }

    /// Evaluates `flags` and queues their evaluated events, all at once.
    private func evaluate(_ flags: [CompiledFlag]) -> [FeatureFlagsModule.Evaluation] {
        let activation = bindContext()
        let evaluator = FlagEvaluator(now: now)
        var evaluated: [EvaluationEvents.Evaluated] = []
        evaluated.reserveCapacity(flags.count)
        let evaluations = flags.map { flag in
            let outcome = flag.evaluable.flatMap { evaluator.evaluate($0, context: context, activation: activation) }
            evaluated.append(EvaluationEvents.Evaluated(organizationID: organizationID, flagID: flag.id, flagSlug: flag.slug, outcome: outcome))
            return FeatureFlagsModule.Evaluation(key: flag.slug, outcome: outcome)
        }
        events.record(evaluated)
        return evaluations
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
