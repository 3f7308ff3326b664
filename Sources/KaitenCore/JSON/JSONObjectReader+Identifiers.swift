import Foundation

extension JSONObjectReader {
    /// A member holding the id of a row the body refers to: a string that must be a UUID.
    package mutating func identifier(_ key: String, required: Bool = false) -> UUID? {
        guard let text = string(key, required: required) else { return nil }
        guard let id = UUID(uuidString: text) else {
            reject(key, "expected string to be a UUID", value: .string(text))
            return nil
        }
        return id
    }

    /// An array of ids, each a UUID string, in the order sent; null reads as nil when `nullable`. Nil when any
    /// item is not a UUID, each such item reported at its index.
    package mutating func identifiers(_ key: String, nullable: Bool = false) -> [UUID]? {
        guard let texts = stringArray(key, nullable: nullable) else { return nil }
        var ids: [UUID] = []
        for (index, text) in texts.enumerated() {
            guard let id = UUID(uuidString: text) else {
                reject("\(key)[\(index)]", "expected string to be a UUID", value: .string(text))
                continue
            }
            ids.append(id)
        }
        return ids.count == texts.count ? ids : nil
    }
}
