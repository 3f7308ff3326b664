import Foundation

/// A reader for the subset of protobuf text format the cel-spec test files use: nested messages
/// (`{}` or `<>`), scalar fields (numbers, identifiers, strings with C escapes, adjacent strings
/// concatenated), `[type.url/Name]` extension names, comments and optional separators.
/// It builds an untyped tree; the runner interprets field names.
final class TextProtoMessage {
    var fields: [(name: String, value: TextProtoValue)] = []
    /// The message's source text (for classifying tests by what they mention).
    var text: Substring = ""

    func all(_ name: String) -> [TextProtoValue] { fields.filter { $0.name == name }.map(\.value) }
    func first(_ name: String) -> TextProtoValue? { fields.first { $0.name == name }?.value }
    func message(_ name: String) -> TextProtoMessage? {
        if case .message(let m)? = first(name) { return m }
        return nil
    }
    func string(_ name: String) -> String? { first(name)?.string }
    func bool(_ name: String) -> Bool { first(name)?.token == "true" }
}

indirect enum TextProtoValue {
    /// An unquoted token: number, enum name or `true`/`false`.
    case token(String)
    /// A quoted string's raw bytes after unescaping.
    case bytes([UInt8])
    case message(TextProtoMessage)

    var token: String? {
        if case .token(let t) = self { return t }
        return nil
    }
    var string: String? {
        switch self {
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        case .token(let t): t
        case .message: nil
        }
    }
}

struct TextProtoError: Error, CustomStringConvertible {
    let message: String
    let offset: Int
    var description: String { "text proto error at byte \(offset): \(message)" }
}

struct TextProtoReader {
    let text: String
    let s: [UInt8]
    var i = 0

    init(_ text: String) {
        self.text = text
        s = Array(text.utf8)
    }

    static func parse(_ text: String) throws -> TextProtoMessage {
        var r = TextProtoReader(text)
        return try r.parseFields(until: nil, start: 0)
    }

    mutating func skip() {
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: "#") {
                while i < s.count && s[i] != UInt8(ascii: "\n") { i += 1 }
            } else if c == 32 || c == 9 || c == 10 || c == 13 || c == 12 || c == UInt8(ascii: ",") || c == UInt8(ascii: ";") {
                i += 1
            } else {
                return
            }
        }
    }

    func isNameChar(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == UInt8(ascii: "_")
            || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
    }

    mutating func name() throws -> String {
        skip()
        if i < s.count && s[i] == UInt8(ascii: "[") {
            let start = i
            while i < s.count && s[i] != UInt8(ascii: "]") { i += 1 }
            i += 1
            return String(decoding: s[start..<i], as: UTF8.self)
        }
        let start = i
        while i < s.count && isNameChar(s[i]) { i += 1 }
        guard i > start else { throw TextProtoError(message: "expected a field name", offset: i) }
        return String(decoding: s[start..<i], as: UTF8.self)
    }

    mutating func parseFields(until close: UInt8?, start: Int) throws -> TextProtoMessage {
        let m = TextProtoMessage()
        while true {
            skip()
            if i >= s.count {
                guard close == nil else { throw TextProtoError(message: "unterminated message", offset: i) }
                break
            }
            if let close, s[i] == close {
                i += 1
                break
            }
            let n = try name()
            skip()
            if i < s.count && s[i] == UInt8(ascii: ":") {
                i += 1
                skip()
            }
            if i < s.count && s[i] == UInt8(ascii: "[") {
                // A list of values: `field: [a, b]`.
                i += 1
                while true {
                    skip()
                    if i < s.count && s[i] == UInt8(ascii: "]") {
                        i += 1
                        break
                    }
                    m.fields.append((n, try value()))
                }
            } else {
                m.fields.append((n, try value()))
            }
        }
        let startIndex = text.utf8.index(text.startIndex, offsetBy: start)
        let endIndex = text.utf8.index(text.startIndex, offsetBy: i)
        m.text = text[startIndex..<endIndex]
        return m
    }

    mutating func value() throws -> TextProtoValue {
        skip()
        guard i < s.count else { throw TextProtoError(message: "expected a value", offset: i) }
        let c = s[i]
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "<") {
            let start = i
            i += 1
            return .message(try parseFields(until: c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">"), start: start))
        }
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
            var out: [UInt8] = []
            while i < s.count && (s[i] == UInt8(ascii: "\"") || s[i] == UInt8(ascii: "'")) {
                out += try quoted()
                skip()
            }
            return .bytes(out)
        }
        let start = i
        while i < s.count && isNameChar(s[i]) { i += 1 }
        guard i > start else { throw TextProtoError(message: "unexpected character", offset: i) }
        return .token(String(decoding: s[start..<i], as: UTF8.self))
    }

    static func hex(_ c: UInt8) -> UInt32? {
        switch c {
        case 48...57: UInt32(c - 48)
        case 65...70: UInt32(c - 55)
        case 97...102: UInt32(c - 87)
        default: nil
        }
    }

    mutating func quoted() throws -> [UInt8] {
        let q = s[i]
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < s.count else { throw TextProtoError(message: "unterminated string", offset: i) }
            let c = s[i]
            i += 1
            if c == q { return out }
            if c != UInt8(ascii: "\\") {
                out.append(c)
                continue
            }
            let e = s[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "a"): out.append(7)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "v"): out.append(11)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var v = UInt32(e - 48)
                var k = 0
                while k < 2, i < s.count, s[i] >= 48, s[i] <= 55 {
                    v = v * 8 + UInt32(s[i] - 48)
                    i += 1
                    k += 1
                }
                out.append(UInt8(truncatingIfNeeded: v))
            case UInt8(ascii: "x"), UInt8(ascii: "X"):
                var v: UInt32 = 0
                var k = 0
                while k < 2, i < s.count, let h = Self.hex(s[i]) {
                    v = v * 16 + h
                    i += 1
                    k += 1
                }
                out.append(UInt8(v))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let n = e == UInt8(ascii: "u") ? 4 : 8
                var v: UInt32 = 0
                for _ in 0..<n {
                    guard i < s.count, let h = Self.hex(s[i]) else { throw TextProtoError(message: "bad \\u escape", offset: i) }
                    v = v * 16 + h
                    i += 1
                }
                guard let scalar = Unicode.Scalar(v) else { throw TextProtoError(message: "bad code point", offset: i) }
                out += Array(String(scalar).utf8)
            default: out.append(e)  // \\ \' \" \?
            }
        }
    }
}
