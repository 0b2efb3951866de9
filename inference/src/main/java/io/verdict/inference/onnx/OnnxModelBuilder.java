package io.verdict.inference.onnx;

import static io.verdict.inference.onnx.OnnxFields.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an ONNX {@code ModelProto}: IR version, operator set imports, producer, one graph, and
 * (only for tests of the safety scan) model-local functions. The output is a pure function of the
 * calls made: byte-for-byte reproducible.
 */
public final class OnnxModelBuilder {

    /** The IR version written unless set: IR 7, the one that goes with opset 13. */
    public static final long DEFAULT_IR_VERSION = 7;

    private long irVersion = DEFAULT_IR_VERSION;
    private final List<Opset> opsets = new ArrayList<>();
    private String producerName = "";
    private String producerVersion = "";
    private final List<String[]> functions = new ArrayList<>();
    private OnnxGraphBuilder graph;

    private record Opset(String domain, long version) {
    }

    public OnnxModelBuilder irVersion(long irVersion) {
        this.irVersion = irVersion;
        return this;
    }

    /** Imports operator set {@code version} of {@code domain} ("" is the default {@code ai.onnx} domain). */
    public OnnxModelBuilder opset(String domain, long version) {
        opsets.add(new Opset(domain, version));
        return this;
    }

    public OnnxModelBuilder producer(String name, String version) {
        this.producerName = name;
        this.producerVersion = version;
        return this;
    }

    public OnnxModelBuilder graph(OnnxGraphBuilder graph) {
        this.graph = graph;
        return this;
    }

    /** Adds a (bodiless) model-local function {@code domain.name}: a custom op defined in the model. */
    public OnnxModelBuilder function(String domain, String name) {
        functions.add(new String[] {domain, name});
        return this;
    }

    /** The serialised {@code ModelProto}. */
    public byte[] toBytes() {
        if (graph == null) {
            throw new IllegalStateException("a model needs a graph");
        }
        byte[] graphBytes = graph.toBytes();
        return ProtoMessages.bytes(out -> {
            out.writeInt64(MODEL_IR_VERSION, irVersion);
            out.writeString(MODEL_PRODUCER_NAME, producerName);
            out.writeString(MODEL_PRODUCER_VERSION, producerVersion);
            out.writeByteArray(MODEL_GRAPH, graphBytes);
            for (Opset o : opsets) {
                out.writeByteArray(MODEL_OPSET_IMPORT, ProtoMessages.bytes(op -> {
                    op.writeString(OPSET_DOMAIN, o.domain());
                    op.writeInt64(OPSET_VERSION, o.version());
                }));
            }
            for (String[] f : functions) {
                out.writeByteArray(MODEL_FUNCTIONS, ProtoMessages.bytes(fn -> {
                    fn.writeString(FUNCTION_NAME, f[1]);
                    fn.writeString(FUNCTION_DOMAIN, f[0]);
                }));
            }
        });
    }

    /** Writes {@link #toBytes()} to {@code file}, replacing it. */
    public void write(Path file) {
        try {
            Files.write(file, toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ONNX model " + file, e);
        }
    }
}
