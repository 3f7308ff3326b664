/// A bar chart drawn on the server as SVG: no script, readable by a screen reader through its title and a
/// description that lists every bar.
struct BarChart {
    let title: String
    let bars: [(label: String, value: Int)]

    static let width = 480
    static let height = 200
    static let labelBand = 28

    /// The SVG markup; every text in it is escaped.
    var svg: String {
        let maximum = max(bars.map(\.value).max() ?? 0, 1)
        let slot = Double(Self.width) / Double(max(bars.count, 1))
        let plot = Double(Self.height - Self.labelBand - 16)
        var marks = ""
        for (index, bar) in bars.enumerated() {
            let barHeight = plot * Double(bar.value) / Double(maximum)
            let x = Double(index) * slot + slot * 0.15
            let y = 16 + plot - barHeight
            marks += """
                <rect class="bar" x="\(Int(x))" y="\(Int(y))" width="\(Int(slot * 0.7))" height="\(max(Int(barHeight), bar.value > 0 ? 1 : 0))"></rect>\
                <text class="value" x="\(Int(x + slot * 0.35))" y="\(Int(y) - 4)" text-anchor="middle">\(bar.value)</text>\
                <text class="label" x="\(Int(x + slot * 0.35))" y="\(Self.height - 8)" text-anchor="middle">\(escape(bar.label))</text>
                """
        }
        let description = bars.map { "\($0.label): \($0.value)" }.joined(separator: ", ")
        return """
            <svg class="chart" viewBox="0 0 \(Self.width) \(Self.height)" role="img" aria-label="\(escape(title)). \(escape(description))">\
            <title>\(escape(title))</title>\(marks)</svg>
            """
    }

    /// Whether there is anything to draw; a chart of zeros shows its empty state instead.
    var isEmpty: Bool { bars.allSatisfy { $0.value == 0 } }

    private func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
