/// Linear-time substring search (Knuth–Morris–Pratt). The strings functions search untrusted text for
/// untrusted needles, and the naive search is quadratic in the worst case (`'aaa…a'.contains('aa…ab')`).
struct SubstringSearch<Element: Equatable> {
    let needle: [Element]
    /// `failure[i]`: length of the longest proper prefix of `needle[0...i]` that is also its suffix.
    let failure: [Int]

    init(_ needle: [Element]) {
        self.needle = needle
        var failure = [Int](repeating: 0, count: needle.count)
        var k = 0
        var i = 1
        while i < needle.count {
            while k > 0 && needle[i] != needle[k] { k = failure[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            failure[i] = k
            i += 1
        }
        self.failure = failure
    }

    /// The first index at or after `start` where the needle occurs in `hay`.
    func first(in hay: [Element], from start: Int = 0) -> Int? {
        let m = needle.count
        if m == 0 { return start <= hay.count ? start : nil }
        var k = 0
        var i = start
        while i < hay.count {
            while k > 0 && hay[i] != needle[k] { k = failure[k - 1] }
            if hay[i] == needle[k] { k += 1 }
            if k == m { return i - m + 1 }
            i += 1
        }
        return nil
    }

    /// The last index not after `end` where the needle starts in `hay`.
    static func last(of needle: [Element], in hay: [Element], notAfter end: Int) -> Int? {
        let m = needle.count
        let limit = min(hay.count, end + m)
        if m > limit { return nil }
        let reversedHay = Array(hay[0..<limit].reversed())
        guard let j = SubstringSearch(Array(needle.reversed())).first(in: reversedHay) else { return nil }
        return limit - j - m
    }
}
