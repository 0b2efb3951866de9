package io.verdict.inference.onnx;

import static io.verdict.inference.onnx.OnnxFields.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an ONNX {@code GraphProto}: nodes in the order they are added, initializers, and typed
 * graph inputs and outputs. Every field is written in a fixed order, so the same calls always give
 * the same bytes. Used for the demo models and for the hostile models of the safety-scan tests.
 *
 * <pre>{@code
 * OnnxGraphBuilder g = new OnnxGraphBuilder("mlp")
 *         .input("input", OnnxElementType.FLOAT, -1, 64)
 *         .initializer(OnnxTensorValue.floats("w", new long[] {64, 10}, weights))
 *         .output("output", OnnxElementType.FLOAT, -1, 10);
 * g.node("MatMul", List.of("input", "w"), List.of("output")).name("dense");
 * }</pre>
 */
public final class OnnxGraphBuilder {

    /** The {@code dim_param} written for a negative dimension on axis 0. */
    public static final String BATCH_DIM = "batch";

    private final String name;
    private final List<Node> nodes = new ArrayList<>();
    private final List<OnnxTensorValue> initializers = new ArrayList<>();
    private final List<ValueInfo> inputs = new ArrayList<>();
    private final List<ValueInfo> outputs = new ArrayList<>();

    private record ValueInfo(String name, OnnxElementType type, long[] dims) {
    }

    public OnnxGraphBuilder(String name) {
        this.name = name;
    }

    /**
     * Declares a graph input. A negative dimension is symbolic: {@value #BATCH_DIM} on axis 0,
     * {@code dim<axis>} elsewhere. With no dims at all the input is a scalar.
     */
    public OnnxGraphBuilder input(String name, OnnxElementType type, long... dims) {
        inputs.add(new ValueInfo(name, type, dims.clone()));
        return this;
    }

    /** Declares a graph input as a tensor without a shape (unknown rank), which OnnxScan refuses. */
    public OnnxGraphBuilder inputOfUnknownRank(String name, OnnxElementType type) {
        inputs.add(new ValueInfo(name, type, null));
        return this;
    }

    /** Declares a graph output; dimensions as for {@link #input}. */
    public OnnxGraphBuilder output(String name, OnnxElementType type, long... dims) {
        outputs.add(new ValueInfo(name, type, dims.clone()));
        return this;
    }

    public OnnxGraphBuilder initializer(OnnxTensorValue tensor) {
        initializers.add(tensor);
        return this;
    }

    /** Adds a node in the default domain and returns it for naming and attributes. */
    public Node node(String opType, List<String> inputs, List<String> outputs) {
        Node n = new Node(opType, inputs, outputs);
        nodes.add(n);
        return n;
    }

    /** One {@code NodeProto}; attributes are written in the order they are added. */
    public static final class Node {
        private final String opType;
        private final List<String> inputs;
        private final List<String> outputs;
        private String name = "";
        private String domain = "";
        private final List<ProtoMessages.Body> attributes = new ArrayList<>();

        private Node(String opType, List<String> inputs, List<String> outputs) {
            this.opType = opType;
            this.inputs = List.copyOf(inputs);
            this.outputs = List.copyOf(outputs);
        }

        public Node name(String name) {
            this.name = name;
            return this;
        }

        /** The operator set domain; "" (the default, {@code ai.onnx}) unless set. */
        public Node domain(String domain) {
            this.domain = domain;
            return this;
        }

        public Node attr(String name, long value) {
            return attribute(name, AttributeType.INT, out -> out.writeInt64(ATTR_I, value));
        }

        public Node attr(String name, float value) {
            return attribute(name, AttributeType.FLOAT, out -> out.writeFloat(ATTR_F, value));
        }

        public Node attr(String name, String value) {
            return attribute(name, AttributeType.STRING,
                    out -> out.writeByteArray(ATTR_S, value.getBytes(StandardCharsets.UTF_8)));
        }

        public Node ints(String name, long... values) {
            long[] copy = values.clone();
            return attribute(name, AttributeType.INTS, out -> {
                for (long v : copy) {
                    out.writeInt64(ATTR_INTS, v);
                }
            });
        }

        public Node attr(String name, OnnxTensorValue value) {
            return attribute(name, AttributeType.TENSOR, out -> out.writeByteArray(ATTR_T, tensorBytes(value)));
        }

        /** A GRAPH attribute, e.g. the {@code then_branch} of an {@code If}. */
        public Node attr(String name, OnnxGraphBuilder graph) {
            return attribute(name, AttributeType.GRAPH, out -> out.writeByteArray(ATTR_G, graph.toBytes()));
        }

        /** A GRAPHS attribute (a list of subgraphs). */
        public Node graphs(String name, OnnxGraphBuilder... graphs) {
            List<OnnxGraphBuilder> copy = List.of(graphs);
            return attribute(name, AttributeType.GRAPHS, out -> {
                for (OnnxGraphBuilder g : copy) {
                    out.writeByteArray(ATTR_GRAPHS, g.toBytes());
                }
            });
        }

        private Node attribute(String attrName, int type, ProtoMessages.Body value) {
            attributes.add(out -> {
                out.writeString(ATTR_NAME, attrName);
                value.writeTo(out);
                out.writeInt32(ATTR_TYPE, type);
            });
            return this;
        }

        private byte[] toBytes() {
            return ProtoMessages.bytes(out -> {
                for (String in : inputs) {
                    out.writeString(NODE_INPUT, in);
                }
                for (String o : outputs) {
                    out.writeString(NODE_OUTPUT, o);
                }
                out.writeString(NODE_NAME, name);
                out.writeString(NODE_OP_TYPE, opType);
                for (ProtoMessages.Body a : attributes) {
                    out.writeByteArray(NODE_ATTRIBUTE, ProtoMessages.bytes(a));
                }
                if (!domain.isEmpty()) {
                    out.writeString(NODE_DOMAIN, domain);
                }
            });
        }
    }

    /** The serialised {@code GraphProto}. */
    public byte[] toBytes() {
        return ProtoMessages.bytes(out -> {
            for (Node n : nodes) {
                out.writeByteArray(GRAPH_NODE, n.toBytes());
            }
            out.writeString(GRAPH_NAME, name);
            for (OnnxTensorValue t : initializers) {
                out.writeByteArray(GRAPH_INITIALIZER, tensorBytes(t));
            }
            for (ValueInfo v : inputs) {
                out.writeByteArray(GRAPH_INPUT, valueInfoBytes(v));
            }
            for (ValueInfo v : outputs) {
                out.writeByteArray(GRAPH_OUTPUT, valueInfoBytes(v));
            }
        });
    }

    static byte[] tensorBytes(OnnxTensorValue t) {
        return ProtoMessages.bytes(out -> {
            for (long d : t.dims()) {
                out.writeInt64(TENSOR_DIMS, d);
            }
            out.writeInt32(TENSOR_DATA_TYPE, t.type().code());
            out.writeString(TENSOR_NAME, t.name());
            if (t.isExternal()) {
                out.writeByteArray(TENSOR_EXTERNAL_DATA, ProtoMessages.bytes(e -> {
                    e.writeString(ENTRY_KEY, "location");
                    e.writeString(ENTRY_VALUE, t.externalLocation());
                }));
                out.writeEnum(TENSOR_DATA_LOCATION, DATA_LOCATION_EXTERNAL);
            } else {
                out.writeByteArray(TENSOR_RAW_DATA, t.raw());
            }
        });
    }

    private static byte[] valueInfoBytes(ValueInfo v) {
        byte[] shape = v.dims() == null ? null : ProtoMessages.bytes(out -> {
            for (int axis = 0; axis < v.dims().length; axis++) {
                long d = v.dims()[axis];
                String param = axis == 0 ? BATCH_DIM : "dim" + axis;
                out.writeByteArray(SHAPE_DIM, ProtoMessages.bytes(dim -> {
                    if (d < 0) {
                        dim.writeString(DIM_PARAM, param);
                    } else {
                        dim.writeInt64(DIM_VALUE, d);
                    }
                }));
            }
        });
        byte[] tensorType = ProtoMessages.bytes(out -> {
            out.writeInt32(TENSOR_TYPE_ELEM_TYPE, v.type().code());
            if (shape != null) {
                out.writeByteArray(TENSOR_TYPE_SHAPE, shape);
            }
        });
        byte[] type = ProtoMessages.bytes(out -> out.writeByteArray(TYPE_TENSOR_TYPE, tensorType));
        return ProtoMessages.bytes(out -> {
            out.writeString(VALUE_INFO_NAME, v.name());
            out.writeByteArray(VALUE_INFO_TYPE, type);
        });
    }
}
