import Foundation
import KaitenCore

/// Members of license bodies the shared reader has no accessor for: 32-bit integers.
///
/// Each consumes its member and records a violation on the reader when the member has the wrong type, so
/// they take part in the reader's one-pass collection of every mistake.
enum BodyMembers {
    /// An `int32` member; a whole number written with a fraction (`10.0`) counts.
    static func int32(_ key: String, in reader: inout JSONObjectReader) -> Int? {
        guard let value = reader.raw(key) else { return nil }
        let whole: Double? =
            switch value {
            case .integer(let integer): Double(integer)
            case .number(let number) where number.rounded() == number: number
            default: nil
            }
        guard let whole, whole >= Double(Int32.min), whole <= Double(Int32.max) else {
            reader.reject(key, "expected 32-bit integer, got \(value.typeName)", value: value)
            return nil
        }
        return Int(whole)
    }
}
