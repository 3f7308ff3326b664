import KaitenCore

/// The changes a field's schema may go through once values are stored under it.
///
/// Values written under the old schema must keep their meaning, so an update may not change the primary
/// `type`, the `type` of an array's items, or turn a free string into an enumeration (or back), in a field or
/// in its array items. Everything else (labels, bounds, formats, adding, reordering or removing enum values)
/// is accepted; the dry-run shows which stored values a stricter schema would refuse. To change a type,
/// archive the field and declare a new one.
enum SchemaTransition {
    static func check(from old: [String: JSONValue], to new: [String: JSONValue]) throws {
        let oldType = primaryType(old)
        let newType = primaryType(new)
        guard oldType == newType else {
            throw APIError.unprocessable(
                "SchemaTransition.TypeChanged",
                "changing the primary type (\"\(oldType)\" → \"\(newType)\") is not allowed; archive the field and create a new one"
            )
        }
        if oldType == "string", hasEnum(old) != hasEnum(new) {
            throw enumToggled
        }
        guard oldType == "array" else { return }
        let oldItems = items(old)
        let newItems = items(new)
        let oldItemType = primaryType(oldItems)
        let newItemType = primaryType(newItems)
        guard oldItemType == newItemType else {
            throw APIError.unprocessable(
                "SchemaTransition.CardinalityChanged",
                "changing the items type of an array field (\"\(oldItemType)\" → \"\(newItemType)\") is not allowed; archive the field and create a new one"
            )
        }
        if oldItemType == "string", hasEnum(oldItems) != hasEnum(newItems) {
            throw enumToggled
        }
    }

    private static let enumToggled = APIError.unprocessable(
        "SchemaTransition.EnumWrapToggled",
        "toggling between a free string and a string with enum is not allowed; archive the field and create a new one"
    )

    /// The `type` keyword when it names one type; `integer` counts as `number`, since widening an integer
    /// field to a number keeps every stored value valid and the console models both as one numeric type.
    private static func primaryType(_ schema: [String: JSONValue]) -> String {
        guard case .string(let type)? = schema["type"] else { return "" }
        return type == "integer" ? "number" : type
    }

    private static func items(_ schema: [String: JSONValue]) -> [String: JSONValue] {
        guard case .object(let items)? = schema["items"] else { return [:] }
        return items
    }

    private static func hasEnum(_ schema: [String: JSONValue]) -> Bool {
        guard case .array? = schema["enum"] else { return false }
        return true
    }
}
