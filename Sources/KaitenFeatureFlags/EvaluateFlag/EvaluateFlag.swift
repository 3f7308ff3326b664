import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// `POST /ofrep/v1/evaluate/flags/{key}`: one flag for one context. An evaluation that gives no value is a 400
/// carrying its OpenFeature error code (an unknown flag is `FLAG_NOT_FOUND`, as the Go original answers).
enum EvaluateFlag {
    static let operation = APIOperation("evaluateFlag", .post, "/ofrep/v1/evaluate/flags/{key}")

    static func register(on router: OperationRouter, module: FeatureFlagsModule) {
        router.on(operation) { request, context in
            let key = try context.parameters.path("key")
            let caller = try context.organizationCaller()
            try caller.require(FeatureFlagsModule.evaluationScope)
            switch try await OFREPResponse.context(of: request, required: true) {
            case .failure(let error):
                return OFREPResponse.make(FeatureFlagsModule.Evaluation(key: key, outcome: .failure(error)).json, status: .badRequest)
            case .success(let evaluationContext):
                let evaluation = try await module.prepareEvaluation(context: evaluationContext, caller: caller).evaluate(slug: key)
                let status: HTTPResponse.Status = if case .success = evaluation.outcome { .ok } else { .badRequest }
                return OFREPResponse.make(evaluation.json, status: status)
            }
        }
    }
}
