import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PATCH /instances/{instanceSlug}`: the operational status and the commercial lifecycle stage, each
/// kept when left out. Only an actual change is written, and announced both by its own event and by
/// INSTANCE_UPDATED, which is what connectors consume.
package enum PatchInstance {
    static let operation = APIOperation("patchInstance", .patch, "/instances/{instanceSlug}")
    static let requiredScope = Scope.write(.instances)

    package struct Command {
        let status: String?
        let lifecycleStage: String?

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            let status = reader.string("status")
            if let status, InstanceStatus(rawValue: status) == nil {
                reader.reject("status", "expected value to be one of \"HEALTHY, DEGRADED, INCIDENT, MAINTENANCE\"", value: .string(status))
            }
            self.status = status
            lifecycleStage = reader.string("lifecycleStage", minLength: 1, maxLength: 255)
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: InstancesModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            try await module.patch(slug: try context.parameters.path("instanceSlug"), command, caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

/// `INSTANCE_STATUS_CHANGED`.
struct InstanceStatusChanged: Encodable {
    let instanceID: String
    let previous: String
    let new: String
    let changedBy: String

    enum CodingKeys: String, CodingKey {
        case instanceID = "instance_id"
        case previous = "previous_status"
        case new = "new_status"
        case changedBy = "changed_by"
    }
}

/// `INSTANCE_LIFECYCLE_STAGE_CHANGED`: both stages are always present, null when unset.
struct InstanceLifecycleStageChanged: Encodable {
    let instanceID: String
    let previous: String?
    let new: String?
    let changedBy: String

    enum CodingKeys: String, CodingKey {
        case instanceID = "instance_id"
        case previous = "previous_lifecycle_stage"
        case new = "new_lifecycle_stage"
        case changedBy = "changed_by"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(instanceID, forKey: .instanceID)
        try container.encode(previous, forKey: .previous)
        try container.encode(new, forKey: .new)
        try container.encode(changedBy, forKey: .changedBy)
    }
}

extension InstancesModule {
    package func patch(slug: String, _ command: PatchInstance.Command, caller: OrganizationCaller) async throws {
        try caller.require(PatchInstance.requiredScope)
        try await database.transaction { connection in
            guard
                let current = try await InstanceRows.find(
                    slug: slug, organizationID: caller.organizationID, forUpdate: true, on: connection, logger: database.logger
                )
            else {
                throw APIError.notFound("PatchInstance.NotFound", "Instance with slug \"\(slug)\" not found")
            }
            let status = command.status.flatMap { $0 == current.status ? nil : $0 }
            let stage = command.lifecycleStage.flatMap { $0 == current.lifecycleStage ? nil : $0 }
            guard status != nil || stage != nil else { return }
            let id = UUID(uuidString: current.id)!
            try await connection.execute(
                """
                UPDATE instance
                SET status = COALESCE(\(status)::instance_status, status), lifecycle_stage = COALESCE(\(stage), lifecycle_stage),
                    updated_by_id = \(caller.userID), updated_at = now()
                WHERE id = \(id)
                """,
                logger: database.logger
            )
            let instance = try await InstanceRows.get(id: id, on: connection, logger: database.logger)
            if let status {
                let payload = InstanceStatusChanged(
                    instanceID: current.id, previous: current.status, new: status, changedBy: caller.userID.lowercased)
                try await Outbox.append(
                    OutboxMessage(
                        organizationID: caller.organizationID, event: InstanceEvents.statusChanged, data: payload, headers: instance.eventHeaders),
                    on: connection,
                    logger: database.logger
                )
            }
            if let stage {
                let payload = InstanceLifecycleStageChanged(
                    instanceID: current.id, previous: current.lifecycleStage, new: stage, changedBy: caller.userID.lowercased
                )
                try await Outbox.append(
                    OutboxMessage(
                        organizationID: caller.organizationID, event: InstanceEvents.lifecycleStageChanged, data: payload,
                        headers: instance.eventHeaders
                    ),
                    on: connection,
                    logger: database.logger
                )
            }
            try await InstanceRows.record(
                InstanceEvents.updated, instance, organizationID: caller.organizationID, on: connection, logger: database.logger)
        }
    }
}
