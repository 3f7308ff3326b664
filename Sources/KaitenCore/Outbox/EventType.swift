/// A catalogued event: its UPPER_SNAKE name and its CloudEvents-style type, as webhooks receive them.
package struct EventType: Sendable, Hashable {
    package let name: String
    package let type: String

    package init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}
