import Foundation

/// A line chart drawn on the server as SVG by a template: this computes the geometry, the template writes
/// the markup, so every text in it is escaped by Mustache. A screen reader gets the title and a
/// description listing every point.
struct LineChart {
    let title: String
    let points: [(label: String, value: Double)]

    static let width = 480.0
    static let height = 200.0
    /// Room for the value labels on the left and the point labels below.
    static let left = 56.0
    static let bottom = 28.0
    static let top = 16.0

    /// Whether there is a line to draw: one point is better said in a sentence.
    var isDrawable: Bool { points.count > 1 }

    /// What the template reads: `title`, `description`, `points` (the polyline), `dots`, `labels`, `viewBox`.
    var data: [String: Any] {
        let values = points.map(\.value)
        let lowest = min(values.min() ?? 0, 0)
        let highest = max(values.max() ?? 0, lowest + 1)
        let plotWidth = Self.width - Self.left - 12
        let plotHeight = Self.height - Self.top - Self.bottom
        let step = plotWidth / Double(max(points.count - 1, 1))
        let coordinates = points.enumerated().map { index, point in
            (x: Self.left + Double(index) * step, y: Self.top + plotHeight * (1 - (point.value - lowest) / (highest - lowest)))
        }
        let axisLabels: [[String: Any]] = [
            ["x": Self.left - 6, "y": Self.top + 4, "anchor": "end", "text": Format.number(highest)],
            ["x": Self.left - 6, "y": Self.top + plotHeight, "anchor": "end", "text": Format.number(lowest)],
        ]
        let pointLabels: [[String: Any]] =
            [(0, "start"), (points.count - 1, "end")].filter { points.indices.contains($0.0) }.map { index, anchor in
                ["x": Self.round(coordinates[index].x), "y": Self.height - 8, "anchor": anchor, "text": points[index].label]
            }
        return [
            "title": title,
            "description": "\(title): " + points.map { "\($0.label): \(Format.number($0.value))" }.joined(separator: ", "),
            "viewBox": "0 0 \(Int(Self.width)) \(Int(Self.height))",
            "points": coordinates.map { "\(Self.round($0.x)),\(Self.round($0.y))" }.joined(separator: " "),
            "dots": coordinates.map { ["x": Self.round($0.x), "y": Self.round($0.y)] },
            "labels": axisLabels + pointLabels,
            "baseline": ["x1": Self.left, "x2": Self.width - 12, "y": Self.top + plotHeight],
        ]
    }

    private static func round(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}
