import Foundation

/// Slugs are the path identifiers of almost every resource.
///
/// A valid slug matches `^[a-z0-9][a-z0-9-]*[a-z0-9]$` and is 2–100 characters long. Slugs a client does
/// not choose are generated from a name with a random suffix, so a collision is retried rather than
/// reported.
package enum Slug {
    package static let maximumLength = 100
    package static let pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$"
    /// How many freshly generated slugs are tried before a conflict is reported.
    package static let generationAttempts = 5

    package static func isValid(_ candidate: String) -> Bool {
        let bytes = Array(candidate.utf8)
        guard bytes.count >= 2, bytes.count <= maximumLength else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool { (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) }
        guard isAlphanumeric(bytes.first!), isAlphanumeric(bytes.last!) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == 0x2D }
    }

    /// The message every `<Operation>.InvalidSlug` problem carries.
    package static func invalidReason(_ candidate: String) -> String {
        "Slug \"\(candidate)\" is invalid: must match \(pattern) and be 2–100 characters"
    }

    /// The URL-friendly base of a text: lowercased, accents removed, a few letters transliterated,
    /// apostrophes dropped and every other run of characters outside `[a-z0-9]` collapsed to one dash.
    package static func base(from text: String) -> String {
        let folded = text.lowercased().decomposedStringWithCanonicalMapping
        var result = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            if scalar == "'" || scalar == "\u{2019}" { continue }
            let replacement: String
            switch scalar {
            case "a"..."z", "0"..."9": replacement = String(scalar)
            case "æ": replacement = "ae"
            case "ð", "đ": replacement = "d"
            case "ı": replacement = "i"
            case "ł": replacement = "l"
            case "ø": replacement = "o"
            case "œ": replacement = "oe"
            case "ß": replacement = "ss"
            case "þ": replacement = "th"
            default:
                pendingDash = true
                continue
            }
            if pendingDash && !result.isEmpty { result.append("-") }
            pendingDash = false
            result.append(replacement)
        }
        return result
    }

    /// A slug generated from `text` with a random 6-hex-character suffix, trimmed to the maximum length.
    package static func generate(from text: String) -> String {
        var random = SystemRandomNumberGenerator()
        let suffix = (0..<3).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        var stem = base(from: text)
        let room = maximumLength - suffix.count - 1
        if stem.count > room {
            stem = String(stem.prefix(room))
            while stem.hasSuffix("-") { stem.removeLast() }
        }
        return stem.isEmpty ? suffix : "\(stem)-\(suffix)"
    }
}
