package io.verdict.inference.onnx;

/**
 * ONNX tensor element types ({@code TensorProto.DataType} in the ONNX IR specification) that the
 * builder writes, with their wire code and size in bytes (0 for STRING, which has no fixed size).
 */
public enum OnnxElementType {
    FLOAT(1, 4),
    UINT8(2, 1),
    INT8(3, 1),
    INT32(6, 4),
    INT64(7, 8),
    STRING(8, 0),
    BOOL(9, 1),
    FLOAT16(10, 2),
    DOUBLE(11, 8);

    private final int code;
    private final int size;

    OnnxElementType(int code, int size) {
        this.code = code;
        this.size = size;
    }

    /** The {@code TensorProto.DataType} value. */
    public int code() {
        return code;
    }

    /** Bytes per element in {@code raw_data}; 0 for STRING. */
    public int size() {
        return size;
    }
}
