import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `PUT /licenses/{licenseSlug}`: a full replacement of the name, description, type, version name and default
/// flag. What a version never changes here (slug, version, family, lifecycle state) is accepted only as an
/// echo of the stored value, so a representation can be written back as it was read.
package enum UpdateLicense {
    static let operation = APIOperation("update-license", .put, "/licenses/{licenseSlug}")
    static let requiredScope = Scope.write(.licenses)

    package struct Command {
        let body: LicenseBody

        package init(body json: JSONValue) throws {
            body = try LicenseBody(json)
        }
    }

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            try await module.update(slug: try context.parameters.path("licenseSlug"), command, caller: try context.organizationCaller())
            return JSONResponse.noContent
        }
    }
}

extension LicensesModule {
    package func update(slug: String, _ command: UpdateLicense.Command, caller: OrganizationCaller) async throws {
        try caller.require(UpdateLicense.requiredScope)
        let body = command.body
        if let newSlug = body.slug, newSlug != slug {
            throw APIError.unprocessable(
                "UpdateLicense.SlugNotRenameable", "slug cannot be changed through this endpoint; omit it or send the current slug")
        }
        if body.familySlug != nil {
            throw APIError.unprocessable(
                "UpdateLicense.FamilyNotReassignable",
                "familySlug is only accepted on create; a version cannot move between families"
            )
        }
        let type = try body.licenseType(operation: "UpdateLicense")
        let requestedState = try body.requestedLifecycleState(operation: "UpdateLicense")
        let organizationID = caller.organizationID
        let logger = database.logger
        try await database.transaction { connection in
            guard let familyID = try await LicenseFamilies.lock(ofLicense: slug, organizationID: organizationID, on: connection, logger: logger),
                let current = try await LicenseRows.lock(slug: slug, organizationID: organizationID, on: connection, logger: logger)
            else {
                throw APIError.notFound("UpdateLicense.NotFound", "License with slug \"\(slug)\" not found")
            }
            if let version = body.version, version != String(current.version) {
                throw APIError.unprocessable(
                    "UpdateLicense.VersionNotSettable",
                    "License \"\(slug)\" is version \(current.version); the version is assigned by the server and cannot be changed"
                )
            }
            if let requestedState, requestedState.rawValue != current.lifecycleState {
                throw APIError.unprocessable(
                    "UpdateLicense.LifecycleStateNotSettable",
                    "License \"\(slug)\" is \(current.lifecycleState); its lifecycle state changes through POST /licenses/\(slug)/publish, /archive or /unarchive"
                )
            }
            if let requestedFamily = body.familyID, requestedFamily != familyID {
                throw APIError.unprocessable(
                    "UpdateLicense.FamilyNotReassignable",
                    "License \"\(slug)\" belongs to family \(familyID.lowercased); a version cannot move to family \(requestedFamily.lowercased)"
                )
            }
            if body.isDefault && !current.isPublished {
                throw APIError.conflict(
                    "UpdateLicense.DefaultMustBePublished",
                    "License \"\(slug)\" is not PUBLISHED, and only a published version can be its family's default; publish or unarchive it first"
                )
            }
            let watch = try await FamilyWatch.begin(familyID: familyID, organizationID: organizationID, on: connection, logger: logger)
            if body.isDefault {
                // The version keeps the flag if it has it already: restating the default moves nothing.
                let cleared = try await LicenseFamilies.clearDefault(
                    familyID: familyID,
                    keeping: slug,
                    organizationID: organizationID,
                    on: connection,
                    logger: logger
                )
                try await Outbox.announceClearedDefaults(cleared, organizationID: organizationID, on: connection, logger: logger)
            }
            // The column has no null: a version name left out of the replacement goes back to its default.
            let license = try await LicenseRows.fetch(
                """
                UPDATE license l SET name = \(body.name), description = \(body.description), type = \(type.rawValue)::license_type,
                                     version_name = COALESCE(\(body.versionName), 'Version - ' || l.version),
                                     is_default = \(body.isDefault), updated_at = now()
                WHERE l.id = \(UUID(uuidString: current.id)!)
                RETURNING \(unescaped: LicenseRows.columns)
                """,
                on: connection,
                logger: logger
            )[0]
            try await Outbox.append(
                OutboxMessage(organizationID: organizationID, event: LicenseEvents.updated, data: license),
                on: connection,
                logger: logger
            )
            try await watch.recordMove(on: connection, logger: logger)
        }
    }
}
