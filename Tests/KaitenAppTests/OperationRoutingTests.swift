import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KaitenCore
import KaitenHTTP
import KaitenMigrations
import Logging
import PostgresNIO
import Testing

@testable import KaitenApp

/// The served OpenAPI documents and the routes agree: every documented operation has a route registered
/// from its declaration, every registered operation is documented, and both say the same method and path.
@Suite struct OperationRoutingTests {
    /// The operations a served document lists, as `operationId → (method, path)`.
    static func documented(_ fileName: String) throws -> [String: APIOperation] {
        let document = try #require(try JSONSerialization.jsonObject(with: APIDocuments.document(fileName)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations: [String: APIOperation] = [:]
        for (path, methods) in paths {
            for (method, value) in methods {
                guard let operation = value as? [String: Any], let id = operation["operationId"] as? String else { continue }
                let parsed = try #require(HTTPRequest.Method(method.uppercased()))
                operations[id] = APIOperation(id, parsed, path)
            }
        }
        return operations
    }

    static func modules() throws -> Modules {
        let client = PostgresClient(
            configuration: .init(host: "127.0.0.1", port: 1, username: "unused", password: nil, database: nil, tls: .disable),
            backgroundLogger: Logger(label: "kaiten.tests")
        )
        let database = Database(client: client, logger: Logger(label: "kaiten.tests"))
        return try Modules(database: database, jwtVerifier: nil, migrator: try Migrator())
    }

    @Test(arguments: [("openapi", true), ("platform-openapi", false)])
    func everyDocumentedOperationIsRoutedAsDocumented(document: String, core: Bool) throws {
        let modules = try Self.modules()
        let registered = (core ? modules.coreListener() : modules.platformListener()).operations.operations
        let documented = try Self.documented(document)
        let routedIDs = Dictionary(registered.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        #expect(registered.count == routedIDs.count, "an operationId is registered twice: \(registered.map(\.id).sorted())")
        for (id, operation) in documented.sorted(by: { $0.key < $1.key }) {
            #expect(routedIDs[id] != nil, "\(document).json documents \(operation) but no route serves it")
        }
        for operation in registered {
            guard let expected = documented[operation.id] else {
                Issue.record("\(operation) is routed but \(document).json does not document it")
                continue
            }
            #expect(operation == expected, "routed as \(operation), documented as \(expected)")
        }
    }

    @Test func operationTemplatesMatchConcretePaths() {
        let operation = APIOperation("get-license-entitlement", .get, "/licenses/{licenseSlug}/entitlements/{entitlementSlug}")
        #expect(operation.matches(path: "/licenses/pro/entitlements/seats"))
        #expect(operation.matches(path: "/licenses/pro/entitlements/seats/"))
        #expect(!operation.matches(path: "/licenses/pro/entitlements"))
        #expect(!operation.matches(path: "/licenses/pro/grants/seats"))
    }

    @Test func aKnownPathUnderAnotherMethodIsA405WithAllow() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let response = try await kaiten.core.json(.post, "/api/customers/acme", token: token)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "DELETE, GET, PUT")
            #expect(response.json?["code"] == .string("METHOD_NOT_ALLOWED"))
            #expect(response.json?["type"] == .string("https://tools.ietf.org/html/rfc7231#section-6.5.5"))
        }
    }

    @Test func aLiteralPathAnswersWithItsOwnMethodsNotThoseOfATemplateItAlsoFits() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let response = try await kaiten.core.json(.delete, "/api/metadata-fields/reorder", token: token)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
        }
    }

    @Test func anUnknownPathIsA404NamingTheMethodAndPath() async throws {
        try await TestKaiten.run { kaiten in
            let (_, token) = try await kaiten.organization()
            let response = try await kaiten.core.json(.get, "/api/no-such-things", token: token)
            #expect(response.status == .notFound)
            #expect(response.json?["code"] == .string("NOT_FOUND"))
            #expect(response.json?["detail"] == .string("no route for GET /api/no-such-things"))
        }
    }
}
