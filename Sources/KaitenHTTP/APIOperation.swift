import HTTPTypes
import Hummingbird
import Synchronization

/// One operation of the API as the OpenAPI document names it: its `operationId`, method and path template
/// below `/api` (`/customers/{customerSlug}`). A slice declares it once; the route is registered from it, and
/// the catalog of registered operations is what the served document is checked against.
package struct APIOperation: Sendable, Hashable, CustomStringConvertible {
    package let id: String
    package let method: HTTPRequest.Method
    package let path: String

    package init(_ id: String, _ method: HTTPRequest.Method, _ path: String) {
        self.id = id
        self.method = method
        self.path = path
    }

    package var description: String { "\(id) (\(method) \(path))" }

    var literalSegments: Int { path.split(separator: "/").filter { $0.first != "{" }.count }

    /// Whether a concrete request path (below `/api`) fits this operation's template: same number of
    /// segments, each literal equal and each `{parameter}` non-empty.
    package func matches(path requestPath: some StringProtocol) -> Bool {
        let template = path.split(separator: "/", omittingEmptySubsequences: true)
        let segments = requestPath.split(separator: "/", omittingEmptySubsequences: true)
        guard template.count == segments.count else { return false }
        return zip(template, segments).allSatisfy { expected, actual in
            expected.first == "{" ? !actual.isEmpty : expected == actual
        }
    }
}

/// The operations a listener serves, in the order they were registered.
package final class OperationCatalog: Sendable {
    private let registered = Mutex<[APIOperation]>([])

    package init() {}

    package var operations: [APIOperation] { registered.withLock { $0 } }

    func record(_ operation: APIOperation) {
        registered.withLock { $0.append(operation) }
    }

    /// The methods served at a concrete request path, in alphabetical order for a 405's `Allow`; empty when
    /// no operation has the path. Where templates overlap (`/metadata-fields/reorder` and
    /// `/metadata-fields/{id}`), the path is the one with the most literal segments, as the router decides.
    package func methods(servingPath path: some StringProtocol) -> [HTTPRequest.Method] {
        let matching = registered.withLock { operations in operations.filter { $0.matches(path: path) } }
        let specificity = matching.map(\.literalSegments).max() ?? 0
        let methods = Set(matching.filter { $0.literalSegments == specificity }.map(\.method))
        return methods.sorted { $0.rawValue < $1.rawValue }
    }
}

/// Registers operations on a router group, recording each in the listener's catalog.
package struct OperationRouter {
    package let group: RouterGroup<KaitenRequestContext>
    package let catalog: OperationCatalog

    package init(group: RouterGroup<KaitenRequestContext>, catalog: OperationCatalog) {
        self.group = group
        self.catalog = catalog
    }

    package func on(
        _ operation: APIOperation,
        use handler: @escaping @Sendable (Request, KaitenRequestContext) async throws -> some ResponseGenerator
    ) {
        catalog.record(operation)
        group.on(RouterPath(operation.path), method: operation.method, use: handler)
    }

    /// The same router behind another middleware, sharing the catalog.
    package func adding(middleware: some RouterMiddleware<KaitenRequestContext>) -> OperationRouter {
        OperationRouter(group: group.group().add(middleware: middleware), catalog: catalog)
    }
}
