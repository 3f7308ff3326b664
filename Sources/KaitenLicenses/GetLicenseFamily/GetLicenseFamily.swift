import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /license-families/{familySlug}`: the family resolved to the version it serves (its default, else its
/// highest-numbered published version), the stable address of "the current version of this product".
///
/// `?version=N` pins the read to one version whatever its state; `?include=versions` adds the whole history,
/// oldest first, and makes a family with nothing published readable instead of a 404.
enum GetLicenseFamily {
    static let operation = APIOperation("get-license-family", .get, "/license-families/{familySlug}")
    static let requiredScope = Scope.read(.licenses)

    struct Query {
        static let includeVersions = "versions"

        let version: Int?
        let includeVersions: Bool

        /// Reads `version` (an integer ≥ 1) and `include` (comma-separated, only `versions`); 422 otherwise.
        init(version versionText: String?, include: [String]) throws {
            var violations: [ErrorDetail] = []
            if let versionText {
                if let number = Int32(versionText), number >= 1 {
                    version = Int(number)
                } else {
                    version = nil
                    violations.append(ErrorDetail(message: "expected integer >= 1", location: "query.version", value: .string(versionText)))
                }
            } else {
                version = nil
            }
            let included = include.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            for (index, value) in included.enumerated() where value != Self.includeVersions {
                violations.append(
                    ErrorDetail(
                        message: "expected value to be one of \"\(Self.includeVersions)\"",
                        location: "query.include[\(index)]",
                        value: .string(value)
                    )
                )
            }
            includeVersions = included.contains(Self.includeVersions)
            if !violations.isEmpty { throw APIError.schemaViolations(violations) }
        }
    }

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { request, context in
            let parameters = request.uri.queryParameters
            let query = try Query(version: parameters["version"].map(String.init), include: parameters.getAll("include").map { String($0) })
            return try JSONResponse.make(
                try await module.family(slug: try context.parameters.path("familySlug"), query, caller: try context.organizationCaller())
            )
        }
    }
}

extension LicensesModule {
    func family(slug: String, _ query: GetLicenseFamily.Query, caller: OrganizationCaller) async throws -> LicenseFamilyView {
        try caller.require(GetLicenseFamily.requiredScope)
        let organizationID = caller.organizationID
        let logger = database.logger
        // One transaction, so the count, the history and the resolution are read from the same snapshot.
        return try await database.transaction { connection in
            guard let family = try await LicenseFamilies.find(slug: slug, organizationID: organizationID, on: connection, logger: logger) else {
                throw APIError.notFound("GetLicenseFamily.NotFound", "License family with slug \"\(slug)\" not found")
            }
            var view = try await LicenseFamilies.views(of: [family], organizationID: organizationID, on: connection, logger: logger)[0]
            if query.includeVersions {
                let versions = try await LicenseFamilies.versions(of: family.id, organizationID: organizationID, on: connection, logger: logger)
                view.versions = versions
                view.versionCount = versions.count
            }
            if let version = query.version {
                guard
                    let pinned = try await LicenseRows.fetch(
                        """
                        \(unescaped: LicenseRows.selection)
                        WHERE l.organization_id = \(organizationID) AND l.family_id = \(family.id) AND l.version = \(version)
                        """,
                        on: connection,
                        logger: logger
                    ).first
                else {
                    throw APIError.notFound("GetLicenseFamily.VersionNotFound", "License family \"\(slug)\" has no version \(version)")
                }
                view.currentVersion = pinned
            } else if view.currentVersion == nil && !query.includeVersions {
                throw APIError.notFound(
                    "GetLicenseFamily.NoPublishedVersion",
                    "License family \"\(view.slug)\" has no published version (\(view.versionCount) version(s), all draft or archived)"
                )
            }
            return view
        }
    }
}
