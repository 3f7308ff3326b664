import Foundation
import KaitenCore

/// The position after a field in the list's order, `display_order, created_at, id` ascending.
///
/// Metadata fields keep the order an administrator gave them rather than the newest-first order of other
/// collections, so their cursor carries the display order too. On the wire it is URL-safe base64 without
/// padding of `{"displayOrder", "createdAt", "id"}`, the Go server's shape.
struct MetadataFieldCursor: Equatable {
    let displayOrder: Int
    let createdAt: Date
    let id: UUID

    init(after field: MetadataFieldResource) {
        displayOrder = field.displayOrder
        createdAt = field.createdAt
        id = field.id
    }

    var encoded: String {
        let json = JSONValue.object([
            "displayOrder": .integer(Int64(displayOrder)),
            "createdAt": .string(Timestamp.format(createdAt)),
            "id": .string(id.lowercased),
        ]).jsonText
        return base64URL(Array(json.utf8))
    }

    /// Decodes a cursor from the query string; one this server did not make is a 400.
    init(decoding text: String) throws {
        guard let data = decodeBase64URL(text),
            case .object(let members)? = try? JSONValue.parse(data),
            let order = members["displayOrder"]?.integralValue, let displayOrder = Int32(exactly: order),
            case .string(let createdAtText)? = members["createdAt"], let createdAt = Timestamp.parse(createdAtText),
            case .string(let idText)? = members["id"], let id = UUID(uuidString: idText)
        else {
            throw APIError.validation(
                "MetadataFields.InvalidCursor",
                "invalid cursor",
                errors: [ErrorDetail(message: "invalid cursor", location: "query.cursor", value: .string(text))]
            )
        }
        self.displayOrder = Int(displayOrder)
        self.createdAt = createdAt
        self.id = id
    }
}
