import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// `POST /ofrep/v1/evaluate/flags`: every flag of the organization for one context.
///
/// The answer carries an `ETag`, and a request whose `If-None-Match` names it gets 304 with no body. The tag
/// covers what the answer depends on (the flags' revision, the context, the facts and the phase of each date
/// rollout), so a 304 is never stale, and it is known before evaluating: a 304 evaluates nothing and records
/// no evaluated events.
enum EvaluateFlagsBulk {
    static let operation = APIOperation("evaluateFlagsBulk", .post, "/ofrep/v1/evaluate/flags")

    static func register(on router: OperationRouter, module: FeatureFlagsModule) {
        router.on(operation) { request, context in
            let caller = try context.organizationCaller()
            try caller.require(FeatureFlagsModule.evaluationScope)
            switch try await OFREPResponse.context(of: request, required: false) {
            case .failure(let error):
                return OFREPResponse.make(
                    .object(["errorCode": .string(error.code.rawValue), "errorDetails": .string(error.details)]), status: .badRequest
                )
            case .success(let evaluationContext):
                let evaluation = try await module.prepareEvaluation(context: evaluationContext, caller: caller)
                let tag = evaluation.entityTag
                if let match = request.headers[.ifNoneMatch],
                    match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag || $0 == "*" })
                {
                    return Response(status: .notModified, headers: [.eTag: tag])
                }
                let body = JSONValue.object(["flags": .array(evaluation.evaluateAll().map(\.json))]).jsonText
                return Response(
                    status: .ok, headers: [.contentType: "application/json", .eTag: tag], body: .init(byteBuffer: ByteBuffer(string: body))
                )
            }
        }
    }
}
