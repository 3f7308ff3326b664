import Foundation
import HTTPTypes
import Hummingbird

/// A CSV download (RFC 4180) that is safe to open in a spreadsheet: a text cell starting with a formula
/// character is neutralised, so what a client wrote into a payload or metadata never runs.
struct CSVExport {
    private var text: String

    init(header: [String]) {
        text = header.joined(separator: ",") + "\r\n"
    }

    mutating func append(_ cells: [String]) {
        text += cells.map(Self.field).joined(separator: ",") + "\r\n"
    }

    /// The download, named `filename`; never cached.
    func response(filename: String) -> Response {
        var headers = PageRenderer.securityHeaders
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A field, quoted when it holds a separator, a quote or a line break; a number keeps its sign.
    static func field(_ text: String) -> String {
        var field = text
        if let first = field.first, "=+-@\t\r".contains(first), Double(field) == nil { field = "'" + field }
        guard field.contains(where: { ",\"\r\n".contains($0) }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
