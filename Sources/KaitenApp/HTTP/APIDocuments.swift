import Foundation
import Hummingbird
import KaitenCore
import KaitenHTTP

/// The OpenAPI documents of what this server implements, served at `/api/openapi.json` and
/// `/api/platform-openapi.json`.
enum APIDocuments {
    static func register(_ fileName: String, on router: RouterGroup<KaitenRequestContext>) {
        guard let url = Bundle.module.url(forResource: fileName, withExtension: "json", subdirectory: "Resources"),
            let data = try? Data(contentsOf: url)
        else {
            preconditionFailure("the OpenAPI document \(fileName).json is missing from KaitenApp's resources")
        }
        let body = ByteBuffer(bytes: data)
        router.get("/\(fileName).json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
    }
}
