package io.verdict.inference.onnx;

/**
 * Protobuf field numbers of the ONNX messages this package writes and reads, named after the
 * fields of the ONNX IR specification ({@code onnx.proto}, IR version 3 and later; numbers are
 * stable across IR versions). Only the fields Verdict uses are listed; the reader skips the rest.
 */
final class OnnxFields {

    private OnnxFields() {
    }

    /** ModelProto. */
    static final int MODEL_IR_VERSION = 1;
    static final int MODEL_PRODUCER_NAME = 2;
    static final int MODEL_PRODUCER_VERSION = 3;
    static final int MODEL_GRAPH = 7;
    static final int MODEL_OPSET_IMPORT = 8;
    static final int MODEL_TRAINING_INFO = 20;
    static final int MODEL_FUNCTIONS = 25;

    /** OperatorSetIdProto. */
    static final int OPSET_DOMAIN = 1;
    static final int OPSET_VERSION = 2;

    /** GraphProto. */
    static final int GRAPH_NODE = 1;
    static final int GRAPH_NAME = 2;
    static final int GRAPH_INITIALIZER = 5;
    static final int GRAPH_INPUT = 11;
    static final int GRAPH_OUTPUT = 12;
    static final int GRAPH_SPARSE_INITIALIZER = 15;

    /** NodeProto. */
    static final int NODE_INPUT = 1;
    static final int NODE_OUTPUT = 2;
    static final int NODE_NAME = 3;
    static final int NODE_OP_TYPE = 4;
    static final int NODE_ATTRIBUTE = 5;
    static final int NODE_DOMAIN = 7;

    /** AttributeProto; {@code type} holds an {@link AttributeType} code. */
    static final int ATTR_NAME = 1;
    static final int ATTR_F = 2;
    static final int ATTR_I = 3;
    static final int ATTR_S = 4;
    static final int ATTR_T = 5;
    static final int ATTR_G = 6;
    static final int ATTR_FLOATS = 7;
    static final int ATTR_INTS = 8;
    static final int ATTR_STRINGS = 9;
    static final int ATTR_TENSORS = 10;
    static final int ATTR_GRAPHS = 11;
    static final int ATTR_TYPE = 20;
    static final int ATTR_SPARSE_TENSOR = 22;
    static final int ATTR_SPARSE_TENSORS = 23;

    /** TensorProto; {@code data_location} 1 is EXTERNAL. */
    static final int TENSOR_DIMS = 1;
    static final int TENSOR_DATA_TYPE = 2;
    static final int TENSOR_NAME = 8;
    static final int TENSOR_RAW_DATA = 9;
    static final int TENSOR_EXTERNAL_DATA = 13;
    static final int TENSOR_DATA_LOCATION = 14;
    static final int DATA_LOCATION_EXTERNAL = 1;

    /** SparseTensorProto: two dense TensorProtos. */
    static final int SPARSE_VALUES = 1;
    static final int SPARSE_INDICES = 2;

    /** StringStringEntryProto. */
    static final int ENTRY_KEY = 1;
    static final int ENTRY_VALUE = 2;

    /** ValueInfoProto. */
    static final int VALUE_INFO_NAME = 1;
    static final int VALUE_INFO_TYPE = 2;

    /** TypeProto (tensor_type), TypeProto.Tensor, TensorShapeProto and its Dimension. */
    static final int TYPE_TENSOR_TYPE = 1;
    static final int TENSOR_TYPE_ELEM_TYPE = 1;
    static final int TENSOR_TYPE_SHAPE = 2;
    static final int SHAPE_DIM = 1;
    static final int DIM_VALUE = 1;
    static final int DIM_PARAM = 2;

    /** FunctionProto. */
    static final int FUNCTION_NAME = 1;
    static final int FUNCTION_DOMAIN = 10;

    /** AttributeProto.AttributeType codes. */
    static final class AttributeType {
        private AttributeType() {
        }

        static final int FLOAT = 1;
        static final int INT = 2;
        static final int STRING = 3;
        static final int TENSOR = 4;
        static final int GRAPH = 5;
        static final int FLOATS = 6;
        static final int INTS = 7;
        static final int STRINGS = 8;
        static final int TENSORS = 9;
        static final int GRAPHS = 10;
        static final int SPARSE_TENSOR = 11;
        static final int SPARSE_TENSORS = 12;
    }
}
