package io.verdict.inference.safety;

import io.verdict.inference.onnx.OnnxModelFile;
import io.verdict.inference.onnx.OnnxModelFile.Attribute;
import io.verdict.inference.onnx.OnnxModelFile.Graph;
import io.verdict.inference.onnx.OnnxModelFile.Node;
import io.verdict.inference.onnx.OnnxModelFile.OpsetImport;
import io.verdict.inference.onnx.OnnxModelFile.TensorRef;
import io.verdict.inference.safety.UnsafeModel.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The publish-time safety scan of an ONNX artifact: a directory holding {@code model.onnx} and,
 * optionally, external-data files beside it. It parses the model itself ({@link OnnxModelFile},
 * no runtime involved) and refuses, with an {@link UnsafeModel} naming the reason and the offender:
 *
 * <ul>
 *   <li>no {@code model.onnx}, or not a regular file → {@link Reason#WRONG_FORMAT}; unparsable →
 *       {@link Reason#MALFORMED}; over the parser's bounds → {@link Reason#TOO_LARGE};</li>
 *   <li>an {@code opset_import} or a node (in any subgraph) outside {@code ai.onnx} ("") and
 *       {@code ai.onnx.ml} → {@link Reason#CUSTOM_DOMAIN}: custom ops run native code the scan
 *       cannot see;</li>
 *   <li>model-local functions → {@link Reason#LOCAL_FUNCTION};</li>
 *   <li>an op not on the standard allow-list of its domain → {@link Reason#UNKNOWN_OP}; a standard
 *       random-number op → {@link Reason#DISALLOWED_OP} (validators could not agree);</li>
 *   <li>subgraphs of {@code If}/{@code Loop}/{@code Scan} (any GRAPH or GRAPHS attribute) are
 *       scanned the same way, down to a bounded depth; more than 100 000 nodes → {@link Reason#TOO_LARGE};</li>
 *   <li>a tensor (initializer, sparse initializer or attribute, anywhere) with external data whose
 *       {@code location} is absolute, has a drive, backslash or {@code ..}, uses characters other than
 *       letters, digits, {@code . _ -} and {@code /}, or does not resolve to a regular file inside the
 *       directory reached without a symbolic link → {@link Reason#EXTERNAL_DATA} (the character rule
 *       also refuses ONNX Runtime's {@code *}{@code /_ORT_MEM_ADDR_/*} location, which reads process memory);</li>
 *   <li>a graph output that no node, initializer or input produces, or a graph input declared
 *       without a shape (unknown rank) → {@link Reason#SIGNATURE_MISMATCH};</li>
 *   <li>{@code training_info} → {@link Reason#WRONG_FORMAT}: graphs that inference never runs have no
 *       place in a served artifact.</li>
 * </ul>
 *
 * The scan says nothing about whether the runtime can load the model (types, shapes, opset
 * versions): that is the engine's job.
 */
public final class OnnxScan {

    /** The model file of an ONNX artifact directory. */
    public static final String MODEL_FILE = "model.onnx";

    private static final Pattern LOCATION_SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    private final Path dir;

    private OnnxScan(Path dir) {
        this.dir = dir;
    }

    /** Returns normally if the artifact in {@code dir} is acceptable; throws {@link UnsafeModel} otherwise. */
    public static void scan(Path dir) {
        scan(dir, OnnxModelFile.Limits.defaults());
    }

    public static void scan(Path dir, OnnxModelFile.Limits limits) {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafeModel(Reason.WRONG_FORMAT, "", "wrong format: the artifact is not a directory;"
                    + " an ONNX artifact is a directory holding " + MODEL_FILE);
        }
        Path model = root.resolve(MODEL_FILE);
        if (!Files.isRegularFile(model, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafeModel(Reason.WRONG_FORMAT, MODEL_FILE, "wrong format: the artifact has no " + MODEL_FILE
                    + " (a regular file, not a link) at its top level");
        }
        new OnnxScan(root).check(OnnxModelFile.read(model, limits));
    }

    private void check(OnnxModelFile model) {
        for (OpsetImport opset : model.opsetImports()) {
            if (OnnxAllowList.forDomain(opset.domain()) == null) {
                throw new UnsafeModel(Reason.CUSTOM_DOMAIN, opset.domain(), "custom domain: opset_import of domain '"
                        + opset.domain() + "' (version " + opset.version() + "); only ai.onnx and ai.onnx.ml are allowed");
            }
        }
        if (!model.functions().isEmpty()) {
            String first = model.functions().get(0);
            throw new UnsafeModel(Reason.LOCAL_FUNCTION, first, "local function: the model defines "
                    + model.functions().size() + " function(s), first '" + first + "'; custom ops are not allowed");
        }
        if (model.hasTrainingInfo()) {
            throw new UnsafeModel(Reason.WRONG_FORMAT, "training_info",
                    "wrong format: the model carries training_info, which an inference artifact must not");
        }
        Graph main = model.graph();
        if (main.outputs().isEmpty()) {
            throw new UnsafeModel(Reason.SIGNATURE_MISMATCH, "", "signature mismatch: the graph declares no outputs");
        }
        Set<String> initialized = new HashSet<>();
        main.initializers().forEach(t -> initialized.add(t.name()));
        for (String input : main.unrankedInputs()) {
            if (!initialized.contains(input)) {
                throw new UnsafeModel(Reason.SIGNATURE_MISMATCH, input, "signature mismatch: input '" + input
                        + "' is declared without a shape (unknown rank); every input's rank is checked before the"
                        + " runtime runs, so declare its shape (dimensions may be symbolic, such as 'batch')");
            }
        }
        checkGraph(main, "", Set.of());
    }

    /** {@code path}: the node holding this graph ("" for the main graph); {@code outer}: names visible from outside. */
    private void checkGraph(Graph graph, String path, Set<String> outer) {
        Set<String> produced = new HashSet<>(outer);
        produced.addAll(graph.inputs());
        for (TensorRef t : graph.initializers()) {
            checkTensor(t, path.isEmpty() ? "initializer" : "initializer in the subgraph of node '" + path + "'");
            produced.add(t.name());
        }
        for (Node node : graph.nodes()) {
            produced.addAll(node.outputs());
        }
        produced.remove("");
        for (Node node : graph.nodes()) {
            String nodeName = qualified(path, node);
            checkOp(node, nodeName);
            for (Attribute a : node.attributes()) {
                for (TensorRef t : a.tensors()) {
                    checkTensor(t, "attribute '" + a.name() + "' of node '" + nodeName + "'");
                }
                for (Graph sub : a.graphs()) {
                    checkGraph(sub, nodeName, produced);
                }
            }
        }
        for (String out : graph.outputs()) {
            if (!produced.contains(out)) {
                String where = path.isEmpty() ? "the graph" : "the subgraph of node '" + path + "'";
                throw new UnsafeModel(Reason.SIGNATURE_MISMATCH, out, "signature mismatch: output '" + out
                        + "' of " + where + " is produced by no node, initializer or input");
            }
        }
    }

    private static String qualified(String path, Node node) {
        String name = node.name().isEmpty() ? "<unnamed " + node.opType() + ">" : node.name();
        return path.isEmpty() ? name : path + "/" + name;
    }

    private static void checkOp(Node node, String nodeName) {
        Set<String> allowed = OnnxAllowList.forDomain(node.domain());
        if (allowed == null) {
            throw new UnsafeModel(Reason.CUSTOM_DOMAIN, node.domain(), "custom domain: node '" + nodeName + "' (op '"
                    + node.opType() + "') is in domain '" + node.domain() + "'; only ai.onnx and ai.onnx.ml are allowed");
        }
        if (!allowed.contains(node.opType())) {
            String domain = node.domain().isEmpty() ? "ai.onnx" : node.domain();
            throw new UnsafeModel(Reason.UNKNOWN_OP, node.opType(), "unknown op: '" + node.opType() + "' (node '"
                    + nodeName + "') is not a standard " + domain + " operator");
        }
        if (OnnxAllowList.DEFAULT_DOMAINS.contains(node.domain()) && OnnxAllowList.RANDOM.contains(node.opType())) {
            throw new UnsafeModel(Reason.DISALLOWED_OP, node.opType(), "disallowed op: '" + node.opType() + "' (node '"
                    + nodeName + "') draws random numbers, so validators would not agree");
        }
    }

    private void checkTensor(TensorRef t, String role) {
        if (!t.isExternal()) {
            return;
        }
        String where = "tensor '" + t.name() + "' (" + role + ")";
        String location = t.external("location");
        if (location == null || location.isEmpty()) {
            throw refuseExternal(t, where, "has external data but no location");
        }
        String why = locationProblem(location);
        if (why != null) {
            throw refuseExternal(t, where, "points to '" + location + "': " + why);
        }
        Path file = dir.resolve(location).normalize();
        if (!file.startsWith(dir) || file.equals(dir)) {
            throw refuseExternal(t, where, "points to '" + location + "', outside the model directory");
        }
        for (Path p = file; !p.equals(dir); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw refuseExternal(t, where, "points to '" + location + "', reached through the symbolic link '"
                        + dir.relativize(p) + "'");
            }
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw refuseExternal(t, where, "points to '" + location + "', which is not a regular file in the model directory");
        }
        checkRange(t, where, location, file);
    }

    private static void checkRange(TensorRef t, String where, String location, Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UnsafeModel(Reason.EXTERNAL_DATA, location, "external data: " + where + " cannot read '" + location + "': " + e, e);
        }
        long offset = number(t, where, "offset");
        long length = t.external("length") == null ? size - offset : number(t, where, "length");
        if (offset > size || length > size - offset) {
            throw refuseExternal(t, where, "points to '" + location + "' (offset " + offset + ", length "
                    + length + ") beyond the end of the " + size + "-byte file");
        }
    }

    private static long number(TensorRef t, String where, String key) {
        String v = t.external(key);
        if (v == null) {
            return 0;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new UnsafeModel(Reason.EXTERNAL_DATA, t.name(), "external data: " + where + " has " + key + " '" + v
                + "', not a non-negative number");
    }

    /** Why a {@code location} is refused before touching the file system, or null if its form is fine. */
    static String locationProblem(String location) {
        if (location.startsWith("/") || location.contains("\\") || location.contains(":")) {
            return "an absolute path, drive or backslash";
        }
        for (String segment : location.split("/", -1)) {
            if (segment.equals("..")) {
                return "'..' leaves the model directory";
            }
            if (segment.isEmpty() || segment.equals(".")) {
                return "empty or '.' path segment";
            }
            if (!LOCATION_SEGMENT.matcher(segment).matches()) {
                return "only letters, digits, '.', '_', '-' and '/' are allowed";
            }
        }
        return null;
    }

    private static UnsafeModel refuseExternal(TensorRef t, String where, String what) {
        return new UnsafeModel(Reason.EXTERNAL_DATA, t.name(), "external data: " + where + " " + what);
    }
}
