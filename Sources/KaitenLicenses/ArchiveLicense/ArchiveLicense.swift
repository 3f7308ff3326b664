import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// `POST /licenses/{licenseSlug}/archive`: a published version is withdrawn from sale. Instances already on
/// it keep it; none can be put on it any more, and its family stops serving it.
enum ArchiveLicense {
    static let operation = APIOperation("archive-license", .post, "/licenses/{licenseSlug}/archive")
    static let requiredScope = Scope.write(.licenses)

    static let transition = LicenseTransition(
        operation: "ArchiveLicense",
        from: .published,
        to: .archived,
        event: LicenseEvents.archived,
        wrongStateCode: "ArchiveLicense.NotPublished"
    ) { slug, current in
        current == LifecycleState.draft.rawValue
            ? "License \"\(slug)\" is a draft and was never on sale; delete it instead"
            : "License \"\(slug)\" is already archived"
    }

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.archive(slug: try context.parameters.path("licenseSlug"), caller: try context.organizationCaller()))
        }
    }
}

extension LicensesModule {
    package func archive(slug: String, caller: OrganizationCaller) async throws -> LicenseResource {
        try caller.require(ArchiveLicense.requiredScope)
        return try await apply(ArchiveLicense.transition, slug: slug, caller: caller)
    }
}
