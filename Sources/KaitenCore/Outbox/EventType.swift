/// A catalogued event: its UPPER_SNAKE name and its CloudEvents-style type, as webhooks receive them.
public struct EventType: Sendable, Hashable {
    public let name: String
    public let type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}
