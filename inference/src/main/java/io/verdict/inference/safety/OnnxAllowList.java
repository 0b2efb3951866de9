package io.verdict.inference.safety;

import java.util.Set;

/**
 * The ONNX operators {@link OnnxScan} accepts, by domain: the operators of the standard
 * {@code ai.onnx} operator sets (up to opset 23) and of {@code ai.onnx.ml}. Anything else (an op
 * from a newer opset, a typo, a custom op that names a standard domain) is refused as unknown;
 * extend these lists deliberately, one reviewed op at a time.
 */
final class OnnxAllowList {

    private OnnxAllowList() {
    }

    /** The default domain, written as "" or "ai.onnx". */
    static final Set<String> DEFAULT_DOMAINS = Set.of("", "ai.onnx");
    /** The traditional-ML domain. */
    static final String ML_DOMAIN = "ai.onnx.ml";

    /** Standard operators of the {@code ai.onnx} domain. */
    static final Set<String> AI_ONNX = Set.of(
            "Abs", "Acos", "Acosh", "Add", "AffineGrid", "And", "ArgMax", "ArgMin", "Asin", "Asinh", "Atan",
            "Atanh", "Attention", "AveragePool", "BatchNormalization", "Bernoulli", "BitShift", "BitwiseAnd",
            "BitwiseNot", "BitwiseOr", "BitwiseXor", "BlackmanWindow", "Cast", "CastLike", "Ceil", "Celu",
            "CenterCropPad", "Clip", "Col2Im", "Compress", "Concat", "ConcatFromSequence", "Constant",
            "ConstantOfShape", "Conv", "ConvInteger", "ConvTranspose", "Cos", "Cosh", "CumSum", "DFT",
            "DeformConv", "DepthToSpace", "DequantizeLinear", "Det", "Div", "Dropout", "DynamicQuantizeLinear",
            "Einsum", "Elu", "Equal", "Erf", "Exp", "Expand", "EyeLike", "Flatten", "Floor", "GRU", "Gather",
            "GatherElements", "GatherND", "Gelu", "Gemm", "GlobalAveragePool", "GlobalLpPool", "GlobalMaxPool",
            "Greater", "GreaterOrEqual", "GridSample", "GroupNormalization", "HammingWindow", "HannWindow",
            "HardSigmoid", "HardSwish", "Hardmax", "Identity", "If", "InstanceNormalization", "IsInf",
            "IsNaN", "LRN", "LSTM", "LayerNormalization", "LeakyRelu", "Less", "LessOrEqual", "Log",
            "LogSoftmax", "Loop", "LpNormalization", "LpPool", "MatMul", "MatMulInteger", "Max", "MaxPool",
            "MaxRoiPool", "MaxUnpool", "Mean", "MeanVarianceNormalization", "MelWeightMatrix", "Min", "Mish",
            "Mod", "Mul", "Multinomial", "Neg", "NegativeLogLikelihoodLoss", "NonMaxSuppression", "NonZero",
            "Not", "OneHot", "Optional", "OptionalGetElement", "OptionalHasElement", "Or", "PRelu", "Pad",
            "Pow", "QLinearConv", "QLinearMatMul", "QuantizeLinear", "RMSNormalization", "RNN", "RandomNormal",
            "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Range", "Reciprocal", "ReduceL1",
            "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd",
            "ReduceSum", "ReduceSumSquare", "RegexFullMatch", "Relu", "Reshape", "Resize", "ReverseSequence",
            "RoiAlign", "RotaryEmbedding", "Round", "STFT", "Scan", "Scatter", "ScatterElements", "ScatterND",
            "Selu", "SequenceAt", "SequenceConstruct", "SequenceEmpty", "SequenceErase", "SequenceInsert",
            "SequenceLength", "SequenceMap", "Shape", "Shrink", "Sigmoid", "Sign", "Sin", "Sinh", "Size",
            "Slice", "Softmax", "SoftmaxCrossEntropyLoss", "Softplus", "Softsign", "SpaceToDepth", "Split",
            "SplitToSequence", "Sqrt", "Squeeze", "StringConcat", "StringNormalizer", "StringSplit", "Sub",
            "Sum", "Swish", "Tan", "Tanh", "TfIdfVectorizer", "ThresholdedRelu", "Tile", "TopK", "Transpose",
            "Trilu", "Unique", "Unsqueeze", "Upsample", "Where", "Xor");

    /** Operators of the {@code ai.onnx.ml} domain. */
    static final Set<String> AI_ONNX_ML = Set.of(
            "ArrayFeatureExtractor", "Binarizer", "CastMap", "CategoryMapper", "DictVectorizer",
            "FeatureVectorizer", "Imputer", "LabelEncoder", "LinearClassifier", "LinearRegressor", "Normalizer",
            "OneHotEncoder", "SVMClassifier", "SVMRegressor", "Scaler", "TreeEnsemble", "TreeEnsembleClassifier",
            "TreeEnsembleRegressor", "ZipMap");

    /**
     * Standard operators refused by name: they draw random numbers from a generator whose state
     * advances with every run, so validators (and repeated runs) would disagree.
     */
    static final Set<String> RANDOM = Set.of(
            "Bernoulli", "Multinomial", "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike");

    /** The allow-list for {@code domain}, or null if the domain is not a standard one. */
    static Set<String> forDomain(String domain) {
        if (DEFAULT_DOMAINS.contains(domain)) {
            return AI_ONNX;
        }
        return ML_DOMAIN.equals(domain) ? AI_ONNX_ML : null;
    }
}
