package io.verdict.inference.safety;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.verdict.inference.safety.UnsafeModel.Reason;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorProto;

/**
 * The publish-time safety scan of a TensorFlow SavedModel directory. It runs before TensorFlow
 * ever sees the model and reads {@code saved_model.pb} with the protobuf classes alone (no native
 * code); it returns normally for a model it accepts and throws {@link UnsafeModel} otherwise, the
 * message naming the reason and the offending file, node, op or function.
 *
 * <h2>Layout and size</h2>
 * {@code saved_model.pb} must be a regular file in the directory ({@code saved_model.pbtxt} alone,
 * or nothing, is {@link Reason#WRONG_FORMAT}), at most {@link #MAX_FILE_BYTES}
 * ({@link Reason#TOO_LARGE}), and a parsable {@code SavedModel} protobuf ({@link Reason#MALFORMED}).
 * All meta graphs and library functions together hold at most {@link #MAX_NODES} nodes. One meta
 * graph must carry the tag {@code serve} and a {@code serving_default} signature
 * ({@link Reason#WRONG_FORMAT}); every tensor a signature names ({@code node} or {@code node:0})
 * must be an output of a node of its graph, and no signature may feed the checkpoint file name
 * ({@link Reason#SIGNATURE_MISMATCH}). Asset file names must be relative and free of {@code ..}
 * ({@link Reason#EXTERNAL_DATA}).
 *
 * <h2>Ops</h2>
 * Every node of every meta graph's graph and every node of every function in its library (reached
 * or not: Python's loader can call any of them) must use an op on the allow-list of pure compute
 * ops in {@link TensorFlowOps}: math, nn, array and shape, strings, constants and feeds, variables,
 * and control flow. Ops that touch files, the network, processes or Python are refused by name with
 * {@link Reason#DISALLOWED_OP} and their category; anything else is {@link Reason#UNKNOWN_OP}. A
 * node may call a function (its op is a library function's name, or an attribute names one, as in
 * {@code If}, {@code While}, {@code PartitionedCall} and {@code StatefulPartitionedCall}) only if
 * the function is in the library; a call to anything else is refused ({@link Reason#UNKNOWN_OP},
 * or {@link Reason#DISALLOWED_OP} if it names a refused op). {@code Assert} is allowed: it only
 * fails the run with a message to the caller. {@code Print} is refused: its one effect is writing
 * tensors to the validator's standard error, which no inference needs. Nondeterministic ops
 * (stateful random numbers, {@code Timestamp}) are not unsafe but are left off the list, since
 * validators could not agree on their outputs.
 *
 * <h2>The checkpoint exception</h2>
 * A SavedModel restores its variables through a saver subgraph that reads the checkpoint under
 * {@code variables/}: TensorFlow's loader feeds {@code saver_def.filename_tensor_name} with
 * {@code <model dir>/variables/variables} and runs {@code saver_def.restore_op_name}. The
 * checkpoint ops ({@code SaveV2}, {@code RestoreV2}, {@code MergeV2Checkpoints}, {@code Save},
 * {@code SaveSlices}, {@code Restore}, {@code RestoreSlice}) are therefore accepted, and only when
 * all of these hold:
 * <ol>
 *   <li>the node is in the saver subgraph: an ancestor, through data and control inputs, of
 *       {@code saver_def.restore_op_name} or {@code saver_def.save_tensor_name} — or a node of a
 *       library function called from such a node (the TF2 layout, where the ops sit in traced
 *       save and restore functions);</li>
 *   <li>it is not an ancestor of any tensor a signature names (a checkpoint op that serving could
 *       run is refused, even inside the saver subgraph);</li>
 *   <li>each of its file-name inputs (the prefix, file pattern or checkpoint prefixes) traces back
 *       to {@code saver_def.filename_tensor_name}, which must be a {@code Placeholder} — or, in a
 *       function, to an argument that the caller fed from it — through {@code Identity},
 *       {@code Pack}, {@code ShardedFilename} (its base name) and {@code StringJoin} whose first
 *       input traces back the same way and whose other inputs are string constants (directly, or
 *       chosen by {@code Select}) holding no {@code ..}, with a separator holding no {@code ..}.</li>
 * </ol>
 * So a checkpoint op can only touch the file the loader names plus a constant suffix that cannot
 * climb out of it: the checkpoint inside the artifact. Anywhere else (in serving's path, outside
 * the saver subgraph, reading a constant path such as {@code /etc/passwd}) it is
 * {@link Reason#DISALLOWED_OP}. The archive checks refuse links, so the checkpoint files cannot
 * point out of the artifact either.
 */
public final class TensorFlowScan {

    /** The largest {@code saved_model.pb} the scan reads. */
    public static final long MAX_FILE_BYTES = 1L << 30;
    /** The most nodes, over every graph and library function, the scan accepts. */
    public static final int MAX_NODES = 1_000_000;
    /** The most (function, context) visits per meta graph. */
    static final int MAX_FUNCTION_SCANS = 100_000;
    private static final int MAX_TRACE_DEPTH = 64;

    static final String SAVED_MODEL_PB = "saved_model.pb";
    private static final String SERVE_TAG = "serve";
    private static final String SERVING_SIGNATURE = "serving_default";

    private TensorFlowScan() {
    }

    /**
     * Scans the SavedModel directory {@code dir}.
     *
     * @throws UnsafeModel if the model is refused
     * @throws UncheckedIOException if the files cannot be read
     */
    public static void scan(Path dir) {
        SavedModel model = read(dir);
        if (model.getMetaGraphsCount() == 0) {
            throw refuse(Reason.MALFORMED, SAVED_MODEL_PB, SAVED_MODEL_PB + " holds no meta graph");
        }
        boolean serving = model.getMetaGraphsList().stream().anyMatch(m ->
                m.getMetaInfoDef().getTagsList().contains(SERVE_TAG)
                        && m.getSignatureDefMap().containsKey(SERVING_SIGNATURE));
        if (!serving) {
            throw refuse(Reason.WRONG_FORMAT, SERVING_SIGNATURE, "no meta graph is tagged '" + SERVE_TAG
                    + "' with a '" + SERVING_SIGNATURE + "' signature");
        }
        long nodes = 0;
        for (MetaGraphDef m : model.getMetaGraphsList()) {
            nodes += m.getGraphDef().getNodeCount();
            for (FunctionDef f : m.getGraphDef().getLibrary().getFunctionList()) {
                nodes += f.getNodeDefCount();
            }
        }
        if (nodes > MAX_NODES) {
            throw refuse(Reason.TOO_LARGE, SAVED_MODEL_PB, SAVED_MODEL_PB + " holds " + nodes
                    + " nodes, more than the " + MAX_NODES + " the scan accepts");
        }
        for (MetaGraphDef m : model.getMetaGraphsList()) {
            new MetaGraphScan(m).run();
        }
    }

    private static SavedModel read(Path dir) {
        Path pb = dir.resolve(SAVED_MODEL_PB);
        if (!Files.isRegularFile(pb, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.exists(dir.resolve("saved_model.pbtxt"), LinkOption.NOFOLLOW_LINKS)) {
                throw refuse(Reason.WRONG_FORMAT, "saved_model.pbtxt",
                        "the model is saved_model.pbtxt; only a binary " + SAVED_MODEL_PB + " is accepted");
            }
            throw refuse(Reason.WRONG_FORMAT, SAVED_MODEL_PB, "no regular file " + SAVED_MODEL_PB
                    + " in the model directory");
        }
        try {
            long size = Files.size(pb);
            if (size > MAX_FILE_BYTES) {
                throw refuse(Reason.TOO_LARGE, SAVED_MODEL_PB, SAVED_MODEL_PB + " is " + size
                        + " bytes, more than the " + MAX_FILE_BYTES + " the scan reads");
            }
            SavedModel model;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(pb))) {
                model = SavedModel.parseFrom(in);
            }
            if (model.getUnknownFields().getSerializedSize() > 0) {
                throw refuse(Reason.MALFORMED, SAVED_MODEL_PB, SAVED_MODEL_PB
                        + " holds fields a SavedModel does not have: not a SavedModel");
            }
            return model;
        } catch (InvalidProtocolBufferException e) {
            throw refuse(Reason.MALFORMED, SAVED_MODEL_PB, SAVED_MODEL_PB + " is not a parsable SavedModel ("
                    + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pb, e);
        }
    }

    static UnsafeModel refuse(Reason reason, String subject, String detail) {
        return refuse(reason, subject, detail, null);
    }

    private static UnsafeModel refuse(Reason reason, String subject, String detail, Throwable cause) {
        return new UnsafeModel(reason, subject, detail, cause);
    }

    /**
     * Where a body is being scanned from: ordinary code, or the saver subgraph (and functions it
     * calls), where checkpoint ops whose file names trace back to {@code trusted} are accepted.
     */
    private record Context(boolean saver, Set<String> trusted) {
        static final Context PLAIN = new Context(false, Set.of());

        Context {
            trusted = Set.copyOf(trusted);
        }
    }

    private record Visit(String function, Context context) {
    }

    /** One meta graph: its graph, its function library, its signatures and its saver. */
    private static final class MetaGraphScan {
        private final MetaGraphDef meta;
        private final Map<String, FunctionDef> library = new TreeMap<>();
        private final Map<String, TensorFlowBody> bodies = new HashMap<>();
        private final TensorFlowBody graph;
        private final Set<Visit> visited = new HashSet<>();
        private final Set<String> reached = new HashSet<>();
        private final Deque<Visit> queue = new ArrayDeque<>();
        private Set<String> serving = Set.of();
        private Set<String> saverNodes = Set.of();
        private String filename = "";

        MetaGraphScan(MetaGraphDef meta) {
            this.meta = meta;
            for (FunctionDef f : meta.getGraphDef().getLibrary().getFunctionList()) {
                String name = f.getSignature().getName();
                if (name.isEmpty()) {
                    throw refuse(Reason.MALFORMED, "", "a library function has no name");
                }
                if (TensorFlowOps.known(name)) {
                    throw refuse(Reason.MALFORMED, name, "library function '" + name + "' takes the name of an op");
                }
                if (library.put(name, f) != null) {
                    throw refuse(Reason.MALFORMED, name, "library function '" + name + "' is defined twice");
                }
            }
            this.graph = TensorFlowBody.of(meta.getGraphDef());
        }

        void run() {
            checkAssets();
            checkSignatures();
            checkSaver();
            for (NodeDef n : graph.nodes()) {
                boolean inSaver = saverNodes.contains(n.getName()) && !serving.contains(n.getName());
                Context c = inSaver ? new Context(true, filename.isEmpty() ? Set.of() : Set.of(filename))
                        : Context.PLAIN;
                check(graph, n, c);
            }
            drain();
            for (String f : library.keySet()) {
                if (!reached.contains(f)) {
                    enqueue(f, Context.PLAIN);
                    drain();
                }
            }
        }

        private void checkAssets() {
            for (AssetFileDef a : meta.getAssetFileDefList()) {
                String f = a.getFilename();
                if (f.isEmpty() || f.startsWith("/") || f.contains("\\") || f.contains(":")
                        || List.of(f.split("/")).contains("..")) {
                    throw refuse(Reason.EXTERNAL_DATA, f, "asset file name '" + f
                            + "' is not a plain relative name inside the model's assets");
                }
            }
        }

        private void checkSignatures() {
            String filenameTensor = meta.getSaverDef().getFilenameTensorName();
            Set<String> roots = new TreeSet<>();
            for (Map.Entry<String, SignatureDef> s : new TreeMap<>(meta.getSignatureDefMap()).entrySet()) {
                for (Map.Entry<String, TensorInfo> in : new TreeMap<>(s.getValue().getInputsMap()).entrySet()) {
                    for (String t : tensors(s.getKey(), in.getKey(), in.getValue())) {
                        if (!filenameTensor.isEmpty()
                                && TensorFlowBody.source(t).equals(TensorFlowBody.source(filenameTensor))) {
                            throw refuse(Reason.SIGNATURE_MISMATCH, t, "signature '" + s.getKey() + "' input '"
                                    + in.getKey() + "' feeds the checkpoint file name '" + t + "'");
                        }
                        roots.add(TensorFlowBody.source(t));
                    }
                }
                for (Map.Entry<String, TensorInfo> out : new TreeMap<>(s.getValue().getOutputsMap()).entrySet()) {
                    for (String t : tensors(s.getKey(), out.getKey(), out.getValue())) {
                        roots.add(TensorFlowBody.source(t));
                    }
                }
            }
            serving = graph.ancestors(roots);
        }

        /** The tensor names a signature entry uses, each checked to be an output of a node of the graph. */
        private List<String> tensors(String signature, String key, TensorInfo info) {
            List<String> names = new ArrayList<>();
            switch (info.getEncodingCase()) {
                case NAME -> names.add(info.getName());
                case COO_SPARSE -> {
                    names.add(info.getCooSparse().getValuesTensorName());
                    names.add(info.getCooSparse().getIndicesTensorName());
                    names.add(info.getCooSparse().getDenseShapeTensorName());
                }
                case COMPOSITE_TENSOR -> {
                    for (TensorInfo c : info.getCompositeTensor().getComponentsList()) {
                        names.addAll(tensors(signature, key, c));
                    }
                }
                default -> throw refuse(Reason.SIGNATURE_MISMATCH, key, "signature '" + signature + "' entry '"
                        + key + "' names no tensor");
            }
            for (String t : names) {
                if (!t.matches("[^:^]+(:\\d+)?") || graph.node(TensorFlowBody.source(t)) == null) {
                    throw refuse(Reason.SIGNATURE_MISMATCH, t, "signature '" + signature + "' entry '" + key
                            + "' names tensor '" + t + "', which is not an output of a node of the graph");
                }
            }
            return names;
        }

        private void checkSaver() {
            SaverDef saver = meta.getSaverDef();
            List<String> roots = new ArrayList<>();
            for (String t : List.of(saver.getRestoreOpName(), saver.getSaveTensorName())) {
                if (!t.isEmpty()) {
                    if (graph.node(TensorFlowBody.source(t)) == null) {
                        throw refuse(Reason.MALFORMED, t, "saver_def names '" + t + "', which is not a node of the graph");
                    }
                    roots.add(TensorFlowBody.source(t));
                }
            }
            saverNodes = graph.ancestors(roots);
            NodeDef f = graph.node(TensorFlowBody.source(saver.getFilenameTensorName()));
            filename = f != null && f.getOp().equals("Placeholder") ? f.getName() : "";
        }

        private void drain() {
            while (!queue.isEmpty()) {
                Visit v = queue.pop();
                TensorFlowBody body = bodies.computeIfAbsent(v.function(), f -> TensorFlowBody.of(library.get(f)));
                for (NodeDef n : body.nodes()) {
                    check(body, n, v.context());
                }
            }
        }

        private void enqueue(String function, Context context) {
            reached.add(function);
            Visit v = new Visit(function, context);
            if (visited.add(v)) {
                if (visited.size() > MAX_FUNCTION_SCANS) {
                    throw refuse(Reason.TOO_LARGE, function, "function calls fan out into more than "
                            + MAX_FUNCTION_SCANS + " scans");
                }
                queue.push(v);
            }
        }

        private void check(TensorFlowBody body, NodeDef node, Context context) {
            String op = node.getOp();
            if (library.containsKey(op)) {
                enqueue(op, callee(body, node, library.get(op), context));
            } else if (TensorFlowOps.checkpoint(op)) {
                checkCheckpoint(body, node, context);
            } else if (TensorFlowOps.refusal(op).isPresent()) {
                throw refuse(Reason.DISALLOWED_OP, op, "op '" + op + "' (" + body.describe(node)
                        + ") is not allowed: " + TensorFlowOps.refusal(op).get());
            } else if (!TensorFlowOps.allowed(op)) {
                throw refuse(Reason.UNKNOWN_OP, op, "op '" + op + "' (" + body.describe(node)
                        + ") is not on the allow-list");
            }
            for (Map.Entry<String, AttrValue> a : new TreeMap<>(node.getAttrMap()).entrySet()) {
                List<String> called = new ArrayList<>();
                functions(a.getValue(), called);
                for (String f : called) {
                    FunctionDef def = library.get(f);
                    if (def == null) {
                        Reason r = TensorFlowOps.refusal(f).isPresent() ? Reason.DISALLOWED_OP : Reason.UNKNOWN_OP;
                        throw refuse(r, f, body.describe(node) + " (op '" + op + "') calls '" + f + "' through attr '"
                                + a.getKey() + "', which is not a function in the model's library");
                    }
                    boolean call = a.getKey().equals("f") && (op.equals("PartitionedCall")
                            || op.equals("StatefulPartitionedCall"));
                    enqueue(f, call ? callee(body, node, def, context) : new Context(context.saver(), Set.of()));
                }
            }
        }

        /** The context a called function runs in: saver or not as its caller; the arguments fed from trusted names. */
        private Context callee(TensorFlowBody body, NodeDef node, FunctionDef function, Context context) {
            if (!context.saver()) {
                return Context.PLAIN;
            }
            List<OpDef.ArgDef> params = function.getSignature().getInputArgList();
            List<String> inputs = body.dataSources(node);
            boolean plain = params.stream().allMatch(p -> p.getNumberAttr().isEmpty() && p.getTypeListAttr().isEmpty());
            Set<String> trusted = new HashSet<>();
            if (plain && params.size() == inputs.size()) {
                for (int i = 0; i < params.size(); i++) {
                    if (rooted(body, inputs.get(i), context.trusted(), 0)) {
                        trusted.add(params.get(i).getName());
                    }
                }
            }
            return new Context(true, trusted);
        }

        private void checkCheckpoint(TensorFlowBody body, NodeDef node, Context context) {
            String op = node.getOp();
            if (!context.saver()) {
                String where = body.isGraph() && serving.contains(node.getName())
                        ? "is reachable from a signature" : "is outside the saver subgraph";
                throw refuse(Reason.DISALLOWED_OP, op, "checkpoint op '" + op + "' (" + body.describe(node) + ") "
                        + where + ": " + TensorFlowOps.FILES);
            }
            List<String> inputs = body.dataSources(node);
            for (int i : TensorFlowOps.fileNameInputs(op)) {
                if (i >= inputs.size() || !rooted(body, inputs.get(i), context.trusted(), 0)) {
                    throw refuse(Reason.DISALLOWED_OP, op, "checkpoint op '" + op + "' (" + body.describe(node)
                            + ") takes its file name (input " + i + ") from something other than the checkpoint"
                            + " prefix the loader feeds: " + TensorFlowOps.FILES);
                }
            }
        }

        /** True if {@code source} is a trusted name, or a file name built from one plus constant suffixes. */
        private boolean rooted(TensorFlowBody body, String source, Set<String> trusted, int depth) {
            if (trusted.contains(source)) {
                return true;
            }
            NodeDef n = body.node(source);
            if (n == null || depth > MAX_TRACE_DEPTH) {
                return false;
            }
            List<String> in = body.dataSources(n);
            return switch (n.getOp()) {
                case "Identity", "ShardedFilename" -> !in.isEmpty() && rooted(body, in.get(0), trusted, depth + 1);
                case "Pack" -> !in.isEmpty() && in.stream().allMatch(s -> rooted(body, s, trusted, depth + 1));
                case "StringJoin" -> !in.isEmpty()
                        && !n.getAttrOrDefault("separator", AttrValue.getDefaultInstance()).getS().toStringUtf8().contains("..")
                        && rooted(body, in.get(0), trusted, depth + 1)
                        && in.stream().skip(1).allMatch(s -> suffix(body, s, depth + 1));
                default -> false;
            };
        }

        /** True if {@code source} is a string constant free of "..", directly or through Identity/Select. */
        private boolean suffix(TensorFlowBody body, String source, int depth) {
            NodeDef n = body.node(source);
            if (n == null || depth > MAX_TRACE_DEPTH) {
                return false;
            }
            List<String> in = body.dataSources(n);
            return switch (n.getOp()) {
                case "Const" -> {
                    TensorProto t = n.getAttrOrDefault("value", AttrValue.getDefaultInstance()).getTensor();
                    yield t.getDtype() == DataType.DT_STRING && t.getTensorContent().isEmpty()
                            && t.getStringValList().stream().noneMatch(TensorFlowScan::climbs);
                }
                case "Identity" -> !in.isEmpty() && suffix(body, in.get(0), depth + 1);
                case "Select", "SelectV2" -> in.size() == 3
                        && suffix(body, in.get(1), depth + 1) && suffix(body, in.get(2), depth + 1);
                default -> false;
            };
        }
    }

    private static boolean climbs(ByteString s) {
        return s.toStringUtf8().contains("..");
    }

    /** Adds every function an attribute value names (a func, a list of funcs, and funcs nested in their attrs). */
    private static void functions(AttrValue value, List<String> out) {
        if (value.hasFunc()) {
            function(value.getFunc(), out);
        }
        if (value.hasList()) {
            for (NameAttrList f : value.getList().getFuncList()) {
                function(f, out);
            }
        }
    }

    private static void function(NameAttrList f, List<String> out) {
        out.add(f.getName());
        for (AttrValue nested : f.getAttrMap().values()) {
            functions(nested, out);
        }
    }
}
