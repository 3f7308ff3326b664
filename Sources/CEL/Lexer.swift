/// A syntax error with its position in the source.
package struct CELSyntaxError: Error, Sendable, CustomStringConvertible {
    package let message: String
    package let position: CELSourcePosition
    package var description: String { "\(position): \(message)" }
}

enum TokenKind: Equatable {
    case int(Int64)
    /// An int literal too large for Int64: only valid after unary minus (`-9223372036854775808`).
    case intMinMagnitude
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case ident(String)
    /// A backquoted identifier (only valid as a selector or field name).
    case quotedIdent(String)
    case punct(String)
    case eof
}

struct Token {
    let kind: TokenKind
    let offset: Int
}

/// Splits CEL source into tokens. Works on Unicode scalars so that offsets are code points.
struct Lexer {
    let src: [Unicode.Scalar]
    var pos = 0

    init(_ source: [Unicode.Scalar]) { src = source }

    static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
        "package", "namespace", "return", "var", "void", "while",
    ]

    func error(_ message: String, at offset: Int) -> CELSyntaxError {
        CELSyntaxError(message: message, position: CELSourcePosition(offset: offset, in: src))
    }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { pos + k < src.count ? src[pos + k] : nil }

    mutating func skipSpace() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" {
                pos += 1
            } else if c == "/" && peek(1) == "/" {
                while let d = peek(), d != "\n" { pos += 1 }
            } else {
                return
            }
        }
    }

    static func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    static func isHex(_ c: Unicode.Scalar) -> Bool {
        isDigit(c) || (c >= "a" && c <= "f") || (c >= "A" && c <= "F")
    }

    mutating func next() throws(CELSyntaxError) -> Token {
        skipSpace()
        let start = pos
        guard let c = peek() else { return Token(kind: .eof, offset: pos) }

        if Self.isDigit(c) || (c == "." && peek(1).map(Self.isDigit) == true) {
            return Token(kind: try lexNumber(), offset: start)
        }
        if Self.isIdentStart(c) {
            var s = ""
            while let d = peek(), Self.isIdentStart(d) || Self.isDigit(d) {
                s.unicodeScalars.append(d)
                pos += 1
            }
            // String prefixes: r, b, rb, br in any case.
            if let q = peek(), q == "'" || q == "\"" {
                let lower = s.lowercased()
                if lower == "r" || lower == "b" || lower == "rb" || lower == "br" {
                    let raw = lower.contains("r")
                    let isBytes = lower.contains("b")
                    return Token(kind: try lexString(raw: raw, bytes: isBytes, start: start), offset: start)
                }
            }
            return Token(kind: .ident(s), offset: start)
        }
        if c == "'" || c == "\"" {
            return Token(kind: try lexString(raw: false, bytes: false, start: start), offset: start)
        }
        if c == "`" {
            pos += 1
            var s = ""
            while let d = peek(), d != "`" {
                guard Self.isIdentStart(d) || Self.isDigit(d) || d == "." || d == "-" || d == "/" || d == "~"
                else { throw error("invalid character in quoted identifier", at: pos) }
                s.unicodeScalars.append(d)
                pos += 1
            }
            guard peek() == "`", !s.isEmpty else { throw error("unterminated quoted identifier", at: start) }
            pos += 1
            return Token(kind: .quotedIdent(s), offset: start)
        }
        let two = peek(1).map { String(c) + String($0) } ?? ""
        if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
            pos += 2
            return Token(kind: .punct(two), offset: start)
        }
        if "()[]{}.,:?!-+*/%<>".unicodeScalars.contains(c) {
            pos += 1
            return Token(kind: .punct(String(c)), offset: start)
        }
        throw error("unexpected character '\(c)'", at: start)
    }

    mutating func lexNumber() throws(CELSyntaxError) -> TokenKind {
        let start = pos
        if peek() == "0", let x = peek(1), x == "x" || x == "X" {
            pos += 2
            var digits = ""
            while let d = peek(), Self.isHex(d) {
                digits.unicodeScalars.append(d)
                pos += 1
            }
            guard !digits.isEmpty else { throw error("invalid hex literal", at: start) }
            if let u = peek(), u == "u" || u == "U" {
                pos += 1
                guard let v = UInt64(digits, radix: 16) else { throw error("uint literal out of range", at: start) }
                return .uint(v)
            }
            if let v = Int64(digits, radix: 16) { return .int(v) }
            if UInt64(digits, radix: 16) == 1 << 63 { return .intMinMagnitude }
            throw error("int literal out of range", at: start)
        }
        var text = ""
        var isDouble = false
        while let d = peek(), Self.isDigit(d) {
            text.unicodeScalars.append(d)
            pos += 1
        }
        if peek() == ".", let d = peek(1), Self.isDigit(d) {
            isDouble = true
            text.append(".")
            pos += 1
            while let d = peek(), Self.isDigit(d) {
                text.unicodeScalars.append(d)
                pos += 1
            }
        }
        if let e = peek(), e == "e" || e == "E" {
            var k = 1
            if let s = peek(1), s == "+" || s == "-" { k = 2 }
            if let d = peek(k), Self.isDigit(d) {
                isDouble = true
                for _ in 0..<k {
                    text.unicodeScalars.append(peek()!)
                    pos += 1
                }
                while let d = peek(), Self.isDigit(d) {
                    text.unicodeScalars.append(d)
                    pos += 1
                }
            }
        }
        if isDouble {
            guard let v = Double(text.hasPrefix(".") ? "0" + text : text) else {
                throw error("invalid double literal", at: start)
            }
            return .double(v)
        }
        if let u = peek(), u == "u" || u == "U" {
            pos += 1
            guard let v = UInt64(text) else { throw error("uint literal out of range", at: start) }
            return .uint(v)
        }
        if let v = Int64(text) { return .int(v) }
        if text == "9223372036854775808" { return .intMinMagnitude }
        throw error("int literal out of range", at: start)
    }

    /// Lexes a quoted string or bytes literal; `pos` is at the opening quote.
    mutating func lexString(raw: Bool, bytes: Bool, start: Int) throws(CELSyntaxError) -> TokenKind {
        let q = src[pos]
        let triple = peek(1) == q && peek(2) == q
        pos += triple ? 3 : 1
        var out: [UInt8] = []
        var scalars = String.UnicodeScalarView()

        func emit(_ s: Unicode.Scalar) {
            if bytes { out.append(contentsOf: Array(String(s).utf8)) } else { scalars.append(s) }
        }

        while true {
            guard let c = peek() else { throw error("unterminated string literal", at: start) }
            if c == q {
                if !triple {
                    pos += 1
                    break
                }
                if peek(1) == q && peek(2) == q {
                    pos += 3
                    break
                }
            }
            if !triple && (c == "\n" || c == "\r") { throw error("unterminated string literal", at: start) }
            if c == "\\" && !raw {
                let escStart = pos
                pos += 1
                guard let e = peek() else { throw error("unterminated string literal", at: start) }
                pos += 1
                switch e {
                case "a": emit("\u{07}")
                case "b": emit("\u{08}")
                case "f": emit("\u{0C}")
                case "n": emit("\n")
                case "r": emit("\r")
                case "t": emit("\t")
                case "v": emit("\u{0B}")
                case "\\", "?", "\"", "'", "`": emit(e)
                case "x", "X", "u", "U":
                    let n = (e == "x" || e == "X") ? 2 : (e == "u" ? 4 : 8)
                    var v: UInt32 = 0
                    for _ in 0..<n {
                        guard let h = peek(), Self.isHex(h) else { throw error("invalid escape sequence", at: escStart) }
                        v = v * 16 + UInt32(String(h), radix: 16)!
                        pos += 1
                    }
                    if bytes && n == 2 {
                        out.append(UInt8(v))
                    } else {
                        if bytes && n > 2 { throw error("unicode escape in bytes literal", at: escStart) }
                        guard let s = Unicode.Scalar(v) else {
                            throw error("invalid unicode code point (surrogate or out of range)", at: escStart)
                        }
                        emit(s)
                    }
                case "0"..."3":
                    var v = UInt32(e.value - 48)
                    for _ in 0..<2 {
                        guard let o = peek(), o >= "0" && o <= "7" else { throw error("invalid octal escape", at: escStart) }
                        v = v * 8 + (o.value - 48)
                        pos += 1
                    }
                    if bytes { out.append(UInt8(v)) } else { emit(Unicode.Scalar(v)!) }
                default:
                    throw error("invalid escape sequence '\\\(e)'", at: escStart)
                }
                continue
            }
            emit(c)
            pos += 1
        }
        return bytes ? .bytes(out) : .string(String(scalars))
    }
}
