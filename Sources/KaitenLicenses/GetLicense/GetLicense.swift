import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /licenses/{licenseSlug}`: one version, whatever its lifecycle state.
enum GetLicense {
    static let operation = APIOperation("get-license", .get, "/licenses/{licenseSlug}")
    static let requiredScope = Scope.read(.licenses)

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(try await module.get(slug: try context.parameters.path("licenseSlug"), caller: try context.organizationCaller()))
        }
    }
}

extension LicensesModule {
    package func get(slug: String, caller: OrganizationCaller) async throws -> LicenseResource {
        try caller.require(GetLicense.requiredScope)
        guard
            let license = try await LicenseRows.find(slug: slug, organizationID: caller.organizationID, on: database, logger: database.logger)
        else {
            throw APIError.notFound("GetLicense.NotFound", "License with slug \"\(slug)\" not found")
        }
        return license
    }
}
