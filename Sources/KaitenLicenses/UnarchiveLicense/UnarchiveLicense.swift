import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// `POST /licenses/{licenseSlug}/unarchive`: a withdrawn version goes back on sale.
enum UnarchiveLicense {
    static let operation = APIOperation("unarchive-license", .post, "/licenses/{licenseSlug}/unarchive")
    static let requiredScope = Scope.write(.licenses)

    static let transition = LicenseTransition(
        operation: "UnarchiveLicense",
        from: .archived,
        to: .published,
        event: LicenseEvents.unarchived,
        wrongStateCode: "UnarchiveLicense.NotArchived"
    ) { slug, current in
        current == LifecycleState.draft.rawValue
            ? "License \"\(slug)\" is a draft; publish it instead"
            : "License \"\(slug)\" is not archived"
    }

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.unarchive(slug: try context.parameters.path("licenseSlug"), caller: try context.organizationCaller()))
        }
    }
}

extension LicensesModule {
    package func unarchive(slug: String, caller: OrganizationCaller) async throws -> LicenseResource {
        try caller.require(UnarchiveLicense.requiredScope)
        return try await apply(UnarchiveLicense.transition, slug: slug, caller: caller)
    }
}
