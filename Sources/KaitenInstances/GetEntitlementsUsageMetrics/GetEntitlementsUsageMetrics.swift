import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /instances/{instanceSlug}/entitlements/usage`: the instance's usage of every entitlement its
/// license grants, one row each; a number nothing was reported for reads as zero.
package enum GetEntitlementsUsageMetrics {
    static let operation = APIOperation("getEntitlementsUsageMetrics", .get, "/instances/{instanceSlug}/entitlements/usage")
    static let requiredScope = Scope.read(.instances)

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.usages(instanceSlug: try context.parameters.path("instanceSlug"), caller: try context.organizationCaller())
            )
        }
    }
}

extension InstancesModule {
    package func usages(instanceSlug: String, caller: OrganizationCaller) async throws -> [EntitlementUsageResource] {
        try caller.require(GetEntitlementsUsageMetrics.requiredScope)
        let rows = try await GrantUsageRow.fetch(
            """
            \(unescaped: GrantUsageRow.selection)
            WHERE i.organization_id = \(caller.organizationID) AND i.slug = \(instanceSlug)
            ORDER BY le.created_at, e.slug
            """,
            on: database,
            logger: database.logger
        )
        if rows.isEmpty {
            let exists = try await database.first(
                "SELECT EXISTS (SELECT 1 FROM instance WHERE organization_id = \(caller.organizationID) AND slug = \(instanceSlug))",
                as: Bool.self,
                logger: database.logger
            )
            if exists != true {
                throw APIError.notFound("GetEntitlementsUsageMetrics.InstanceNotFound", "Instance with slug \"\(instanceSlug)\" not found")
            }
        }
        return try rows.map { try $0.resource(operation: "GetEntitlementsUsageMetrics") }
    }
}
