import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /platform/organizations`: converges on the organization of an external id.
///
/// The id is derived from the external id, so a re-run, or an organization a first login already created,
/// yields the same row. An existing organization is returned unchanged, except that one still named after
/// its external id (as just-in-time provisioning names it) takes the name given here.
enum EnsureOrganization {
    static let operation = APIOperation("ensure-organization", .post, "/platform/organizations")
    static let requiredScope = Scope.write(.organizations)

    struct Command {
        let externalID: String
        let name: String?

        init(body: JSONValue) throws {
            var reader = JSONObjectReader(body)
            let externalID = reader.string("externalId", required: true, minLength: 1, maxLength: 255)
            name = reader.string("name", maxLength: 255)
            if let externalID, externalID.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                reader.reject("externalId", "expected a non-blank external id", value: .string(externalID))
            }
            try reader.finish()
            self.externalID = externalID!.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    static func register(on router: OperationRouter, module: IdentityModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let organization = try await module.ensureOrganization(command, caller: try context.platformCaller())
            return try JSONResponse.make(organization)
        }
    }
}

extension IdentityModule {
    func ensureOrganization(_ command: EnsureOrganization.Command, caller: PlatformCaller) async throws -> OrganizationResource {
        try caller.require(EnsureOrganization.requiredScope)
        let id = DeterministicIdentifiers.organizationID(externalID: command.externalID)
        let name = command.name.flatMap { $0.isEmpty ? nil : $0 }
        let row = try await database.first(
            """
            INSERT INTO organization (id, external_id, name) VALUES (\(id), \(command.externalID), \(name ?? command.externalID))
            ON CONFLICT (external_id) DO UPDATE
            SET name = CASE WHEN organization.name = organization.external_id AND \(name)::text IS NOT NULL
                            THEN EXCLUDED.name ELSE organization.name END
            RETURNING id, external_id, name
            """,
            as: (UUID, String, String).self,
            logger: database.logger
        )!
        return OrganizationResource(id: row.0.lowercased, externalID: row.1, name: row.2)
    }
}
