import Foundation

/// Where the server programs are: `KAITEN_PG_BIN`, else the newest `/usr/lib/postgresql/<major>/bin`, else
/// the `PATH`.
struct PostgresBinaries {
    let initdb: String
    let postgres: String

    static func locate() throws -> PostgresBinaries {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = environment["KAITEN_PG_BIN"] { candidates.append(explicit) }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in candidates {
            let initdb = directory + "/initdb"
            let postgres = directory + "/postgres"
            if FileManager.default.isExecutableFile(atPath: initdb), FileManager.default.isExecutableFile(atPath: postgres) {
                return PostgresBinaries(initdb: initdb, postgres: postgres)
            }
        }
        throw EmbeddedPostgresError.binariesNotFound
    }
}
