import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// `POST /licenses/{licenseSlug}/publish`: a draft goes on sale.
enum PublishLicense {
    static let operation = APIOperation("publish-license", .post, "/licenses/{licenseSlug}/publish")
    static let requiredScope = Scope.write(.licenses)

    static let transition = LicenseTransition(
        operation: "PublishLicense",
        from: .draft,
        to: .published,
        event: LicenseEvents.published,
        wrongStateCode: "PublishLicense.NotADraft"
    ) { slug, current in
        current == LifecycleState.archived.rawValue
            ? "License \"\(slug)\" is archived; unarchive it to put it back on sale"
            : "License \"\(slug)\" is already published"
    }

    static func register(on router: OperationRouter, module: LicensesModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.publish(slug: try context.parameters.path("licenseSlug"), caller: try context.organizationCaller()))
        }
    }
}

extension LicensesModule {
    package func publish(slug: String, caller: OrganizationCaller) async throws -> LicenseResource {
        try caller.require(PublishLicense.requiredScope)
        return try await apply(PublishLicense.transition, slug: slug, caller: caller)
    }
}
