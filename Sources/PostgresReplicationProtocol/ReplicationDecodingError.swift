import NIOCore

/// A message that does not parse: which message, what was wrong, and its raw bytes for the log.
package struct ReplicationDecodingError: Error, Hashable, CustomStringConvertible {
    /// The message's type byte as a character (`"R"`, `"w"`, `"I"`, …).
    package var messageID: String
    package var reason: String
    /// The message's bytes (without the frame header) as a hex dump.
    package var payload: String
    package var file: String
    package var line: Int

    package init(messageID: UInt8, reason: String, payload: ByteBuffer, file: String = #fileID, line: Int = #line) {
        self.messageID = String(UnicodeScalar(messageID))
        self.reason = reason
        self.payload = payload.hexDump(format: .plain(maxBytes: 256))
        self.file = file
        self.line = line
    }

    package var description: String {
        "cannot decode message '\(messageID)': \(reason) [\(payload)] (\(file):\(line))"
    }
}

/// Thrown by payload decoders; the frame or CopyData decoder that called them adds the message id and bytes.
package struct PayloadError: Error, Hashable {
    package var reason: String

    package init(_ reason: String) {
        self.reason = reason
    }

    package static let truncated = PayloadError("message is shorter than its layout")
    package static let trailingBytes = PayloadError("bytes left after the message's layout")
}
