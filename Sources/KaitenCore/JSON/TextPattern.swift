/// A pattern a string member must match in full, with the source a problem quotes.
package struct TextPattern: Sendable {
    package let source: String
    private let test: @Sendable (String) -> Bool

    /// A regular expression, matched against the whole string.
    package init(_ source: String) {
        self.source = source
        test = { text in (try? Regex(source).wholeMatch(in: text)) != nil }
    }

    /// A pattern checked by hand-written code, quoted as `source`.
    package init(_ source: String, test: @escaping @Sendable (String) -> Bool) {
        self.source = source
        self.test = test
    }

    package func matches(_ text: String) -> Bool { test(text) }

    package static let slug = TextPattern(Slug.pattern, test: Slug.isValid)
}
