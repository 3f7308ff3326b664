import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP
import PostgresNIO

/// `GET /v1/notifications`: the caller's feed, newest first, with the unread count. Pages of 1 to 50 (20 by
/// default); `nextCursor` is null on the last page, unlike the other lists.
enum ListNotifications {
    static let operation = APIOperation("listNotifications", .get, "/v1/notifications")
    static let requiredScope = Scope.read(.notifications)
    static let defaultLimit = 20
    static let maximumLimit = 50

    struct Query {
        let unreadOnly: Bool
        let objectTypes: Set<String>
        let page: PageRequest

        init(_ parameters: [(String, String)]) throws {
            var violations: [ErrorDetail] = []
            let single = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
            switch single["status"] {
            case nil, "all": unreadOnly = false
            case "unread": unreadOnly = true
            case let other?:
                unreadOnly = false
                violations.append(ErrorDetail(message: "expected one of [all, unread]", location: "query.status", value: .string(other)))
            }
            let known = Set(NotificationCatalogue.ObjectType.allCases.map(\.rawValue))
            let types = parameters.filter { $0.0 == "objectType" }.map(\.1)
            for type in types where !known.contains(type) {
                violations.append(
                    ErrorDetail(
                        message: "expected one of [\(known.sorted().joined(separator: ", "))]", location: "query.objectType", value: .string(type)))
            }
            objectTypes = Set(types)
            var limit = ListNotifications.defaultLimit
            if let text = single["limit"] {
                if let parsed = Int(text), (1...ListNotifications.maximumLimit).contains(parsed) {
                    limit = parsed
                } else {
                    violations.append(
                        ErrorDetail(
                            message: "expected integer between 1 and \(ListNotifications.maximumLimit)", location: "query.limit", value: .string(text)
                        ))
                }
            }
            if !violations.isEmpty { throw APIError.schemaViolations(violations) }
            let cursor = try single["cursor"].flatMap { $0.isEmpty ? nil : try PageCursor(decoding: $0) }
            page = PageRequest(limit: limit, after: cursor)
        }
    }

    struct List: Encodable {
        let data: [NotificationFeed.Notification]
        let nextCursor: String?
        let unreadCount: Int

        enum CodingKeys: String, CodingKey { case data, nextCursor, unreadCount }

        /// `nextCursor` is written as null on the last page.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(data, forKey: .data)
            try container.encode(nextCursor, forKey: .nextCursor)
            try container.encode(unreadCount, forKey: .unreadCount)
        }
    }

    static func register(on router: OperationRouter, module: AuditTrailModule) {
        router.on(operation) { request, context in
            let parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
            return try JSONResponse.make(try await module.notifications(try Query(parameters), caller: try context.organizationCaller()))
        }
    }
}

extension AuditTrailModule {
    func notifications(_ query: ListNotifications.Query, caller: OrganizationCaller) async throws -> ListNotifications.List {
        try caller.require(ListNotifications.requiredScope)
        let feed = NotificationFeed(caller: caller, database: database)
        let subscription = try await feed.subscription(on: database)
        let events = subscription.filter { name in
            query.objectTypes.isEmpty || NotificationCatalogue.entry(named: name).map { query.objectTypes.contains($0.objectType.rawValue) } == true
        }
        let rows = try await feed.page(of: events, unreadOnly: query.unreadOnly, page: query.page, on: database)
        let page = Page(rows: rows, request: query.page)
        let unread = try await feed.unreadCount(of: subscription, on: database)
        return ListNotifications.List(data: page.items, nextCursor: page.nextCursor, unreadCount: unread)
    }
}
