package io.verdict.inference.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Serialises one protobuf message into bytes, so that it can be nested as a length-delimited field. */
final class ProtoMessages {

    /** Writes the fields of one message. */
    @FunctionalInterface
    interface Body {
        void writeTo(CodedOutputStream out) throws IOException;
    }

    private ProtoMessages() {
    }

    static byte[] bytes(Body body) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(buffer);
        try {
            body.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise an ONNX message in memory", e);
        }
        return buffer.toByteArray();
    }
}
