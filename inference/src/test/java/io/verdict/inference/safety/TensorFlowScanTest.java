package io.verdict.inference.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.verdict.inference.demo.DemoModelFixture;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.safety.UnsafeModel.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.types.TFloat32;

class TensorFlowScanTest {

    private static final Path DEMO_ROOT = Path.of("target", "demo-models");

    @Test
    void bothDemoModelsPass() {
        for (Kind kind : Kind.values()) {
            assertThatCode(() -> TensorFlowScan.scan(demo(kind))).doesNotThrowAnyException();
        }
    }

    @Test
    void aModelWithVariablesExportedByTensorFlowJavaPasses(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("model");
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("input").placeholder(TFloat32.class,
                    Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, 2)));
            Operand<TFloat32> w = tf.withName("w").variable(tf.constant(new float[][] {{1, 2}, {3, 4}}));
            Operand<TFloat32> y = tf.withName("output").linalg.matMul(x, w);
            try (Session s = new Session(g)) {
                s.initialize();
                SavedModelBundle.exporter(dir.toAbsolutePath().toString()).withSession(s)
                        .withSignature(Signature.builder().key("serving_default").input("input", x).output("output", y).build())
                        .export();
            }
        }
        SavedModel model = read(dir);
        assertThat(model.getMetaGraphs(0).getGraphDef().getNodeList()).extracting(NodeDef::getOp)
                .as("the export carries a real saver subgraph").contains("SaveV2", "RestoreV2");
        assertThatCode(() -> TensorFlowScan.scan(dir)).doesNotThrowAnyException();
    }

    @Test
    void aShardedPythonStyleSaverSubgraphPasses(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> {
            addNodes(m, strConst("save/StringJoin/inputs_1", "_temp/part"),
                    node("save/StringJoin", "StringJoin", "save/filename", "save/StringJoin/inputs_1"),
                    intConst("save/num_shards"), intConst("save/ShardedFilename/shard"),
                    node("save/ShardedFilename", "ShardedFilename", "save/StringJoin", "save/ShardedFilename/shard",
                            "save/num_shards"),
                    strConst("save/names", "w"), strConst("save/slices", ""), floatConst("w"),
                    node("save/SaveV2", "SaveV2", "save/ShardedFilename", "save/names", "save/slices", "w"),
                    node("save/control_dependency_1", "Identity", "save/ShardedFilename", "^save/SaveV2"),
                    node("save/prefixes", "Pack", "save/control_dependency_1"),
                    node("save/MergeV2Checkpoints", "MergeV2Checkpoints", "save/prefixes", "save/filename"),
                    node("save/Identity", "Identity", "save/filename", "^save/MergeV2Checkpoints"),
                    node("save/RestoreV2", "RestoreV2", "save/filename", "save/names", "save/slices"));
            replaceNode(m, node("save/restore_all", "NoOp", "^save/RestoreV2"));
            m.getSaverDefBuilder().setSaveTensorName("save/Identity:0");
        });
        assertThatCode(() -> TensorFlowScan.scan(dir)).doesNotThrowAnyException();
    }

    @Test
    void aTf2StyleSaverFunctionFedTheCheckpointPrefixPasses(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> {
            m.getGraphDefBuilder().getLibraryBuilder().addFunction(restoreFunction("traced_restore", "file_prefix"));
            addNodes(m, call("restore_call", "traced_restore", "save/filename"));
            replaceNode(m, node("save/restore_all", "NoOp", "^restore_call"));
        });
        assertThatCode(() -> TensorFlowScan.scan(dir)).doesNotThrowAnyException();
    }

    @Test
    void readFileInTheServingPathIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> {
            addNodes(m, strConst("path", "/etc/passwd"), node("leak", "ReadFile", "path"));
            replaceNode(m, node("output", "Identity", "Add_1", "^leak"));
        });
        assertRefused(dir, Reason.DISALLOWED_OP, "ReadFile", "'leak'", "reads or writes files");
    }

    @Test
    void aDeadReadFileNodeIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> addNodes(m, strConst("path", "/etc/passwd"), node("dead", "ReadFile", "path")));
        assertRefused(dir, Reason.DISALLOWED_OP, "ReadFile", "'dead'", "reads or writes files");
    }

    @Test
    void writeFileIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> addNodes(m, strConst("path", "/tmp/x"), strConst("text", "owned"),
                node("drop", "WriteFile", "path", "text")));
        assertRefused(dir, Reason.DISALLOWED_OP, "WriteFile", "'drop'", "reads or writes files");
    }

    @Test
    void pyFuncIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> addNodes(m, node("py", "PyFunc", "input").toBuilder()
                .putAttr("token", AttrValue.newBuilder().setS(ByteString.copyFromUtf8("pyfunc_0")).build()).build()));
        assertRefused(dir, Reason.DISALLOWED_OP, "PyFunc", "'py'", "runs Python");
    }

    @Test
    void printIsRefusedAndAssertIsAllowed(@TempDir Path tmp) {
        Path printing = hostile(tmp.resolve("print"), m -> addNodes(m, node("shout", "Print", "input", "input")));
        assertRefused(printing, Reason.DISALLOWED_OP, "Print", "'shout'", "process/system");
        Path asserting = hostile(tmp.resolve("assert"), m -> addNodes(m, node("cond", "IsFinite", "input"),
                node("all", "All", "cond", "axes"), intConst("axes"), node("check", "Assert", "all", "input")));
        assertThatCode(() -> TensorFlowScan.scan(asserting)).doesNotThrowAnyException();
    }

    @Test
    void immutableConstIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> addNodes(m, node("mapped", "ImmutableConst").toBuilder()
                .putAttr("memory_region_name", AttrValue.newBuilder().setS(ByteString.copyFromUtf8("/etc/shadow")).build())
                .build()));
        assertRefused(dir, Reason.DISALLOWED_OP, "ImmutableConst", "'mapped'", "memory-maps a file");
    }

    @Test
    void anUnknownOpIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> addNodes(m, node("custom", "MyCustomOp", "input")));
        assertRefused(dir, Reason.UNKNOWN_OP, "MyCustomOp", "'custom'", "allow-list");
    }

    @Test
    void restoreV2ReadingAConstantPathInTheSaverSubgraphIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> {
            addNodes(m, strConst("evil/prefix", "/etc/passwd"), strConst("evil/names", "w"), strConst("evil/slices", ""),
                    node("evil/RestoreV2", "RestoreV2", "evil/prefix", "evil/names", "evil/slices"));
            replaceNode(m, node("save/restore_all", "NoOp", "^evil/RestoreV2"));
        });
        assertRefused(dir, Reason.DISALLOWED_OP, "RestoreV2", "'evil/RestoreV2'", "file name");
    }

    @Test
    void aCheckpointSuffixThatClimbsOutIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> {
            addNodes(m, strConst("evil/suffix", "/../../../etc/passwd"),
                    node("evil/path", "StringJoin", "save/filename", "evil/suffix"),
                    strConst("evil/names", "w"), strConst("evil/slices", ""),
                    node("evil/RestoreV2", "RestoreV2", "evil/path", "evil/names", "evil/slices"));
            replaceNode(m, node("save/restore_all", "NoOp", "^evil/RestoreV2"));
        });
        assertRefused(dir, Reason.DISALLOWED_OP, "RestoreV2", "'evil/RestoreV2'", "file name");
    }

    @Test
    void aCheckpointOpReachableFromTheSignatureIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> {
            addNodes(m, strConst("save/names", "w"), strConst("save/slices", ""),
                    node("save/RestoreV2", "RestoreV2", "save/filename", "save/names", "save/slices"));
            replaceNode(m, node("save/restore_all", "NoOp", "^save/RestoreV2"));
            replaceNode(m, node("output", "Identity", "Add_1", "^save/RestoreV2"));
        });
        assertRefused(dir, Reason.DISALLOWED_OP, "RestoreV2", "'save/RestoreV2'", "reachable from a signature");
    }

    @Test
    void aCheckpointOpOutsideTheSaverSubgraphIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> addNodes(m, strConst("names", "w"), strConst("slices", ""),
                node("stray", "RestoreV2", "save/filename", "names", "slices")));
        assertRefused(dir, Reason.DISALLOWED_OP, "RestoreV2", "'stray'", "outside the saver subgraph");
    }

    @Test
    void aDisallowedOpInsideAFunctionCalledFromServingIsRefused(@TempDir Path tmp) {
        FunctionDef evil = FunctionDef.newBuilder()
                .setSignature(OpDef.newBuilder().setName("evil_fn")
                        .addInputArg(arg("x", DataType.DT_FLOAT)).addOutputArg(arg("y", DataType.DT_FLOAT)))
                .addNodeDef(strConst("path", "/etc/passwd"))
                .addNodeDef(node("inner_leak", "ReadFile", "path:output:0"))
                .addNodeDef(node("same", "Identity", "x", "^inner_leak"))
                .putRet("y", "same:output:0")
                .build();
        Path dir = hostile(tmp, m -> {
            m.getGraphDefBuilder().getLibraryBuilder().addFunction(evil);
            addNodes(m, call("fn_call", "evil_fn", "Add_1"));
            replaceNode(m, node("output", "Identity", "fn_call"));
        });
        assertRefused(dir, Reason.DISALLOWED_OP, "ReadFile", "'inner_leak'", "function 'evil_fn'");
    }

    @Test
    void aSaverFunctionCalledFromServingIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> {
            m.getGraphDefBuilder().getLibraryBuilder().addFunction(restoreFunction("traced_restore", "file_prefix"));
            addNodes(m, call("restore_call", "traced_restore", "save/filename"));
            replaceNode(m, node("output", "Identity", "Add_1", "^restore_call"));
        });
        assertRefused(dir, Reason.DISALLOWED_OP, "RestoreV2", "function 'traced_restore'", "outside the saver subgraph");
    }

    @Test
    void aDisallowedOpInAnUncalledLibraryFunctionIsRefused(@TempDir Path tmp) {
        FunctionDef dead = FunctionDef.newBuilder()
                .setSignature(OpDef.newBuilder().setName("dead_fn").addOutputArg(arg("y", DataType.DT_STRING)))
                .addNodeDef(strConst("path", "/etc/passwd"))
                .addNodeDef(node("slurp", "ReadFile", "path:output:0"))
                .putRet("y", "slurp:contents:0")
                .build();
        Path dir = hostile(tmp, m -> m.getGraphDefBuilder().getLibraryBuilder().addFunction(dead));
        assertRefused(dir, Reason.DISALLOWED_OP, "ReadFile", "'slurp'", "function 'dead_fn'");
    }

    @Test
    void aCallToAFunctionNotInTheLibraryIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> addNodes(m, call("ghost_call", "ghost_fn", "Add_1")));
        assertRefused(dir, Reason.UNKNOWN_OP, "ghost_fn", "'ghost_call'", "not a function in the model's library");
    }

    @Test
    void aSignatureNamingAMissingNodeIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> m.putSignatureDef("serving_default", m.getSignatureDefOrThrow("serving_default")
                .toBuilder().putOutputs("output", TensorInfo.newBuilder().setName("nowhere:0")
                        .setDtype(DataType.DT_FLOAT).build()).build()));
        assertRefused(dir, Reason.SIGNATURE_MISMATCH, "nowhere:0", "serving_default");
    }

    @Test
    void aSignatureFeedingTheCheckpointFileNameIsRefused(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> m.putSignatureDef("serving_default", m.getSignatureDefOrThrow("serving_default")
                .toBuilder().putInputs("path", TensorInfo.newBuilder().setName("save/filename:0")
                        .setDtype(DataType.DT_STRING).build()).build()));
        assertRefused(dir, Reason.SIGNATURE_MISMATCH, "save/filename:0", "checkpoint file name");
    }

    @Test
    void noServingDefaultSignatureIsTheWrongFormat(@TempDir Path tmp) {
        Path dir = hostile(tmp, m -> {
            SignatureDef s = m.getSignatureDefOrThrow("serving_default");
            m.removeSignatureDef("serving_default");
            m.putSignatureDef("predict", s);
        });
        assertRefused(dir, Reason.WRONG_FORMAT, "serving_default", "serve");
    }

    @Test
    void aTruncatedSavedModelIsMalformed(@TempDir Path tmp) throws IOException {
        Path dir = DemoModelFixture.copyTree(demo(Kind.MLP), tmp.resolve("m"));
        Path pb = dir.resolve("saved_model.pb");
        byte[] bytes = Files.readAllBytes(pb);
        Files.write(pb, Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(dir, Reason.MALFORMED, "saved_model.pb", "not a parsable SavedModel");
    }

    @Test
    void randomBytesAreMalformed(@TempDir Path tmp) throws IOException {
        Path dir = DemoModelFixture.copyTree(demo(Kind.MLP), tmp.resolve("m"));
        byte[] noise = new byte[4096];
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (byte) rnd.nextInt(256);
        }
        Files.write(dir.resolve("saved_model.pb"), noise);
        assertRefused(dir, Reason.MALFORMED, "saved_model.pb");
    }

    @Test
    void aMissingSavedModelIsTheWrongFormat(@TempDir Path tmp) throws IOException {
        Path dir = DemoModelFixture.copyTree(demo(Kind.MLP), tmp.resolve("m"));
        Files.delete(dir.resolve("saved_model.pb"));
        assertRefused(dir, Reason.WRONG_FORMAT, "saved_model.pb");
        Files.writeString(dir.resolve("saved_model.pbtxt"), "meta_graphs { }");
        assertRefused(dir, Reason.WRONG_FORMAT, "saved_model.pbtxt");
    }

    @Test
    void anOversizedSavedModelIsRefusedBeforeParsing(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        try (SeekableByteChannel c = Files.newByteChannel(dir.resolve("saved_model.pb"),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            c.position(TensorFlowScan.MAX_FILE_BYTES);
            c.write(ByteBuffer.wrap(new byte[] {1}));
        }
        assertRefused(dir, Reason.TOO_LARGE, "saved_model.pb");
    }

    // --- helpers ---

    private static void assertRefused(Path dir, Reason reason, String... mentions) {
        UnsafeModel e = catchThrowableOfType(UnsafeModel.class, () -> TensorFlowScan.scan(dir));
        assertThat(e).as("scan refuses the model").isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.getMessage()).contains(reason.name());
        for (String m : mentions) {
            assertThat(e.getMessage()).contains(m);
        }
    }

    private static Path demo(Kind kind) {
        return DemoModels.ensureExported(DEMO_ROOT, kind).toAbsolutePath();
    }

    /** A copy of the MLP demo model under {@code tmp} whose serve meta graph went through {@code edit}. */
    private static Path hostile(Path tmp, Consumer<MetaGraphDef.Builder> edit) {
        Path dir = DemoModelFixture.copyTree(demo(Kind.MLP), tmp.resolve("model"));
        SavedModel.Builder model = read(dir).toBuilder();
        edit.accept(model.getMetaGraphsBuilder(0));
        try {
            Files.write(dir.resolve("saved_model.pb"), model.build().toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static SavedModel read(Path dir) {
        try {
            return SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void addNodes(MetaGraphDef.Builder m, NodeDef... nodes) {
        m.getGraphDefBuilder().addAllNode(List.of(nodes));
    }

    private static void replaceNode(MetaGraphDef.Builder m, NodeDef replacement) {
        GraphDef.Builder g = m.getGraphDefBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getName().equals(replacement.getName())) {
                g.setNode(i, g.getNode(i).toBuilder().setOp(replacement.getOp()).clearInput()
                        .addAllInput(replacement.getInputList()));
                return;
            }
        }
        throw new IllegalArgumentException("no node " + replacement.getName());
    }

    private static NodeDef node(String name, String op, String... inputs) {
        return NodeDef.newBuilder().setName(name).setOp(op).addAllInput(List.of(inputs)).build();
    }

    private static NodeDef strConst(String name, String value) {
        return constant(name, TensorProto.newBuilder().setDtype(DataType.DT_STRING)
                .addStringVal(ByteString.copyFromUtf8(value)).build());
    }

    private static NodeDef intConst(String name) {
        return constant(name, TensorProto.newBuilder().setDtype(DataType.DT_INT32).addIntVal(1).build());
    }

    private static NodeDef floatConst(String name) {
        return constant(name, TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).addFloatVal(1f).build());
    }

    private static NodeDef constant(String name, TensorProto value) {
        return NodeDef.newBuilder().setName(name).setOp("Const")
                .putAttr("dtype", AttrValue.newBuilder().setType(value.getDtype()).build())
                .putAttr("value", AttrValue.newBuilder().setTensor(value).build())
                .build();
    }

    private static NodeDef call(String name, String function, String input) {
        return node(name, "StatefulPartitionedCall", input).toBuilder()
                .putAttr("f", AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName(function)).build())
                .build();
    }

    private static OpDef.ArgDef arg(String name, DataType type) {
        return OpDef.ArgDef.newBuilder().setName(name).setType(type).build();
    }

    /** A TF2-style traced restore function: RestoreV2 of the argument {@code prefixArg}. */
    private static FunctionDef restoreFunction(String name, String prefixArg) {
        return FunctionDef.newBuilder()
                .setSignature(OpDef.newBuilder().setName(name)
                        .addInputArg(arg(prefixArg, DataType.DT_STRING)).addOutputArg(arg("y", DataType.DT_FLOAT)))
                .addNodeDef(strConst("names", "w"))
                .addNodeDef(strConst("slices", ""))
                .addNodeDef(node("RestoreV2", "RestoreV2", prefixArg, "names:output:0", "slices:output:0"))
                .addNodeDef(node("restored", "Identity", "RestoreV2:tensors:0"))
                .putRet("y", "restored:output:0")
                .build();
    }

}
