package io.verdict.inference.safety;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The TensorFlow op policy of {@link TensorFlowScan}: which ops a published model may use, which
 * are refused by name and why, and which are the checkpoint ops that only the saver subgraph may
 * hold. Pure data and lookups; the graph walking is {@link TensorFlowScan}'s job.
 */
final class TensorFlowOps {

    static final String FILES = "reads or writes files";
    static final String NETWORK = "network";
    static final String PYTHON = "runs Python";
    static final String PROCESS = "process/system";

    /**
     * The checkpoint ops and, for each, the indices of its data inputs that are file names. They
     * read or write files, so outside the saver subgraph they are refused like any other file op.
     */
    private static final Map<String, List<Integer>> CHECKPOINT_FILE_INPUTS = Map.of(
            "SaveV2", List.of(0),
            "RestoreV2", List.of(0),
            "MergeV2Checkpoints", List.of(0, 1),
            "Save", List.of(0),
            "SaveSlices", List.of(0),
            "Restore", List.of(0),
            "RestoreSlice", List.of(0));

    private static final Map<String, String> REFUSED = refused();

    private static final Set<String> ALLOWED = Stream.of(
            // constants, feeds, identity and graph plumbing
            "Const", "HostConst", "Placeholder", "PlaceholderWithDefault", "Identity", "IdentityN",
            "Snapshot", "NoOp", "StopGradient", "PreventGradient", "EnsureShape", "CheckNumerics",
            "CheckNumericsV2", "Assert", "ControlTrigger", "GuaranteeConst",
            // variables (resource and reference)
            "VarHandleOp", "ReadVariableOp", "AssignVariableOp", "AssignAddVariableOp",
            "AssignSubVariableOp", "VarIsInitializedOp", "DestroyResourceOp", "VariableShape",
            "DisableCopyOnRead", "ResourceGather", "ResourceGatherNd", "ResourceScatterAdd",
            "ResourceScatterSub", "ResourceScatterMul", "ResourceScatterDiv", "ResourceScatterMin",
            "ResourceScatterMax", "ResourceScatterUpdate", "VariableV2", "Variable", "Assign",
            "AssignAdd", "AssignSub", "IsVariableInitialized", "ScatterUpdate", "ScatterAdd",
            "ScatterSub",
            // control flow: functional (library functions only, checked by the scan) and v1
            "If", "StatelessIf", "While", "StatelessWhile", "Case", "StatelessCase", "PartitionedCall",
            "StatefulPartitionedCall", "Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond",
            "RefSwitch", "RefMerge", "RefEnter", "RefExit", "RefNextIteration", "RefIdentity",
            // tensor lists and arrays (loop state)
            "EmptyTensorList", "TensorListReserve", "TensorListFromTensor", "TensorListStack",
            "TensorListGetItem", "TensorListSetItem", "TensorListPushBack", "TensorListPopBack",
            "TensorListLength", "TensorListElementShape", "TensorListConcatV2", "TensorListSplit",
            "TensorListGather", "TensorListScatterV2", "TensorListScatterIntoExistingList",
            "TensorListResize", "TensorArrayV3", "TensorArrayReadV3", "TensorArrayWriteV3",
            "TensorArrayGatherV3", "TensorArrayScatterV3", "TensorArraySizeV3", "TensorArrayConcatV3",
            "TensorArraySplitV3", "TensorArrayCloseV3",
            // element-wise math
            "Add", "AddV2", "AddN", "Sub", "Mul", "MulNoNan", "Div", "DivNoNan", "RealDiv", "FloorDiv",
            "FloorMod", "TruncateDiv", "TruncateMod", "Mod", "Neg", "Abs", "Sign", "Reciprocal", "Inv",
            "Square", "Sqrt", "Rsqrt", "Exp", "Expm1", "Log", "Log1p", "Pow", "Maximum", "Minimum",
            "SquaredDifference", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Atan2", "Sinh", "Cosh",
            "Tanh", "Asinh", "Acosh", "Atanh", "Erf", "Erfc", "Erfinv", "Ndtri", "Lgamma", "Digamma",
            "Round", "Rint", "Floor", "Ceil", "IsNan", "IsInf", "IsFinite", "ClipByValue", "Sigmoid",
            "Softplus", "Softsign", "Xlogy", "Xdivy", "Xlog1py", "Complex", "Real", "Imag", "Angle",
            "Conj", "ComplexAbs", "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual",
            "ApproximateEqual", "LogicalAnd", "LogicalOr", "LogicalNot", "Select", "SelectV2", "Cast",
            "Bitcast", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "Invert", "LeftShift", "RightShift",
            "PopulationCount",
            // reductions, scans, segments
            "Sum", "Prod", "Mean", "Max", "Min", "All", "Any", "ArgMax", "ArgMin", "Cumsum", "Cumprod",
            "CumulativeLogsumexp", "EuclideanNorm", "SegmentSum", "SegmentMean", "SegmentMax",
            "SegmentMin", "SegmentProd", "UnsortedSegmentSum", "UnsortedSegmentMax",
            "UnsortedSegmentMin", "UnsortedSegmentProd",
            // linear algebra
            "MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Einsum", "MatrixInverse",
            "MatrixDeterminant", "LogMatrixDeterminant", "Cholesky", "Qr", "Svd", "SelfAdjointEigV2",
            "MatrixSolve", "MatrixTriangularSolve", "MatrixBandPart", "MatrixDiag", "MatrixDiagV2",
            "MatrixDiagV3", "MatrixDiagPart", "MatrixDiagPartV2", "MatrixDiagPartV3", "MatrixSetDiag",
            "MatrixSetDiagV2", "MatrixSetDiagV3", "Diag", "DiagPart",
            // neural network
            "Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Softmax", "LogSoftmax", "BiasAdd", "BiasAddV1",
            "Conv2D", "Conv3D", "Conv2DBackpropInput", "Conv3DBackpropInputV2", "DepthwiseConv2dNative",
            "MaxPool", "MaxPoolV2", "MaxPool3D", "AvgPool", "AvgPool3D", "FusedBatchNorm",
            "FusedBatchNormV2", "FusedBatchNormV3", "BatchNormWithGlobalNormalization", "LRN", "L2Loss",
            "InTopKV2", "TopKV2", "NthElement", "Dilation2D", "SoftmaxCrossEntropyWithLogits",
            "SparseSoftmaxCrossEntropyWithLogits", "DataFormatDimMap", "DataFormatVecPermute",
            "ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic", "ResizeArea", "CropAndResize",
            "ExtractImagePatches", "DepthToSpace", "SpaceToDepth", "SpaceToBatchND", "BatchToSpaceND",
            // array and shape
            "Shape", "ShapeN", "Size", "Rank", "Reshape", "Squeeze", "ExpandDims", "Transpose",
            "ConjugateTranspose", "Concat", "ConcatV2", "ConcatOffset", "Split", "SplitV", "Slice",
            "StridedSlice", "TensorScatterUpdate", "TensorScatterAdd", "TensorScatterSub",
            "TensorScatterMax", "TensorScatterMin", "Gather", "GatherV2", "GatherNd", "ScatterNd",
            "Pack", "Unpack", "Tile", "Fill", "ZerosLike", "OnesLike", "BroadcastTo", "BroadcastArgs",
            "BroadcastGradientArgs", "Reverse", "ReverseV2", "ReverseSequence", "Roll", "OneHot", "Where",
            "Unique", "UniqueV2", "UniqueWithCounts", "Bucketize", "LowerBound", "UpperBound",
            "InvertPermutation", "ListDiff", "DynamicStitch", "ParallelDynamicStitch",
            "DynamicPartition", "Pad", "PadV2", "MirrorPad", "Range", "LinSpace",
            // strings (pure formatting; StringJoin and ShardedFilename also build checkpoint names)
            "StringJoin", "ShardedFilename", "ShardedFilespec", "StaticRegexFullMatch",
            "StaticRegexReplace", "RegexFullMatch", "RegexReplace", "StringFormat", "AsString",
            "StringToNumber", "StringLength", "Substr", "StringStrip", "StringUpper", "StringLower",
            "StringSplitV2", "ReduceJoin")
            .collect(Collectors.toUnmodifiableSet());

    private TensorFlowOps() {
    }

    /** True if {@code op} is on the allow-list of pure compute ops. */
    static boolean allowed(String op) {
        return ALLOWED.contains(op);
    }

    /** True for an op that is refused or allowed by name (so no library function may take its name). */
    static boolean known(String op) {
        return ALLOWED.contains(op) || refusal(op).isPresent();
    }

    /** True for the checkpoint ops that the saver subgraph alone may hold. */
    static boolean checkpoint(String op) {
        return CHECKPOINT_FILE_INPUTS.containsKey(op);
    }

    /** The data-input indices of a checkpoint op that are file names (empty for other ops). */
    static List<Integer> fileNameInputs(String op) {
        return CHECKPOINT_FILE_INPUTS.getOrDefault(op, List.of());
    }

    /**
     * Why {@code op} is refused by name ({@link #FILES}, {@link #NETWORK}, {@link #PYTHON},
     * {@link #PROCESS}, possibly with a detail), or empty if it is not on the refusal list.
     */
    static Optional<String> refusal(String op) {
        String byName = REFUSED.get(op);
        if (byName != null) {
            return Optional.of(byName);
        }
        if (op.contains("Reader")) {
            return Optional.of(FILES + " (a reader)");
        }
        if (op.contains("SummaryWriter") || op.startsWith("Write") && op.endsWith("Summary")) {
            return Optional.of(FILES + " (a summary writer)");
        }
        if (op.startsWith("DataService")) {
            return Optional.of(NETWORK + " (tf.data service)");
        }
        return Optional.empty();
    }

    private static Map<String, String> refused() {
        Map<String, String> m = new HashMap<>();
        put(m, FILES, "ReadFile", "WriteFile", "MatchingFiles", "FileSystemSetConfiguration", "RecordInput",
                "Save", "SaveSlices", "Restore", "RestoreSlice", "SaveV2", "RestoreV2", "MergeV2Checkpoints",
                "LoadAndRemapMatrix", "GenerateVocabRemapping", "InitializeTableFromTextFile",
                "InitializeTableFromTextFileV2", "TFRecordDataset", "TFRecordDatasetV2", "TextLineDataset",
                "FixedLengthRecordDataset", "FixedLengthRecordDatasetV2", "LMDBDataset",
                "ExperimentalLMDBDataset", "SqlDataset", "ExperimentalSqlDataset", "CSVDataset", "CSVDatasetV2",
                "ExperimentalCSVDataset", "CacheDataset", "CacheDatasetV2", "SnapshotDataset",
                "SnapshotDatasetV2", "SaveDataset", "SaveDatasetV2", "LoadDataset", "DatasetToTFRecord",
                "ExperimentalDatasetToTFRecord", "ImportEvent", "CreateSummaryFileWriter", "CreateSummaryDbWriter",
                "DecodeProtoV2", "EncodeProto");
        m.put("ImmutableConst", FILES + " (memory-maps a file)");
        m.put("PrintV2", FILES + " (its output stream may be a file:// path)");
        for (String debug : List.of("DebugIdentity", "DebugIdentityV2", "DebugIdentityV3", "DebugNanCount",
                "DebugNumericSummary", "DebugNumericSummaryV2", "Copy", "CopyHost")) {
            m.put(debug, FILES + " or " + NETWORK + " (debug URLs)");
        }
        put(m, NETWORK, "Rpc", "TryRpc", "RpcClient", "RpcCall", "RpcServer", "RpcServerStart",
                "RpcServerRegister", "_Send", "_Recv", "_HostSend", "_HostRecv", "Send", "Recv", "RemoteCall",
                "CollectiveReduce", "CollectiveGather", "CollectiveBcastSend", "CollectiveBcastRecv",
                "CollectiveReduceV2", "CollectiveReduceV3", "CollectiveGatherV2", "CollectiveBcastSendV2",
                "CollectiveBcastRecvV2", "CollectiveAllToAllV2", "CollectiveAllToAllV3", "CollectivePermute",
                "DistributedSave", "RegisterDataset", "RegisterDatasetV2", "GcsConfigureCredentials",
                "GcsConfigureBlockCache");
        put(m, PYTHON, "PyFunc", "PyFuncStateless", "EagerPyFunc");
        m.put("Print", PROCESS + " (writes tensors to the process's standard error)");
        put(m, PROCESS, "Abort", "ConfigureDistributedTPU", "ShutdownDistributedTPU", "ShutdownTPUSystem",
                "ConfigureAndInitializeGlobalTPU", "InitializeHostForDistributedTPU", "_ConfigureDistributedTPU");
        return Map.copyOf(m);
    }

    private static void put(Map<String, String> m, String category, String... ops) {
        for (String op : ops) {
            m.put(op, category);
        }
    }
}
