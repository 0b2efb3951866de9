package io.verdict.inference.onnx;

import static io.verdict.inference.onnx.OnnxFields.*;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.verdict.inference.safety.UnsafeModel;
import io.verdict.inference.safety.UnsafeModel.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an ONNX {@code ModelProto} that the safety scan looks at, parsed from untrusted
 * bytes: operator set imports, model-local functions, and the graph with its nodes (domain, op
 * type, name), the subgraphs held by node attributes (GRAPH and GRAPHS, recursively), every
 * constant tensor's external-data fields, and the names of the graph's inputs and outputs.
 * Tensor data is skipped, never read into memory.
 *
 * <p>The parser is written for hostile input: the file size, the subgraph nesting depth, the
 * number of nodes, the length of each string and the total number of parsed items are bounded
 * ({@link Limits}; exceeding one is {@link Reason#TOO_LARGE}); protobuf groups, wrong wire types,
 * truncated or overlong fields and a singular message field that appears twice (which protobuf
 * would silently merge) are {@link Reason#MALFORMED}. Every failure is an {@link UnsafeModel}.
 *
 * @param irVersion {@code ir_version}
 * @param functions each model-local function as {@code domain:name}
 * @param hasTrainingInfo whether {@code training_info} is present (graphs ORT does not run for inference)
 */
public record OnnxModelFile(long irVersion, List<OpsetImport> opsetImports, List<String> functions,
                            boolean hasTrainingInfo, Graph graph) {

    public OnnxModelFile {
        opsetImports = List.copyOf(opsetImports);
        functions = List.copyOf(functions);
    }

    /** One {@code opset_import}; domain "" is the default {@code ai.onnx} domain. */
    public record OpsetImport(String domain, long version) {
    }

    /**
     * A graph: the main one, or a subgraph held by a node attribute.
     *
     * @param unrankedInputs the inputs declared as tensors without a shape (unknown rank; a shape
     *     with symbolic dimensions has a rank)
     */
    public record Graph(String name, List<Node> nodes, List<TensorRef> initializers,
                        List<String> inputs, List<String> outputs, List<String> unrankedInputs) {
        public Graph {
            nodes = List.copyOf(nodes);
            initializers = List.copyOf(initializers);
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
            unrankedInputs = List.copyOf(unrankedInputs);
        }
    }

    /** One node; {@code domain} "" is the default domain. */
    public record Node(String name, String domain, String opType, List<String> inputs, List<String> outputs,
                       List<Attribute> attributes) {
        public Node {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
            attributes = List.copyOf(attributes);
        }
    }

    /**
     * A node attribute, reduced to what can hide code or data: its subgraphs ({@code g} and
     * {@code graphs}) and its constant tensors ({@code t}, {@code tensors} and the values and
     * indices of sparse tensors), whatever its declared {@code type}.
     */
    public record Attribute(String name, int type, List<Graph> graphs, List<TensorRef> tensors) {
        public Attribute {
            graphs = List.copyOf(graphs);
            tensors = List.copyOf(tensors);
        }
    }

    /**
     * A constant tensor's name and where its data lives.
     *
     * @param dataLocation {@code data_location}: 0 DEFAULT (inline), 1 EXTERNAL
     * @param externalData the {@code external_data} entries ({@code location}, {@code offset}, ...)
     */
    public record TensorRef(String name, int dataLocation, List<Entry> externalData) {
        public TensorRef {
            externalData = List.copyOf(externalData);
        }

        /** True if the runtime would (or might) read this tensor's data from another file. */
        public boolean isExternal() {
            return dataLocation == DATA_LOCATION_EXTERNAL || !externalData.isEmpty();
        }

        /** The value of the first entry with {@code key}, or null. */
        public String external(String key) {
            for (Entry e : externalData) {
                if (e.key().equals(key)) {
                    return e.value();
                }
            }
            return null;
        }
    }

    /** A {@code StringStringEntryProto}. */
    public record Entry(String key, String value) {
    }

    /**
     * Bounds on what the parser accepts.
     *
     * @param maxFileBytes largest model file (protobuf itself stops at 2 GiB)
     * @param maxNodes nodes in all graphs together
     * @param maxGraphDepth subgraph nesting (the main graph is depth 0)
     * @param maxStringBytes longest name, domain or other string
     * @param maxItems nodes, tensors, names and attributes together
     */
    public record Limits(long maxFileBytes, int maxNodes, int maxGraphDepth, int maxStringBytes, int maxItems) {
        public Limits {
            if (maxFileBytes < 1 || maxFileBytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maxFileBytes must be in 1.." + Integer.MAX_VALUE + " (protobuf's limit)");
            }
            if (maxNodes < 1 || maxGraphDepth < 0 || maxStringBytes < 1 || maxItems < 1) {
                throw new IllegalArgumentException("limits must be positive: " + maxNodes + ", " + maxGraphDepth
                        + ", " + maxStringBytes + ", " + maxItems);
            }
        }

        /** 2 GiB - 1, 100 000 nodes, 16 levels of subgraphs, 64 KiB strings, 5 million items. */
        public static Limits defaults() {
            return new Limits(Integer.MAX_VALUE, 100_000, 16, 64 * 1024, 5_000_000);
        }
    }

    /** Parses {@code file} (which must be a regular file, not a link) with {@link Limits#defaults()}. */
    public static OnnxModelFile read(Path file) {
        return read(file, Limits.defaults());
    }

    public static OnnxModelFile read(Path file, Limits limits) {
        String subject = String.valueOf(file.getFileName());
        long size;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new UnsafeModel(Reason.WRONG_FORMAT, subject, subject + " is not a regular file");
            }
            size = Files.size(file);
        } catch (IOException e) {
            throw new UnsafeModel(Reason.MALFORMED, subject, "cannot read " + subject + ": " + e, e);
        }
        if (size > limits.maxFileBytes()) {
            throw new UnsafeModel(Reason.TOO_LARGE, subject,
                    subject + " is " + size + " bytes, more than the " + limits.maxFileBytes() + " accepted");
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return new Parser(CodedInputStream.newInstance(in, 1 << 16), size, subject, limits).model();
        } catch (IOException e) {
            throw malformed(subject, e);
        }
    }

    /** Parses a serialised {@code ModelProto}; {@code subject} names it in refusals. */
    public static OnnxModelFile parse(byte[] bytes, String subject, Limits limits) {
        if (bytes.length > limits.maxFileBytes()) {
            throw new UnsafeModel(Reason.TOO_LARGE, subject, subject + " is " + bytes.length + " bytes, more than the "
                    + limits.maxFileBytes() + " accepted");
        }
        try {
            return new Parser(CodedInputStream.newInstance(bytes), bytes.length, subject, limits).model();
        } catch (IOException e) {
            throw malformed(subject, e);
        }
    }

    private static UnsafeModel malformed(String subject, Exception e) {
        return new UnsafeModel(Reason.MALFORMED, subject,
                subject + " is not a valid ONNX model: " + e.getMessage(), e);
    }

    /** One pass over the bytes; not reusable. */
    private static final class Parser {
        private final CodedInputStream in;
        private final String subject;
        private final Limits limits;
        private int nodes;
        private int items;

        private final long size;

        Parser(CodedInputStream in, long size, String subject, Limits limits) {
            this.in = in;
            this.size = size;
            this.subject = subject;
            this.limits = limits;
            in.setSizeLimit(Integer.MAX_VALUE);
        }

        OnnxModelFile model() throws IOException {
            try {
                // A known end lets every length be checked against the bytes that are really there.
                in.pushLimit((int) size);
                return readModel();
            } catch (UnsafeModel e) {
                throw e;
            } catch (RuntimeException e) {
                // CodedInputStream signals some corrupt inputs with unchecked exceptions.
                throw malformed(subject, e);
            }
        }

        private OnnxModelFile readModel() throws IOException {
            long irVersion = 0;
            List<OpsetImport> opsets = new ArrayList<>();
            List<String> functions = new ArrayList<>();
            boolean trainingInfo = false;
            Graph graph = null;
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case MODEL_IR_VERSION -> irVersion = varint(tag);
                    case MODEL_OPSET_IMPORT -> opsets.add(opset(tag));
                    case MODEL_GRAPH -> {
                        if (graph != null) {
                            throw duplicate("ModelProto.graph");
                        }
                        graph = graph(tag, 0, "");
                    }
                    case MODEL_FUNCTIONS -> functions.add(function(tag));
                    case MODEL_TRAINING_INFO -> {
                        trainingInfo = true;
                        skip(tag);
                    }
                    default -> skip(tag);
                }
            }
            if (graph == null) {
                throw new UnsafeModel(Reason.MALFORMED, subject, subject + " has no graph: not an ONNX model");
            }
            return new OnnxModelFile(irVersion, opsets, functions, trainingInfo, graph);
        }

        private OpsetImport opset(int tag) throws IOException {
            int old = enter(tag);
            String domain = "";
            long version = 0;
            while (!in.isAtEnd()) {
                int t = in.readTag();
                switch (WireFormat.getTagFieldNumber(t)) {
                    case OPSET_DOMAIN -> domain = string(t);
                    case OPSET_VERSION -> version = varint(t);
                    default -> skip(t);
                }
            }
            leave(old);
            return new OpsetImport(domain, version);
        }

        private String function(int tag) throws IOException {
            int old = enter(tag);
            String name = "";
            String domain = "";
            while (!in.isAtEnd()) {
                int t = in.readTag();
                switch (WireFormat.getTagFieldNumber(t)) {
                    case FUNCTION_NAME -> name = string(t);
                    case FUNCTION_DOMAIN -> domain = string(t);
                    default -> skip(t);
                }
            }
            leave(old);
            return domain + ":" + name;
        }

        /** {@code path} names the node holding this graph ("" for the main graph), for messages. */
        private Graph graph(int tag, int depth, String path) throws IOException {
            if (depth > limits.maxGraphDepth()) {
                throw new UnsafeModel(Reason.TOO_LARGE, path, "subgraphs nest deeper than "
                        + limits.maxGraphDepth() + " levels (at node '" + path + "')");
            }
            int old = enter(tag);
            String name = "";
            List<Node> graphNodes = new ArrayList<>();
            List<TensorRef> initializers = new ArrayList<>();
            List<String> inputs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            List<String> unranked = new ArrayList<>();
            while (!in.isAtEnd()) {
                int t = in.readTag();
                switch (WireFormat.getTagFieldNumber(t)) {
                    case GRAPH_NODE -> graphNodes.add(node(t, depth, path));
                    case GRAPH_NAME -> name = string(t);
                    case GRAPH_INITIALIZER -> initializers.add(tensor(t));
                    case GRAPH_SPARSE_INITIALIZER -> initializers.addAll(sparseTensor(t));
                    case GRAPH_INPUT -> {
                        ValueInfo info = valueInfo(t);
                        inputs.add(info.name());
                        if (info.unranked()) {
                            unranked.add(info.name());
                        }
                    }
                    case GRAPH_OUTPUT -> outputs.add(valueInfo(t).name());
                    default -> skip(t);
                }
            }
            leave(old);
            return new Graph(name, graphNodes, initializers, inputs, outputs, unranked);
        }

        private Node node(int tag, int depth, String path) throws IOException {
            if (++nodes > limits.maxNodes()) {
                throw new UnsafeModel(Reason.TOO_LARGE, subject, subject + " has more than " + limits.maxNodes() + " nodes");
            }
            int old = enter(tag);
            String name = "";
            String domain = "";
            String opType = "";
            List<String> inputs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            List<Attribute> attributes = new ArrayList<>();
            while (!in.isAtEnd()) {
                int t = in.readTag();
                switch (WireFormat.getTagFieldNumber(t)) {
                    case NODE_INPUT -> inputs.add(string(t));
                    case NODE_OUTPUT -> outputs.add(string(t));
                    case NODE_NAME -> name = string(t);
                    case NODE_OP_TYPE -> opType = string(t);
                    case NODE_DOMAIN -> domain = string(t);
                    case NODE_ATTRIBUTE -> attributes.add(attribute(t, depth,
                            (path.isEmpty() ? "" : path + "/") + (name.isEmpty() ? "#" + nodes : name)));
                    default -> skip(t);
                }
            }
            leave(old);
            return new Node(name, domain, opType, inputs, outputs, attributes);
        }

        private Attribute attribute(int tag, int depth, String nodePath) throws IOException {
            int old = enter(tag);
            String name = "";
            int type = 0;
            boolean seenG = false;
            boolean seenT = false;
            boolean seenSparse = false;
            List<Graph> graphs = new ArrayList<>();
            List<TensorRef> tensors = new ArrayList<>();
            while (!in.isAtEnd()) {
                int t = in.readTag();
                switch (WireFormat.getTagFieldNumber(t)) {
                    case ATTR_NAME -> name = string(t);
                    case ATTR_TYPE -> type = (int) varint(t);
                    case ATTR_G -> {
                        if (seenG) {
                            throw duplicate("AttributeProto.g");
                        }
                        seenG = true;
                        graphs.add(graph(t, depth + 1, nodePath));
                    }
                    case ATTR_GRAPHS -> graphs.add(graph(t, depth + 1, nodePath));
                    case ATTR_T -> {
                        if (seenT) {
                            throw duplicate("AttributeProto.t");
                        }
                        seenT = true;
                        tensors.add(tensor(t));
                    }
                    case ATTR_TENSORS -> tensors.add(tensor(t));
                    case ATTR_SPARSE_TENSOR -> {
                        if (seenSparse) {
                            throw duplicate("AttributeProto.sparse_tensor");
                        }
                        seenSparse = true;
                        tensors.addAll(sparseTensor(t));
                    }
                    case ATTR_SPARSE_TENSORS -> tensors.addAll(sparseTensor(t));
                    default -> skip(t);
                }
            }
            leave(old);
            return new Attribute(name, type, graphs, tensors);
        }

        private List<TensorRef> sparseTensor(int tag) throws IOException {
            int old = enter(tag);
            TensorRef values = null;
            TensorRef indices = null;
            while (!in.isAtEnd()) {
                int t = in.readTag();
                switch (WireFormat.getTagFieldNumber(t)) {
                    case SPARSE_VALUES -> {
                        if (values != null) {
                            throw duplicate("SparseTensorProto.values");
                        }
                        values = tensor(t);
                    }
                    case SPARSE_INDICES -> {
                        if (indices != null) {
                            throw duplicate("SparseTensorProto.indices");
                        }
                        indices = tensor(t);
                    }
                    default -> skip(t);
                }
            }
            leave(old);
            List<TensorRef> out = new ArrayList<>(2);
            if (values != null) {
                out.add(values);
            }
            if (indices != null) {
                out.add(indices);
            }
            return out;
        }

        private TensorRef tensor(int tag) throws IOException {
            int old = enter(tag);
            String name = "";
            int location = 0;
            List<Entry> external = new ArrayList<>();
            while (!in.isAtEnd()) {
                int t = in.readTag();
                switch (WireFormat.getTagFieldNumber(t)) {
                    case TENSOR_NAME -> name = string(t);
                    case TENSOR_DATA_LOCATION -> location = (int) varint(t);
                    case TENSOR_EXTERNAL_DATA -> external.add(entry(t));
                    default -> skip(t);
                }
            }
            leave(old);
            return new TensorRef(name, location, external);
        }

        private Entry entry(int tag) throws IOException {
            int old = enter(tag);
            String key = "";
            String value = "";
            while (!in.isAtEnd()) {
                int t = in.readTag();
                switch (WireFormat.getTagFieldNumber(t)) {
                    case ENTRY_KEY -> key = string(t);
                    case ENTRY_VALUE -> value = string(t);
                    default -> skip(t);
                }
            }
            leave(old);
            return new Entry(key, value);
        }

        /** A {@code ValueInfoProto}'s name, and whether it declares a tensor without a shape. */
        private record ValueInfo(String name, boolean unranked) {
        }

        private ValueInfo valueInfo(int tag) throws IOException {
            int old = enter(tag);
            String name = "";
            boolean unranked = false;
            while (!in.isAtEnd()) {
                int t = in.readTag();
                switch (WireFormat.getTagFieldNumber(t)) {
                    case VALUE_INFO_NAME -> name = string(t);
                    case VALUE_INFO_TYPE -> unranked = tensorWithoutShape(t);
                    default -> skip(t);
                }
            }
            leave(old);
            return new ValueInfo(name, unranked);
        }

        /** Reads a {@code TypeProto}: true if it is a tensor type that has no {@code shape}. */
        private boolean tensorWithoutShape(int tag) throws IOException {
            int old = enter(tag);
            boolean tensor = false;
            boolean shape = false;
            while (!in.isAtEnd()) {
                int t = in.readTag();
                if (WireFormat.getTagFieldNumber(t) == TYPE_TENSOR_TYPE) {
                    tensor = true;
                    int inner = enter(t);
                    while (!in.isAtEnd()) {
                        int u = in.readTag();
                        if (WireFormat.getTagFieldNumber(u) == TENSOR_TYPE_SHAPE) {
                            shape = true;
                        }
                        skip(u);
                    }
                    leave(inner);
                } else {
                    skip(t);
                }
            }
            leave(old);
            return tensor && !shape;
        }

        // ---- wire level --------------------------------------------------------------------

        /** Enters a length-delimited message field; returns the limit to restore with {@link #leave}. */
        private int enter(int tag) throws IOException {
            expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            count();
            int length = in.readRawVarint32();
            if (length < 0) {
                throw new UnsafeModel(Reason.MALFORMED, subject, subject + " holds a negative length");
            }
            return in.pushLimit(length);
        }

        private void leave(int oldLimit) {
            in.popLimit(oldLimit);
        }

        private String string(int tag) throws IOException {
            expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            count();
            int length = in.readRawVarint32();
            if (length < 0) {
                throw new UnsafeModel(Reason.MALFORMED, subject, subject + " holds a negative length");
            }
            if (length > in.getBytesUntilLimit()) {
                throw new UnsafeModel(Reason.MALFORMED, subject, subject + " is truncated: a " + length
                        + "-byte string runs past the end of its message");
            }
            if (length > limits.maxStringBytes()) {
                throw new UnsafeModel(Reason.TOO_LARGE, subject, subject + " holds a " + length
                        + "-byte string, more than the " + limits.maxStringBytes() + " accepted");
            }
            return new String(in.readRawBytes(length), StandardCharsets.UTF_8);
        }

        private long varint(int tag) throws IOException {
            expectWireType(tag, WireFormat.WIRETYPE_VARINT);
            return in.readRawVarint64();
        }

        private void skip(int tag) throws IOException {
            switch (WireFormat.getTagWireType(tag)) {
                case WireFormat.WIRETYPE_VARINT -> in.readRawVarint64();
                case WireFormat.WIRETYPE_FIXED64 -> in.skipRawBytes(8);
                case WireFormat.WIRETYPE_FIXED32 -> in.skipRawBytes(4);
                case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    int length = in.readRawVarint32();
                    if (length < 0) {
                        throw new UnsafeModel(Reason.MALFORMED, subject, subject + " holds a negative length");
                    }
                    in.skipRawBytes(length);
                }
                default -> throw new UnsafeModel(Reason.MALFORMED, subject, subject + " uses protobuf wire type "
                        + WireFormat.getTagWireType(tag) + " (field " + WireFormat.getTagFieldNumber(tag)
                        + "), which ONNX never writes");
            }
        }

        private void expectWireType(int tag, int wireType) {
            if (WireFormat.getTagWireType(tag) != wireType) {
                throw new UnsafeModel(Reason.MALFORMED, subject, subject + ": field " + WireFormat.getTagFieldNumber(tag)
                        + " has wire type " + WireFormat.getTagWireType(tag) + ", expected " + wireType);
            }
        }

        private void count() {
            if (++items > limits.maxItems()) {
                throw new UnsafeModel(Reason.TOO_LARGE, subject, subject + " holds more than " + limits.maxItems()
                        + " names, nodes and tensors");
            }
        }

        private UnsafeModel duplicate(String field) {
            return new UnsafeModel(Reason.MALFORMED, subject, subject + " repeats the singular field " + field
                    + " (protobuf would merge the copies)");
        }
    }
}
