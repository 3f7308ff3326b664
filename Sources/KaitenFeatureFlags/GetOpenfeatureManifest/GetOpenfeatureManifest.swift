import Foundation
import HTTPTypes
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /openfeature/v0/manifest`: the flags that name a `fallback_value` in their metadata, with it as their
/// default, for OpenFeature's code generators. A number flag is `integer` when its fallback is whole.
enum GetOpenfeatureManifest {
    static let operation = APIOperation("get-openfeature-manifest", .get, "/openfeature/v0/manifest")

    static func register(on router: OperationRouter, module: FeatureFlagsModule) {
        router.on(operation) { _, context in
            let flags = try await module.manifest(caller: try context.organizationCaller())
            return try JSONResponse.make(JSONValue.object(["flags": .array(flags)]), headers: [HTTPField.Name("X-Manifest-Capabilities")!: "read"])
        }
    }
}

extension FeatureFlagsModule {
    func manifest(caller: OrganizationCaller) async throws -> [JSONValue] {
        try caller.require(Self.evaluationScope)
        let flags = try await FeatureFlagRows.fetch(
            "\(unescaped: FeatureFlagRows.selection) WHERE f.organization_id = \(caller.organizationID) AND f.metadata ? 'fallback_value' ORDER BY f.slug",
            on: database,
            logger: database.logger
        )
        return flags.compactMap { flag in
            guard let fallback = flag.metadata["fallback_value"] else { return nil }
            var type = flag.type
            if type == "number" {
                type =
                    if case .integer = fallback { "integer" } else if let number = fallback.doubleValue, number.rounded() == number { "integer" } else
                    { "float" }
            }
            var members: [String: JSONValue] = [
                "key": .string(flag.slug), "name": .string(flag.name), "type": .string(type), "defaultValue": fallback,
            ]
            if let description = flag.description { members["description"] = .string(description) }
            return .object(members)
        }
    }
}
