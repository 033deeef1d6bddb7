/// Bounds-checked little-endian reads from a byte buffer, for parsing file headers. Every read
/// that would run past the end throws a `.truncated` error naming the file, the field and the offset.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    let path: String
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer, path: String) {
        self.bytes = bytes
        self.path = path
    }

    mutating func require(_ count: Int, for field: @autoclosure () -> String) throws {
        guard count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw ModelFileError(.truncated, path: path,
                                 "file ends at byte \(bytes.count) while reading \(field()) at byte \(offset) (needs \(count) bytes)")
        }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: @autoclosure () -> String) throws -> T {
        try require(MemoryLayout<T>.size, for: field())
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return value
    }

    mutating func readFloat(_ field: @autoclosure () -> String) throws -> Float {
        Float(bitPattern: try read(UInt32.self, field()))
    }

    mutating func readDouble(_ field: @autoclosure () -> String) throws -> Double {
        Double(bitPattern: try read(UInt64.self, field()))
    }

    mutating func readBytes(_ count: Int, _ field: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        try require(count, for: field())
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
        offset += count
        return slice
    }

    mutating func skip(to newOffset: Int, _ field: @autoclosure () -> String) throws {
        try require(newOffset - offset, for: field())
        offset = newOffset
    }
}
