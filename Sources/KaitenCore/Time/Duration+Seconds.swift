import Foundation

extension Duration {
    /// The duration in fractional seconds, as SQL intervals, `Date` arithmetic and printed rates take it.
    package var seconds: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}
