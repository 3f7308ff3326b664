import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `POST /licenses`: a new family's version 1, or the next version of a family named by `familySlug` or
/// `familyId`.
///
/// The version number is never sent: the database numbers a version from its family's counter (migration
/// 0004), and the family row is locked first so the number, and the `<familySlug>-v<n>` slug derived from it,
/// are known before the insert and stay right until commit.
package enum CreateLicense {
    static let operation = APIOperation("create-license", .post, "/licenses")
    static let requiredScope = Scope.write(.licenses)

    package struct Command {
        let body: LicenseBody

        package init(body json: JSONValue) throws {
            body = try LicenseBody(json)
            if body.version != nil {
                throw APIError.unprocessable("CreateLicense.VersionNotSettable", "version is assigned by the server on creation and cannot be set")
            }
        }

        /// Whether this creates a new product rather than a version of one the organization has.
        var opensFamily: Bool { body.familySlug == nil && body.familyID == nil }
    }

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { request, context in
            let command = try Command(body: try await request.jsonBody())
            let license = try await module.create(command, caller: try context.organizationCaller())
            return try JSONResponse.make(license, status: .created)
        }
    }

    /// `<familySlug>-v<n>`, the family slug trimmed so the whole stays within the slug length.
    static func versionSlug(familySlug: String, version: Int) -> String {
        let suffix = "v\(version)"
        var stem = String(familySlug.prefix(Slug.maximumLength - suffix.count - 1))
        while stem.hasSuffix("-") { stem.removeLast() }
        return "\(stem)-\(suffix)"
    }
}

extension LicensesModule {
    package func create(_ command: CreateLicense.Command, caller: OrganizationCaller) async throws -> LicenseResource {
        try caller.require(CreateLicense.requiredScope)
        let body = command.body
        let requestedState = try body.requestedLifecycleState(operation: "CreateLicense")
        if requestedState == .archived {
            throw APIError.unprocessable(
                "CreateLicense.LifecycleStateNotSettable",
                "a license is created DRAFT or PUBLISHED; it becomes ARCHIVED through archive-license, which withdraws a published version from sale"
            )
        }
        let version = NewVersion(command: command, type: try body.licenseType(operation: "CreateLicense"), state: requestedState ?? .published)
        if let slug = body.slug {
            return try await SlugAttempts.run(given: slug, base: body.name, conflictCode: "CreateLicense.SlugConflict") { slug in
                try await insert(version, slug: slug, caller: caller)
            }
        }
        if !command.opensFamily {
            // The derived slug is unique within the family, whose row is locked; it can still be held by a
            // license outside it, and only then does the version fall back to a slug generated from its name.
            do {
                return try await insert(version, slug: nil, caller: caller)
            } catch  where PostgresFailure(error)?.isUniqueViolation == true {}
        }
        return try await SlugAttempts.run(given: nil, base: body.name, conflictCode: "CreateLicense.SlugConflict") { slug in
            try await insert(version, slug: slug, caller: caller)
        }
    }

    /// What a create writes, its type and state settled.
    struct NewVersion {
        let command: CreateLicense.Command
        let type: LicenseType
        let state: LifecycleState
    }

    /// Writes the version and its events in one transaction. A nil slug means `<familySlug>-v<n>`, which only a
    /// version joining a family has.
    private func insert(_ version: NewVersion, slug given: String?, caller: OrganizationCaller) async throws -> LicenseResource {
        let body = version.command.body
        let organizationID = caller.organizationID
        let logger = database.logger
        return try await database.transaction { connection in
            let familyID: UUID
            let slug: String
            var watch: FamilyWatch?
            if version.command.opensFamily, let given {
                slug = given
                familyID = try await connection.first(
                    "INSERT INTO license_family (organization_id, slug) VALUES (\(organizationID), \(slug)) RETURNING id",
                    as: UUID.self,
                    logger: logger
                )!
            } else {
                let family = try await lockNamedFamily(of: body, organizationID: organizationID, on: connection)
                familyID = family.id
                slug = given ?? CreateLicense.versionSlug(familySlug: family.slug, version: family.lastVersion + 1)
                watch = try await FamilyWatch.begin(familyID: family.id, organizationID: organizationID, on: connection, logger: logger)
            }
            if body.isDefault && version.state != .published {
                throw APIError.conflict("CreateLicense.DefaultMustBePublished", "a license can only be the family's default while it is PUBLISHED")
            }
            if body.isDefault, watch != nil {
                let cleared = try await LicenseFamilies.clearDefault(
                    familyID: familyID,
                    keeping: nil,
                    organizationID: organizationID,
                    on: connection,
                    logger: logger
                )
                try await Outbox.announceClearedDefaults(cleared, organizationID: organizationID, on: connection, logger: logger)
            }
            let license: LicenseResource
            do {
                license = try await LicenseRows.fetch(
                    """
                    INSERT INTO license AS l (organization_id, family_id, name, slug, description, type, version_name, is_default, lifecycle_state)
                    VALUES (\(organizationID), \(familyID), \(body.name), \(slug), \(body.description), \(version.type.rawValue)::license_type,
                            \(body.versionName), \(body.isDefault), \(version.state.rawValue)::license_lifecycle_state)
                    RETURNING \(unescaped: LicenseRows.columns)
                    """,
                    on: connection,
                    logger: logger
                )[0]
            } catch  where PostgresFailure(error)?.constraint == "license_one_default_per_family" {
                throw APIError.conflict(
                    "CreateLicense.DefaultConflict",
                    "Another version of this license family was set as default concurrently; retry the request"
                )
            }
            if watch == nil {
                // The product exists before the version that names it.
                let family = try await LicenseFamilies.view(of: familyID, organizationID: organizationID, on: connection, logger: logger)
                try await Outbox.append(
                    OutboxMessage(organizationID: organizationID, event: LicenseEvents.familyCreated, data: family),
                    on: connection,
                    logger: logger
                )
            }
            try await Outbox.append(
                OutboxMessage(organizationID: organizationID, event: LicenseEvents.created, data: license),
                on: connection,
                logger: logger
            )
            try await watch?.recordMove(on: connection, logger: logger)
            return license
        }
    }

    /// Locks the family the body names, by id or by slug; sent together they must name the same one.
    private func lockNamedFamily(of body: LicenseBody, organizationID: UUID, on connection: PostgresConnection) async throws -> FamilyRow {
        if let id = body.familyID {
            guard let family = try await LicenseFamilies.lock(id: id, organizationID: organizationID, on: connection, logger: database.logger) else {
                throw APIError.notFound("CreateLicense.FamilyNotFound", "License family with id \(id.lowercased) not found")
            }
            if let slug = body.familySlug, slug != family.slug {
                throw APIError.unprocessable(
                    "CreateLicense.FamilyMismatch",
                    "familyId \(family.id.lowercased) is the family \"\(family.slug)\", not \"\(slug)\"; send one of the two, or two that agree"
                )
            }
            return family
        }
        let slug = body.familySlug ?? ""
        guard let family = try await LicenseFamilies.lock(slug: slug, organizationID: organizationID, on: connection, logger: database.logger) else {
            throw APIError.notFound("CreateLicense.FamilyNotFound", "License family with slug \"\(slug)\" not found")
        }
        return family
    }
}
