import Foundation
import Logging

/// The account PostgreSQL runs as: this process's own, or `postgres` when this process is root.
struct RunAccount {
    let user: (name: String, uid: uid_t, gid: gid_t)?

    static func current() throws -> RunAccount {
        guard getuid() == 0 else { return RunAccount(user: nil) }
        guard let entry = getpwnam("postgres") else { throw EmbeddedPostgresError.noUnprivilegedUser }
        return RunAccount(user: ("postgres", entry.pointee.pw_uid, entry.pointee.pw_gid))
    }

    /// Refuses a data directory the account could not reach: every parent must be searchable by it.
    func checkReachable(_ url: URL) throws {
        guard let user else { return }
        var directory = url.deletingLastPathComponent()
        while directory.path != "/" {
            var status = stat()
            if stat(directory.path, &status) == 0 {
                let searchable =
                    status.st_uid == user.uid
                    ? status.st_mode & 0o100 != 0
                    : status.st_gid == user.gid
                        ? status.st_mode & 0o010 != 0
                        : status.st_mode & 0o001 != 0
                if !searchable { throw EmbeddedPostgresError.unreachableDataDirectory(directory.path, user: user.name) }
            }
            directory = directory.deletingLastPathComponent()
        }
    }

    /// Gives the account a file or, recursively, a directory.
    func takeOwnership(of url: URL) throws {
        guard let user else { return }
        let fileManager = FileManager.default
        var paths = [url.path]
        if let enumerator = fileManager.enumerator(atPath: url.path) {
            paths += enumerator.compactMap { $0 as? String }.map { url.path + "/" + $0 }
        }
        for path in paths {
            chown(path, user.uid, user.gid)
        }
        if (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
            chmod(url.path, 0o700)
        }
    }

    /// The command line that runs `executable` as the account. `setpriv` switches the user in place (no
    /// intermediate process, so signals reach PostgreSQL) and can set the parent-death signal.
    func command(_ executable: String, _ arguments: [String], dieWithParent: Bool) -> [String] {
        var prefix = ["/usr/bin/setpriv"]
        if let user {
            prefix += ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups"]
        }
        if dieWithParent { prefix.append("--pdeathsig=SIGINT") }
        return prefix.count == 1 ? [executable] + arguments : prefix + ["--", executable] + arguments
    }

    /// Runs a one-shot command to completion.
    func run(_ executable: String, _ arguments: [String], logger: Logger) async throws {
        let process = Process()
        let commandLine = command(executable, arguments, dieWithParent: false)
        process.executableURL = URL(fileURLWithPath: commandLine[0])
        process.arguments = Array(commandLine.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EmbeddedPostgresError.commandFailed(executable, status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
        }
    }
}
