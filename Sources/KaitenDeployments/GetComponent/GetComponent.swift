import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /components/{componentSlug}`.
enum GetComponent {
    static let operation = APIOperation("get-component", .get, "/components/{componentSlug}")
    static let requiredScope = Scope.read(.components)

    static func register(on router: OperationRouter, module: DeploymentsModule) {
        router.on(operation) { _, context in
            try JSONResponse.make(
                try await module.getComponent(slug: try context.parameters.path("componentSlug"), caller: try context.organizationCaller()))
        }
    }
}

extension DeploymentsModule {
    func getComponent(slug: String, caller: OrganizationCaller) async throws -> ComponentResource {
        try caller.require(GetComponent.requiredScope)
        guard
            let component = try await ComponentRows.find(
                slug: slug, organizationID: caller.organizationID, on: database, logger: database.logger)
        else {
            throw ComponentRows.notFound(slug: slug)
        }
        return component
    }
}
