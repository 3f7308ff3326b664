import NIOCore

/// A run-time parameter's value, reported at start-up and whenever it changes.
package struct ParameterStatus: Hashable, Sendable {
    package var name: String
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    package static func decode(from buffer: inout ByteBuffer) throws(PayloadError) -> ParameterStatus {
        ParameterStatus(name: try buffer.readPostgresString(), value: try buffer.readPostgresString())
    }
}
