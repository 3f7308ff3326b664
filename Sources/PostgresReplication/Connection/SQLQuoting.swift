import Foundation

/// Quoting for the few SQL and replication commands built as text: a walsender only takes the simple query
/// protocol, so there are no bind parameters.
enum SQLQuoting {
    /// `"name"`, with embedded quotes doubled.
    static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `'text'`, with embedded quotes doubled; the `E''` form when there are backslashes, so the result means the
    /// same whatever `standard_conforming_strings` says.
    static func literal(_ text: String) -> String {
        let quoted = text.replacingOccurrences(of: "'", with: "''")
        guard text.contains("\\") else { return "'" + quoted + "'" }
        return "E'" + quoted.replacingOccurrences(of: "\\", with: "\\\\") + "'"
    }

    /// Slot names are what PostgreSQL accepts: lower-case letters, digits and underscores, at most 63 characters.
    static func isValidSlotName(_ name: String) -> Bool {
        (1...63).contains(name.utf8.count) && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }
}
