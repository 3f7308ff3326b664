import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// `POST /ofrep/v1/evaluate/flags`: every flag of the organization for one context.
///
/// The answer carries an `ETag` of its own bytes, and a request whose `If-None-Match` names it gets 304 with
/// no body. The tag covers what the evaluation read (the flags, the context, the facts and the time a date
/// rollout depends on), so a 304 is never stale; it saves the transfer, not the evaluation.
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
                let evaluations = try await module.evaluate(slug: nil, context: evaluationContext, caller: caller)
                let body = JSONValue.object(["flags": .array(evaluations.map(\.json))]).jsonText
                let tag = "\"\(String(XXH64.hash(Array(body.utf8)), radix: 16))\""
                if let match = request.headers[.ifNoneMatch],
                    match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag || $0 == "*" })
                {
                    return Response(status: .notModified, headers: [.eTag: tag])
                }
                return Response(
                    status: .ok, headers: [.contentType: "application/json", .eTag: tag], body: .init(byteBuffer: ByteBuffer(string: body))
                )
            }
        }
    }
}
