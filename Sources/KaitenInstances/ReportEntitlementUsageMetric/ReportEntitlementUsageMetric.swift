import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import KaitenHTTP

/// `POST /instances/{instanceSlug}/entitlements/{entitlementSlug}/usage`: counts one usage report against
/// the instance's license, or refuses it past the license's cap.
///
/// The server dates every report on receipt. A `transactionId` makes retries safe: the same report sent
/// again is answered with its first answer and counted once.
enum ReportEntitlementUsageMetric {
    static let operation = APIOperation("reportEntitlementUsageMetric", .post, "/instances/{instanceSlug}/entitlements/{entitlementSlug}/usage")
    static let requiredScope = Scope.write(.instances)
    static let transactionIDPattern = TextPattern("^[A-Za-z0-9._:-]{1,128}$") { text in
        (1...128).contains(text.utf8.count)
            && text.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2E || byte == 0x5F || byte == 0x3A || byte == 0x2D
            }
    }
    /// The largest metadata stored with a report, as compact JSON; larger metadata is dropped, not refused.
    static let maximumMetadataBytes = 4096
    /// How long a transactionId is remembered (Kaiten's `KAITEN_USAGE_IDEMPOTENCY_WINDOW` default): a
    /// buffered report replayed late is still recognized across a whole monthly period plus margin.
    static let idempotencyWindowDays = 35
    /// How many windows one report may close (Kaiten's `KAITEN_USAGE_ROLLOVER_MAX_CLOSURES` default).
    static let maximumRolloverClosures = 100_000

    struct Command {
        let value: Double
        let behavior: UsageBehavior
        let metadata: [String: JSONValue]?
        let transactionID: String?

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            let value = reader.raw("value")
            var typed: EntitlementValue?
            switch value {
            case nil:
                reader.reject("value", "expected required property value to be present")
            case let json?:
                typed = EntitlementValue(json: json, allowsEventCount: true)
                if typed == nil || typed?.isFinite == false {
                    reader.reject("value", "expected a number, boolean or object entitlement value", value: json)
                }
            }
            let behavior = reader.string("behavior")
            if let behavior, UsageBehavior(rawValue: behavior) == nil {
                reader.reject("behavior", "expected value to be one of \"append, set\"", value: .string(behavior))
            }
            metadata = reader.object("metadata")
            transactionID = reader.string("transactionId", maxLength: Int.max)
            try reader.finish()

            guard let behavior = behavior.flatMap(UsageBehavior.init(rawValue:)) else {
                throw APIError.unprocessable("ReportEntitlementUsageMetric.InvalidBehavior", "behavior must be one of: append, set")
            }
            guard case .number(let number, _)? = typed else {
                throw APIError.unprocessable(
                    "ReportEntitlementUsageMetric.InvalidValueType", "value must be a NumberEntitlementValue for usage reporting"
                )
            }
            if let transactionID, !ReportEntitlementUsageMetric.transactionIDPattern.matches(transactionID) {
                throw APIError.unprocessable(
                    "ReportEntitlementUsageMetric.InvalidTransactionId",
                    "transactionId must be 1 to 128 characters of letters, digits, '.', '_', ':' and '-'"
                )
            }
            self.value = number
            self.behavior = behavior
        }
    }

    /// What a report answers: the usage it left, and how it was reached.
    struct Outcome {
        /// The `EntitlementUsage` body.
        let usage: JSONValue
        /// The answer is the one an earlier report under the same transactionId got; nothing was counted.
        let replayed: Bool
        /// The metadata was above ``maximumMetadataBytes`` and was not stored.
        let metadataDropped: Bool
    }

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let outcome = try await module.reportUsage(
                instanceSlug: try context.parameters.path("instanceSlug"),
                entitlementSlug: try context.parameters.path("entitlementSlug"),
                command,
                caller: try context.organizationCaller()
            )
            var headers = HTTPFields()
            if outcome.replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
            if outcome.metadataDropped { headers[HTTPField.Name("Kaiten-Metadata-Dropped")!] = "too_large" }
            return try JSONResponse.make(outcome.usage, headers: headers)
        }
    }
}

extension EntitlementValue {
    /// Whether a number can be stored: JSON has no infinities, and neither has `jsonb`.
    fileprivate var isFinite: Bool {
        if case .number(let value, _) = self { return value.isFinite }
        return true
    }
}
