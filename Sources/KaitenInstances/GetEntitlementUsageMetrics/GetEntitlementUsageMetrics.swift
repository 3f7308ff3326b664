import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /instances/{instanceSlug}/entitlements/{entitlementSlug}/usage`: one entitlement's usage on one
/// instance. Every read is recorded as an `ENTITLEMENT_VALUE_GET` event.
enum GetEntitlementUsageMetrics {
    static let operation = APIOperation("getEntitlementUsageMetrics", .get, "/instances/{instanceSlug}/entitlements/{entitlementSlug}/usage")
    static let requiredScope = Scope.read(.instances)

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.usage(
                    instanceSlug: try context.parameters.path("instanceSlug"),
                    entitlementSlug: try context.parameters.path("entitlementSlug"),
                    caller: try context.organizationCaller()
                )
            )
        }
    }
}

extension InstancesModule {
    func usage(instanceSlug: String, entitlementSlug: String, caller: OrganizationCaller) async throws -> EntitlementUsageResource {
        try caller.require(GetEntitlementUsageMetrics.requiredScope)
        let organizationID = caller.organizationID
        guard
            let row = try await GrantUsageRow.fetch(
                """
                \(unescaped: GrantUsageRow.selection)
                WHERE i.organization_id = \(organizationID) AND i.slug = \(instanceSlug) AND e.slug = \(entitlementSlug)
                """,
                on: database,
                logger: database.logger
            ).first
        else {
            throw try await usageNotFound(instanceSlug: instanceSlug, entitlementSlug: entitlementSlug, organizationID: organizationID)
        }
        let usage = try row.resource(operation: "GetEntitlementUsageMetrics")
        let read = EntitlementValueRead(
            entitlementID: usage.entitlementId,
            instanceID: row.instanceID.lowercased,
            licenseID: usage.licenseId,
            organizationID: organizationID.lowercased,
            type: usage.value.wireType,
            value: usage.value,
            timestamp: row.now,
            entitlementSlug: usage.entitlementSlug
        )
        try await Outbox.append(
            OutboxMessage(organizationID: organizationID, event: InstanceEvents.valueGet, data: read, headers: ["instance_id": read.instanceID]),
            on: database,
            logger: database.logger
        )
        return usage
    }

    /// Which of the instance, the entitlement or the grant is missing.
    private func usageNotFound(instanceSlug: String, entitlementSlug: String, organizationID: UUID) async throws -> APIError {
        let (hasInstance, hasEntitlement) =
            try await database.first(
                """
                SELECT EXISTS (SELECT 1 FROM instance WHERE organization_id = \(organizationID) AND slug = \(instanceSlug)),
                       EXISTS (SELECT 1 FROM entitlement WHERE organization_id = \(organizationID) AND slug = \(entitlementSlug))
                """,
                as: (Bool, Bool).self,
                logger: database.logger
            ) ?? (false, false)
        if !hasInstance {
            return .notFound("GetEntitlementUsageMetrics.InstanceNotFound", "Instance with slug \"\(instanceSlug)\" not found")
        }
        if !hasEntitlement {
            return .notFound("GetEntitlementUsageMetrics.EntitlementNotFound", "Entitlement with slug \"\(entitlementSlug)\" not found")
        }
        return .notFound(
            "GetEntitlementUsageMetrics.EntitlementNotAssigned",
            "Entitlement with slug \"\(entitlementSlug)\" is not assigned to the license used by instance \"\(instanceSlug)\""
        )
    }
}
