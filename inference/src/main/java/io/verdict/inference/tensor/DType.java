package io.verdict.inference.tensor;

/**
 * Element types a Verdict tensor can hold, with their one-byte code in the canonical encoding
 * (see docs/FORMATS.md) and their size in bytes. Codes are part of the wire format: never renumber.
 */
public enum DType {
    FLOAT32(0x01, 4),
    FLOAT64(0x02, 8),
    INT32(0x03, 4),
    INT64(0x04, 8),
    BOOL(0x05, 1);

    private final byte code;
    private final int size;

    DType(int code, int size) {
        this.code = (byte) code;
        this.size = size;
    }

    /** The one-byte code used in the canonical encoding. */
    public byte code() {
        return code;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** True for FLOAT32 and FLOAT64. */
    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** The type with the given code; {@link InvalidTensor} if the code is unknown. */
    public static DType fromCode(byte code) {
        for (DType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new InvalidTensor(String.format("unknown dtype code 0x%02x", code & 0xff));
    }
}
