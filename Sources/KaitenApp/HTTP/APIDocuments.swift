import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// The OpenAPI documents of what this server implements, served at `/api/openapi.json` and
/// `/api/platform-openapi.json`.
enum APIDocuments {
    static func register(_ fileName: String, on router: RouterGroup<KaitenRequestContext>) {
        let body = ByteBuffer(bytes: document(fileName))
        router.get("/\(fileName).json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
    }

    /// The document's bytes, as served.
    static func document(_ fileName: String) -> Data {
        guard let url = Bundle.module.url(forResource: fileName, withExtension: "json", subdirectory: "Resources"),
            let data = try? Data(contentsOf: url)
        else {
            preconditionFailure("the OpenAPI document \(fileName).json is missing from KaitenApp's resources")
        }
        return data
    }
}
