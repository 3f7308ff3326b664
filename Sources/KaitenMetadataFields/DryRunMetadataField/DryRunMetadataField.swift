import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /metadata-fields/{id}/dry-run`: how many of the organization's resources of the field's type hold a
/// value under its key that a candidate schema would refuse, with a few of them. Nothing changes; it needs the
/// scope of the update it previews.
package enum DryRunMetadataField {
    static let operation = APIOperation("dry-run-metadata-field", .post, "/metadata-fields/{id}/dry-run")
    static let requiredScope = Scope.write(.metadataFields)
    static let maximumSamples = 5

    package struct Command {
        let jsonSchema: [String: JSONValue]

        package init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            jsonSchema = reader.jsonSchema() ?? [:]
            try reader.finish()
        }
    }

    static func register(on router: OperationRouter, module: MetadataFieldsModule) {
        router.on(operation) { request, context in
            let id = try MetadataFieldPath.id(context)
            let command = try Command(body: try await request.jsonBody())
            return try JSONResponse.make(try await module.dryRun(id: id, command, caller: try context.organizationCaller()))
        }
    }
}

extension MetadataFieldsModule {
    package func dryRun(id: UUID, _ command: DryRunMetadataField.Command, caller: OrganizationCaller) async throws -> MetadataFieldImpact {
        try caller.require(DryRunMetadataField.requiredScope)
        guard
            let field = try await MetadataFieldRows.find(id: id, organizationID: caller.organizationID, on: database, logger: database.logger)
        else {
            throw APIError.notFound("DryRunMetadataField.NotFound", "metadata field \(id.lowercased) not found")
        }
        let candidate = try JSONSchema.compile(command.jsonSchema, location: "body.jsonSchema")
        let organizationID = caller.organizationID
        let key = field.key
        // Only rows holding the key can break; newest first, as the resources list.
        let query: PostgresQuery =
            switch field.resourceType {
            case .instance:
                """
                SELECT name, slug, (metadata -> \(key))::text FROM instance
                WHERE organization_id = \(organizationID) AND metadata ? \(key)
                ORDER BY created_at DESC, id DESC
                """
            case .deploymentZone:
                """
                SELECT name, slug, (metadata -> \(key))::text FROM deployment_zone
                WHERE organization_id = \(organizationID) AND metadata ? \(key)
                ORDER BY created_at DESC, id DESC
                """
            }
        var count = 0
        var samples: [MetadataFieldImpactSample] = []
        for (name, slug, valueText) in try await database.all(query, as: (String, String, String).self, logger: database.logger) {
            guard let value = try? JSONValue.parse(Array(valueText.utf8)), !candidate.accepts(value) else { continue }
            count += 1
            if samples.count < DryRunMetadataField.maximumSamples {
                samples.append(MetadataFieldImpactSample(name: name, slug: slug))
            }
        }
        return MetadataFieldImpact(count: count, samples: samples)
    }
}
