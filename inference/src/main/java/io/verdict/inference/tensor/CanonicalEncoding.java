package io.verdict.inference.tensor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one canonical byte encoding of a {@link Tensor} and of {@link NamedTensors}, specified in
 * docs/FORMATS.md. All integers are little-endian.
 *
 * <pre>
 * tensor := "VDT" 0x01 | dtype:u8 | rank:u32 | dim:u64 × rank | data (row-major, LE elements)
 * named  := "VDN" 0x01 | count:u32 | ( nameLen:u32 | name:UTF-8 | tensor ) × count, names ascending
 *           by unsigned UTF-8 bytes, no duplicates
 * </pre>
 *
 * <p>Decoding accepts exactly what encoding produces (and rejects trailing bytes), so
 * {@code decode(encode(x)).equals(x)} and every value has exactly one encoding.
 */
public final class CanonicalEncoding {

    /** Prefix of an encoded tensor: ASCII "VDT", format version 1. */
    public static final byte[] TENSOR_MAGIC = {'V', 'D', 'T', 0x01};
    /** Prefix of an encoded set of named tensors: ASCII "VDN", format version 1. */
    public static final byte[] NAMED_MAGIC = {'V', 'D', 'N', 0x01};

    private CanonicalEncoding() {
    }

    public static byte[] encode(Tensor tensor) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(tensorLength(tensor));
        writeTensor(out, tensor);
        return out.toByteArray();
    }

    public static byte[] encode(NamedTensors tensors) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(NAMED_MAGIC);
        writeU32(out, tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.asMap().entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            writeU32(out, name.length);
            out.writeBytes(name);
            writeTensor(out, e.getValue());
        }
        return out.toByteArray();
    }

    public static Tensor decodeTensor(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        Tensor t = readTensor(in);
        requireEnd(in);
        return t;
    }

    public static NamedTensors decodeNamedTensors(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        expectMagic(in, NAMED_MAGIC, "named tensors");
        long count = readU32(in);
        TreeMap<String, Tensor> map = new TreeMap<>(NamedTensors.CANONICAL_NAME_ORDER);
        byte[] previous = null;
        for (long i = 0; i < count; i++) {
            long nameLen = readU32(in);
            if (nameLen == 0 || nameLen > NamedTensors.MAX_NAME_BYTES || nameLen > in.remaining()) {
                throw new InvalidTensor("bad name length " + nameLen + " for entry " + i);
            }
            byte[] nameBytes = new byte[(int) nameLen];
            in.get(nameBytes);
            if (previous != null && Arrays.compareUnsigned(previous, nameBytes) >= 0) {
                throw new InvalidTensor("names are not in strictly ascending UTF-8 byte order at entry " + i);
            }
            previous = nameBytes;
            String name;
            try {
                name = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(nameBytes))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new InvalidTensor("name of entry " + i + " is not valid UTF-8");
            }
            map.put(name, readTensor(in));
        }
        requireEnd(in);
        return NamedTensors.of(map);
    }

    // ---- internals ---------------------------------------------------------------------------

    private static int tensorLength(Tensor t) {
        return TENSOR_MAGIC.length + 1 + 4 + 8 * t.shape().rank() + t.byteLength();
    }

    private static void writeTensor(ByteArrayOutputStream out, Tensor t) {
        out.writeBytes(TENSOR_MAGIC);
        out.write(t.dtype().code());
        long[] dims = t.shape().dims();
        writeU32(out, dims.length);
        ByteBuffer b = ByteBuffer.allocate(8 * dims.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long d : dims) {
            b.putLong(d);
        }
        out.writeBytes(b.array());
        ByteBuffer data = t.buffer();
        byte[] raw = new byte[data.remaining()];
        data.get(raw);
        out.writeBytes(raw);
    }

    private static Tensor readTensor(ByteBuffer in) {
        expectMagic(in, TENSOR_MAGIC, "tensor");
        need(in, 1 + 4);
        DType dtype = DType.fromCode(in.get());
        long rank = readU32(in);
        if (rank > in.remaining() / 8) {
            throw new InvalidTensor("rank " + rank + " exceeds the encoded bytes");
        }
        long[] dims = new long[(int) rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = in.getLong();
            if (dims[i] < 0) {
                throw new InvalidTensor("dimension " + i + " is too large (u64 > 2^63-1)");
            }
        }
        Shape shape = Shape.of(dims);
        long count = shape.elementCount();
        if (count > in.remaining() / dtype.size()) {
            throw new InvalidTensor("tensor " + dtype + shape + " exceeds the encoded bytes");
        }
        byte[] data = new byte[(int) (count * dtype.size())];
        in.get(data);
        return new Tensor(dtype, shape, data);
    }

    private static void expectMagic(ByteBuffer in, byte[] magic, String what) {
        need(in, magic.length);
        byte[] got = new byte[magic.length];
        in.get(got);
        if (!Arrays.equals(got, magic)) {
            throw new InvalidTensor("not a canonical " + what + " encoding (bad magic/version)");
        }
    }

    private static long readU32(ByteBuffer in) {
        need(in, 4);
        return Integer.toUnsignedLong(in.getInt());
    }

    private static void need(ByteBuffer in, int n) {
        if (in.remaining() < n) {
            throw new InvalidTensor("truncated encoding");
        }
    }

    private static void requireEnd(ByteBuffer in) {
        if (in.hasRemaining()) {
            throw new InvalidTensor(in.remaining() + " trailing bytes after the encoding");
        }
    }

    private static void writeU32(ByteArrayOutputStream out, long v) {
        out.write((int) (v & 0xff));
        out.write((int) ((v >>> 8) & 0xff));
        out.write((int) ((v >>> 16) & 0xff));
        out.write((int) ((v >>> 24) & 0xff));
    }
}
