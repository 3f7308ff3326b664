import NIOCore

/// Test vectors are written as hex for the fixed-width parts and as text for the strings, so each can be checked
/// against the protocol documentation by eye.
func hex(_ digits: String) -> [UInt8] {
    let clean = digits.filter { !$0.isWhitespace }
    precondition(clean.count.isMultiple(of: 2), "odd number of hex digits")
    var bytes: [UInt8] = []
    var index = clean.startIndex
    while index < clean.endIndex {
        let next = clean.index(index, offsetBy: 2)
        bytes.append(UInt8(clean[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// UTF-8 bytes; write `\0` for terminators.
func text(_ string: String) -> [UInt8] {
    Array(string.utf8)
}

func buffer(_ bytes: [UInt8]) -> ByteBuffer {
    ByteBuffer(bytes: bytes)
}
