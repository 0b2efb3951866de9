package io.verdict.inference.safety;

import io.verdict.inference.safety.UnsafeModel.Reason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * The nodes of a TensorFlow graph or of one library function body, with every input reference
 * resolved to the node (or function argument) that produces it. Graph inputs read {@code node},
 * {@code node:1} or {@code ^node} (a control input); function-body inputs read {@code arg},
 * {@code node:output:0} or {@code ^node}. A reference to nothing is {@link Reason#MALFORMED}.
 */
final class TensorFlowBody {

    private final String where;
    private final boolean graph;
    private final List<NodeDef> nodes;
    private final Map<String, NodeDef> byName;
    private final List<String> args;

    private TensorFlowBody(String where, boolean graph, List<NodeDef> nodes, List<String> args) {
        this.where = where;
        this.graph = graph;
        this.nodes = List.copyOf(nodes);
        this.args = List.copyOf(args);
        Map<String, NodeDef> m = new HashMap<>();
        for (String a : args) {
            if (m.put(a, NodeDef.getDefaultInstance()) != null) {
                throw malformed(a, "argument '" + a + "' of " + where + " is declared twice");
            }
        }
        for (NodeDef n : nodes) {
            if (n.getName().isEmpty()) {
                throw malformed("", "a node of " + where + " has no name");
            }
            if (m.put(n.getName(), n) != null) {
                throw malformed(n.getName(), "name '" + n.getName() + "' is used twice in " + where);
            }
        }
        args.forEach(m::remove);
        this.byName = m;
        for (NodeDef n : nodes) {
            for (String in : n.getInputList()) {
                String src = source(in);
                if (!byName.containsKey(src) && !this.args.contains(src)) {
                    throw malformed(n.getName(), describe(n) + " reads input '" + in + "', which names nothing");
                }
            }
        }
    }

    static TensorFlowBody of(GraphDef graph) {
        return new TensorFlowBody("the graph", true, graph.getNodeList(), List.of());
    }

    static TensorFlowBody of(FunctionDef function) {
        List<String> args = function.getSignature().getInputArgList().stream().map(OpDef.ArgDef::getName).toList();
        return new TensorFlowBody("function '" + function.getSignature().getName() + "'", false,
                function.getNodeDefList(), args);
    }

    /** "the graph" or "function 'name'". */
    String where() {
        return where;
    }

    boolean isGraph() {
        return graph;
    }

    List<NodeDef> nodes() {
        return nodes;
    }

    /** The function's input argument names in order (empty for a graph). */
    List<String> args() {
        return args;
    }

    boolean isArg(String name) {
        return args.contains(name);
    }

    /** The node called {@code name}, or null (also null for an argument). */
    NodeDef node(String name) {
        return byName.get(name);
    }

    /** The producers (node or argument names) of {@code node}'s data inputs, in input order. */
    List<String> dataSources(NodeDef node) {
        List<String> out = new ArrayList<>();
        for (String in : node.getInputList()) {
            if (!in.startsWith("^")) {
                out.add(source(in));
            }
        }
        return out;
    }

    /**
     * {@code roots} and everything they depend on through data and control inputs (node and
     * argument names). Roots that name nothing are ignored.
     */
    Set<String> ancestors(Collection<String> roots) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!seen.add(name)) {
                continue;
            }
            NodeDef n = byName.get(name);
            if (n != null) {
                for (String in : n.getInputList()) {
                    todo.push(source(in));
                }
            }
        }
        return seen;
    }

    /** "node 'x' in the graph" or "node 'x' in function 'f'". */
    String describe(NodeDef node) {
        return "node '" + node.getName() + "' in " + where;
    }

    /** The node or argument an input or tensor reference names: {@code ^a}, {@code a:0}, {@code a:out:0} → a. */
    static String source(String reference) {
        String s = reference.startsWith("^") ? reference.substring(1) : reference;
        int colon = s.indexOf(':');
        return colon < 0 ? s : s.substring(0, colon);
    }

    private static UnsafeModel malformed(String subject, String detail) {
        return TensorFlowScan.refuse(Reason.MALFORMED, subject, detail);
    }
}
