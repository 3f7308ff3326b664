import Foundation

/// The position after the last row of a page, for keyset pagination ordered by `created_at DESC, id DESC`.
///
/// On the wire it is opaque: URL-safe base64 without padding of `{"createdAt": <RFC 3339>, "id": <uuid>}`,
/// the same shape the Go server hands out, so a cursor stays valid across a switch of servers.
package struct PageCursor: Sendable, Equatable {
    package let createdAt: Date
    package let id: UUID

    package init(createdAt: Date, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }

    package var encoded: String {
        let json = JSONValue.object([
            "createdAt": .string(Timestamp.format(createdAt)),
            "id": .string(id.lowercased),
        ]).jsonText
        return base64URL(Array(json.utf8))
    }

    /// Decodes a cursor from a query string; a cursor this server did not make is a 400.
    package init(decoding text: String) throws {
        guard let data = decodeBase64URL(text),
            case .object(let members)? = try? JSONValue.parse(data),
            case .string(let createdAtText)? = members["createdAt"],
            let createdAt = Timestamp.parse(createdAtText),
            case .string(let idText)? = members["id"],
            let id = UUID(uuidString: idText)
        else {
            throw APIError.validation(
                "Pagination.InvalidCursor",
                "the cursor is not one this API issued",
                errors: [ErrorDetail(message: "invalid cursor", location: "query.cursor", value: .string(text))]
            )
        }
        self.init(createdAt: createdAt, id: id)
    }
}

/// Which page of a collection a client asked for.
package struct PageRequest: Sendable, Equatable {
    package static let defaultLimit = 50
    package static let maximumLimit = 200

    package let limit: Int
    package let after: PageCursor?

    package init(limit: Int = PageRequest.defaultLimit, after: PageCursor? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Reads `limit` and `cursor` from query values: a limit outside 1…200 is a 422, as the contract's
    /// parameter schema says, and a foreign cursor a 400.
    package init(limit limitText: String?, cursor cursorText: String?) throws {
        var limit = PageRequest.defaultLimit
        if let limitText {
            guard let parsed = Int(limitText), (1...PageRequest.maximumLimit).contains(parsed) else {
                throw APIError.schemaViolations([
                    ErrorDetail(
                        message: "expected integer between 1 and \(PageRequest.maximumLimit)",
                        location: "query.limit",
                        value: .string(limitText)
                    )
                ])
            }
            limit = parsed
        }
        let cursor = try cursorText.flatMap { $0.isEmpty ? nil : try PageCursor(decoding: $0) }
        self.init(limit: limit, after: cursor)
    }

    /// How many rows a query fetches: one more than the page, to learn whether another page follows.
    package var fetchLimit: Int { limit + 1 }
}

/// One page of a collection: `{items, hasMore, nextCursor?}`, `nextCursor` absent on the last page.
package struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    package let items: [Item]
    package let hasMore: Bool
    package let nextCursor: String?

    /// Builds the page from up to `request.fetchLimit` rows fetched in page order.
    package init(rows: [Item], request: PageRequest, cursor: (Item) -> PageCursor) {
        hasMore = rows.count > request.limit
        items = Array(rows.prefix(request.limit))
        nextCursor = hasMore ? items.last.map { cursor($0).encoded } : nil
    }
}

/// A row of a collection ordered by `created_at DESC, id DESC`.
package protocol KeysetPaged {
    var createdAt: Date { get }
    /// The row's id, as the wire writes it.
    var id: String { get }
}

extension Page where Item: KeysetPaged {
    /// Builds the page of keyset-ordered rows, the cursor pointing after the last one.
    package init(rows: [Item], request: PageRequest) {
        self.init(rows: rows, request: request) { PageCursor(createdAt: $0.createdAt, id: UUID(uuidString: $0.id)!) }
    }
}
