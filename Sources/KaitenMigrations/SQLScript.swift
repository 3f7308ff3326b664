import Foundation

/// Splits a SQL file into its statements, since the extended query protocol runs one at a time.
///
/// Semicolons inside quotes (`'…'`, `"…"`), dollar-quoted bodies (`$$…$$`, `$tag$…$tag$`) and comments do
/// not end a statement.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        let characters = Array(script)
        var index = 0
        func flush() {
            let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty { statements.append(statement) }
            current = ""
        }
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "-" where next == "-":
                while index < characters.count && characters[index] != "\n" { index += 1 }
                continue
            case "'", "\"":
                let end = characters[(index + 1)...].firstIndex(of: character) ?? characters.count - 1
                current += String(characters[index...end])
                index = end + 1
                continue
            case "$":
                if let tagEnd = characters[(index + 1)...].firstIndex(of: "$"),
                    characters[(index + 1)..<tagEnd].allSatisfy({ $0.isLetter || $0 == "_" })
                {
                    let tag = String(characters[index...tagEnd])
                    let rest = String(characters[(tagEnd + 1)...])
                    let body = rest.range(of: tag).map { String(rest[..<$0.upperBound]) } ?? rest
                    current += tag + body
                    index = tagEnd + 1 + body.count
                    continue
                }
            case ";":
                flush()
                index += 1
                continue
            default:
                break
            }
            current.append(character)
            index += 1
        }
        flush()
        return statements
    }
}
