package io.verdict.node;

import static io.verdict.node.TestNodes.assertRefused;
import static io.verdict.node.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.verdict.api.v1.InputLimit;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ListModelsRequest;
import io.verdict.api.v1.ModelFormat;
import io.verdict.api.v1.PublishModelHeader;
import io.verdict.api.v1.PublishModelRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.api.v1.ValidatorInfoRequest;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.onnx.OnnxElementType;
import io.verdict.inference.onnx.OnnxGraphBuilder;
import io.verdict.inference.onnx.OnnxModelBuilder;
import io.verdict.inference.onnx.OnnxTensorValue;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.persistence.models.ModelStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * A corpus of malformed and hostile model artifacts, made here, published over gRPC to a node in
 * its own JVM: every one is refused with INVALID_ARGUMENT and a message that names the reason, none
 * is recorded, none leaves files in the model store, and the node serves verified jobs afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileModelsIT {

    /** Small node limits, so that bombs are cheap to make. */
    private static final long MAX_TOTAL_BYTES = 48L << 20;
    private static final int MAX_FILES = 64;
    private static final Duration START = Duration.ofSeconds(90);

    /** One hostile upload: what is claimed in the header, the archive, and what the refusal must say. */
    record Hostile(String label, ModelFormat format, String digest, byte[] zip, List<String> expect,
                   Consumer<PublishModelHeader.Builder> header) {
        /** Refused by the archive checks or the safety scan: its files must never reach the model store. */
        Hostile(String label, ModelFormat format, String digest, byte[] zip, List<String> expect) {
            this(label, format, digest, zip, expect, null);
        }

        /** A safe artifact whose declared limits do not fit it: refused after the scan, when the signature is known. */
        boolean passesScan() {
            return header != null;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path workDir;
    private static Path demos;
    private static NodeProcess node;
    private static ActorSystem<Void> clientSystem;
    private static TestNodes.Clients clients;
    private static int published;
    /** Digests (hex) of the safe uploads refused after the scan: their files are stored, unrecorded. */
    private static final java.util.Set<String> keptAfterScan = new java.util.HashSet<>();

    @BeforeAll
    static void start() throws Exception {
        workDir = TestNodes.tempDir("hostile-");
        demos = workDir.resolve("demo-models");
        node = new NodeProcess("hostile", workDir.resolve("node"), NodeProcess.freePort(), NodeProcess.freePort(),
                List.of(), Map.of("VERDICT_MODELS_MAX_TOTAL_BYTES", Long.toString(MAX_TOTAL_BYTES),
                        "VERDICT_MODELS_MAX_FILES", Integer.toString(MAX_FILES)));
        node.start(START);
        clientSystem = TestNodes.clientSystem();
        clients = TestNodes.Clients.connect(clientSystem, node.grpcPort());
        TestNodes.awaitCondition("the demo models are published", Duration.ofSeconds(60), () -> await(
                clients.verdict().listModels(ListModelsRequest.getDefaultInstance())).getModelsCount() >= 4);
    }

    @AfterAll
    static void stop() throws Exception {
        if (clients != null) {
            clients.close();
        }
        TestNodes.terminate(clientSystem);
        if (node != null) {
            node.close();
        }
        TestNodes.deleteRecursively(workDir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    @Order(1)
    void everyHostileArtifactIsRefusedWithItsReason(Hostile h) {
        String name = "hostile-" + (++published);
        PublishModelHeader.Builder builder = PublishModelHeader.newBuilder()
                .setName(name)
                .setVersion("1")
                .setModelDigest(h.digest())
                .setAgreementPolicy("EXACT")
                .setTotalSize(h.zip().length)
                .setFormat(h.format());
        if (h.passesScan()) {
            h.header().accept(builder);
            keptAfterScan.add(h.digest().substring("sha256:".length()));
        }
        PublishModelHeader header = builder.build();
        Status status = assertRefused(clients.verdict().publishModel(Source.from(TestNodes.upload(header, h.zip()))),
                Status.Code.INVALID_ARGUMENT, h.expect().toArray(String[]::new));
        assertThat(node.alive()).as("node alive after %s (%s)", h.label(), status.getDescription()).isTrue();
    }

    @Test
    @Order(2)
    void theNodeIsHealthyAfterwardsAndKeptNothingOfThem() throws IOException {
        assertThat(node.alive()).isTrue();
        assertThat(await(clients.verdict().validatorInfo(ValidatorInfoRequest.getDefaultInstance()))
                .getValidatorsCount()).isPositive();
        NamedTensors inputs = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 77);
        SubmitResponse response = await(clients.verdict().submit(TestNodes.submit("mlp", inputs)));
        assertThat(response.getJob().getStatus()).as("job on mlp after the corpus: %s",
                response.getJob().getFailureReason()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
        TestNodes.verifiedReceipt(response.getJob().getReceiptJson());
        SubmitResponse onnx = await(clients.verdict().submit(TestNodes.submit("mlp-onnx", inputs)));
        assertThat(onnx.getJob().getStatus()).as("job on mlp-onnx after the corpus: %s",
                onnx.getJob().getFailureReason()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
        TestNodes.verifiedReceipt(onnx.getJob().getReceiptJson());
        // whichever engine ran, the receipt has the same structure; only the values differ
        assertThat(fieldPaths(JSON.readTree(onnx.getJob().getReceiptJson()), ""))
                .isEqualTo(fieldPaths(JSON.readTree(response.getJob().getReceiptJson()), ""));
        assertThat(onnx.getJob().getModel().getModelDigest()).isNotEqualTo(response.getJob().getModel().getModelDigest());

        List<String> names = await(clients.verdict().listModels(ListModelsRequest.getDefaultInstance()))
                .getModelsList().stream().map(io.verdict.api.v1.Model::getName).toList();
        assertThat(names).as("models after the corpus").noneMatch(n -> n.startsWith("hostile-"));
        // Exactly the published demo artifacts, plus the safe artifacts refused only for their declared
        // limits (stored before the signature was known): nothing the archive checks or the safety
        // scan refused, and no staging or spool file.
        java.util.Set<String> expected = new java.util.HashSet<>(keptAfterScan);
        await(clients.verdict().listModels(ListModelsRequest.getDefaultInstance())).getModelsList()
                .forEach(m -> m.getVersionsList().forEach(v -> expected.add(v.getModelDigest().substring("sha256:".length()))));
        assertThat(expected).as("demo digests and safe refused digests").hasSizeGreaterThanOrEqualTo(4);
        try (Stream<Path> entries = Files.list(workDir.resolve("node").resolve("models"))) {
            assertThat(entries.map(p -> p.getFileName().toString()).toList()).as("the model store")
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
        try (Stream<Path> uploads = Files.list(workDir.resolve("node").resolve("uploads"))) {
            assertThat(uploads.toList()).as("uploads left behind").isEmpty();
        }
    }

    /** Every field path of a JSON tree ({@code a.b}, {@code list[].c}), sorted. */
    private static java.util.SortedSet<String> fieldPaths(JsonNode node, String prefix) {
        java.util.SortedSet<String> paths = new java.util.TreeSet<>();
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(name -> {
                String path = prefix.isEmpty() ? name : prefix + "." + name;
                paths.add(path);
                paths.addAll(fieldPaths(node.get(name), path));
            });
        } else if (node.isArray()) {
            node.forEach(element -> paths.addAll(fieldPaths(element, prefix + "[]")));
        }
        return paths;
    }

    // ---- the corpus ----

    static Stream<Hostile> corpus() throws IOException {
        List<Hostile> all = new ArrayList<>();
        all.addAll(archives());
        all.addAll(tensorFlowGraphs());
        all.addAll(onnxGraphs());
        all.addAll(mismatches());
        return all.stream();
    }

    /** Archives that must never be extracted: every refusal happens before a file is written. */
    private static List<Hostile> archives() throws IOException {
        Path mlp = DemoModels.ensureExported(demos, DemoModels.Kind.MLP);
        byte[] good = zipOf(mlp);
        String anyDigest = digestOf(mlp);
        ModelFormat tf = ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL;
        List<Hostile> list = new ArrayList<>();
        list.add(new Hostile("truncated archive", tf, anyDigest, Arrays.copyOf(good, good.length / 2),
                List.of("truncated")));
        list.add(new Hostile("not an archive", tf, anyDigest, "this is not a zip archive at all".repeat(8)
                .getBytes(StandardCharsets.UTF_8), List.of("zip")));
        list.add(new Hostile("path traversal", tf, anyDigest, StoredZip.of(
                StoredZip.file("saved_model.pb", new byte[] {1}), StoredZip.file("../../escape.txt", new byte[] {2})),
                List.of("../../escape.txt", "'..'")));
        list.add(new Hostile("absolute path", tf, anyDigest, StoredZip.of(
                StoredZip.file("/etc/cron.d/evil", new byte[] {1})), List.of("/etc/cron.d/evil", "absolute")));
        list.add(new Hostile("symbolic link", tf, anyDigest, StoredZip.of(
                StoredZip.file("saved_model.pb", new byte[] {1}),
                StoredZip.link("variables", "/etc")), List.of("variables", "symbolic link")));
        list.add(new Hostile("too many files", tf, anyDigest, StoredZip.of(
                java.util.stream.IntStream.range(0, MAX_FILES + 1)
                        .mapToObj(i -> StoredZip.file("f" + i, new byte[] {(byte) i}))
                        .toArray(StoredZip.Entry[]::new)), List.of("limit of " + MAX_FILES + " files")));
        list.add(new Hostile("deflate bomb", tf, anyDigest, deflateBomb(MAX_TOTAL_BYTES * 2),
                List.of("limit of " + MAX_TOTAL_BYTES)));
        list.add(new Hostile("overlapping-entries bomb", tf, anyDigest, StoredZip.overlapping(
                "saved_model.pb", new byte[4096], 50), List.of("overlap", "zip bomb")));
        return list;
    }

    /** Well-formed archives holding SavedModels that a TensorFlow runtime must never load. */
    private static List<Hostile> tensorFlowGraphs() throws IOException {
        Path mlp = DemoModels.ensureExported(demos, DemoModels.Kind.MLP);
        SavedModel demo = SavedModel.parseFrom(Files.readAllBytes(mlp.resolve("saved_model.pb")));
        List<Hostile> list = new ArrayList<>();
        list.add(savedModel("ReadFile in the graph", mlp, addNodes(demo,
                stringConst("secret_path", "/etc/passwd"),
                NodeDef.newBuilder().setName("leak").setOp("ReadFile").addInput("secret_path").build()),
                List.of("ReadFile", "leak")));
        list.add(savedModel("WriteFile in the graph", mlp, addNodes(demo,
                stringConst("target", "/tmp/owned"),
                NodeDef.newBuilder().setName("drop").setOp("WriteFile").addInput("target").addInput("target").build()),
                List.of("WriteFile", "drop")));
        list.add(savedModel("PyFunc in the graph", mlp, addNodes(demo,
                NodeDef.newBuilder().setName("py").setOp("PyFunc")
                        .putAttr("token", AttrValue.newBuilder().setS(ByteString.copyFromUtf8("pyfunc_0")).build())
                        .build()),
                List.of("PyFunc", "py")));
        list.add(savedModel("an op nobody allowed", mlp, addNodes(demo,
                NodeDef.newBuilder().setName("mystery").setOp("ExfiltrateEverything").build()),
                List.of("ExfiltrateEverything", "mystery")));
        list.add(savedModel("a signature naming a missing tensor", mlp, withServingOutput(demo, "no_such_node:0"),
                List.of("no_such_node")));
        byte[] pb = Files.readAllBytes(mlp.resolve("saved_model.pb"));
        list.add(savedModel("truncated saved_model.pb", mlp, Arrays.copyOf(pb, pb.length / 3), List.of("saved_model.pb")));
        return list;
    }

    /** Well-formed archives holding ONNX models that ONNX Runtime must never load. */
    private static List<Hostile> onnxGraphs() throws IOException {
        List<Hostile> list = new ArrayList<>();
        OnnxGraphBuilder custom = relu();
        custom.node("StealKeys", List.of("output"), List.of("stolen")).name("thief").domain("com.evil.ops");
        list.add(onnx("a custom-domain op", new OnnxModelBuilder().opset("", 13).opset("com.evil.ops", 1).graph(custom),
                List.of("com.evil.ops")));
        list.add(onnx("a model-local function", new OnnxModelBuilder().opset("", 13).graph(relu())
                .function("local.fn", "Backdoor"), List.of("Backdoor")));
        OnnxGraphBuilder unknown = relu();
        unknown.node("ExfiltrateEverything", List.of("output"), List.of("gone")).name("mystery");
        list.add(onnx("an op nobody allowed", model(unknown), List.of("ExfiltrateEverything", "mystery")));
        OnnxGraphBuilder external = relu().initializer(OnnxTensorValue.external("weights", OnnxElementType.FLOAT,
                new long[] {3}, "../../../etc/passwd"));
        list.add(onnx("external data outside the artifact", model(external), List.of("weights", "../../../etc/passwd")));
        OnnxGraphBuilder dangling = relu().output("phantom", OnnxElementType.FLOAT, -1, 3);
        list.add(onnx("an output nothing produces", model(dangling), List.of("phantom")));
        byte[] demo = DemoModels.onnxBytes(DemoModels.Kind.MLP);
        list.add(onnxFile("truncated model.onnx", Arrays.copyOf(demo, demo.length / 2), List.of("model.onnx")));
        list.add(onnxFile("random bytes as model.onnx", new java.util.SplittableRandom(5).ints(4096, 0, 256)
                .collect(ByteArrayOutputStream::new, ByteArrayOutputStream::write, (a, b) -> a.writeBytes(b.toByteArray()))
                .toByteArray(), List.of("model.onnx")));
        return list;
    }

    /** Artifacts that do not match what the upload declares about them. */
    private static List<Hostile> mismatches() throws IOException {
        Path onnxMlp = DemoModels.ensureExported(demos, DemoModels.Kind.MLP, DemoModels.Format.ONNX);
        Path tfMlp = DemoModels.ensureExported(demos, DemoModels.Kind.MLP);
        List<Hostile> list = new ArrayList<>();
        list.add(new Hostile("an ONNX model declared a SavedModel", ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL,
                digestOf(onnxMlp), zipOf(onnxMlp), List.of("wrong format", "model.onnx")));
        list.add(new Hostile("a SavedModel declared ONNX", ModelFormat.MODEL_FORMAT_ONNX, digestOf(tfMlp), zipOf(tfMlp),
                List.of("wrong format", "saved_model.pb")));
        list.add(new Hostile("input limits for an input the model does not have",
                ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL, digestOf(tfMlp), zipOf(tfMlp),
                List.of("pixels", "input"), b -> b.addInputLimits(InputLimit.newBuilder().setName("pixels")
                        .addAllMaxShape(List.of(8L, 64L)))));
        list.add(new Hostile("input limits of the wrong rank", ModelFormat.MODEL_FORMAT_ONNX, digestOf(onnxMlp),
                zipOf(onnxMlp), List.of("input", "rank"), b -> b.addInputLimits(InputLimit.newBuilder()
                        .setName("input").addAllMaxShape(List.of(8L, 64L, 1L)))));
        return list;
    }

    // ---- building artifacts ----

    /** input [-1,3] FLOAT → Relu → output: a harmless graph to add hostile parts to. */
    private static OnnxGraphBuilder relu() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("relu")
                .input("input", OnnxElementType.FLOAT, -1, 3)
                .output("output", OnnxElementType.FLOAT, -1, 3);
        g.node("Relu", List.of("input"), List.of("output")).name("relu");
        return g;
    }

    private static OnnxModelBuilder model(OnnxGraphBuilder graph) {
        return new OnnxModelBuilder().opset("", 13).graph(graph);
    }

    private static Hostile onnx(String label, OnnxModelBuilder model, List<String> expect) throws IOException {
        return onnxFile(label, model.toBytes(), expect);
    }

    /** A directory holding {@code bytes} as model.onnx, zipped, with its true digest. */
    private static Hostile onnxFile(String label, byte[] bytes, List<String> expect) throws IOException {
        Path dir = Files.createTempDirectory(workDir, label.replaceAll("[^a-z0-9]+", "-") + "-");
        Files.write(dir.resolve("model.onnx"), bytes);
        return new Hostile(label, ModelFormat.MODEL_FORMAT_ONNX, digestOf(dir), zipOf(dir), expect);
    }


    private static Hostile savedModel(String label, Path demoDir, SavedModel model, List<String> expect) throws IOException {
        return savedModel(label, demoDir, model.toByteArray(), expect);
    }

    /** A copy of {@code demoDir} whose saved_model.pb is {@code pb}, zipped, with its true digest. */
    private static Hostile savedModel(String label, Path demoDir, byte[] pb, List<String> expect) throws IOException {
        Path dir = copyOf(demoDir, label);
        Files.write(dir.resolve("saved_model.pb"), pb);
        return new Hostile(label, ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL, digestOf(dir), zipOf(dir), expect);
    }

    private static SavedModel addNodes(SavedModel model, NodeDef... nodes) {
        SavedModel.Builder b = model.toBuilder();
        MetaGraphDef.Builder meta = b.getMetaGraphsBuilder(0);
        for (NodeDef n : nodes) {
            meta.getGraphDefBuilder().addNode(n);
        }
        return b.build();
    }

    private static SavedModel withServingOutput(SavedModel model, String tensor) {
        SavedModel.Builder b = model.toBuilder();
        MetaGraphDef.Builder meta = b.getMetaGraphsBuilder(0);
        SignatureDef serving = meta.getSignatureDefOrThrow("serving_default");
        SignatureDef.Builder changed = serving.toBuilder();
        for (String key : serving.getOutputsMap().keySet()) {
            changed.putOutputs(key, TensorInfo.newBuilder(serving.getOutputsOrThrow(key)).setName(tensor).build());
        }
        meta.putSignatureDef("serving_default", changed.build());
        return b.build();
    }

    private static NodeDef stringConst(String name, String value) {
        return NodeDef.newBuilder().setName(name).setOp("Const")
                .putAttr("dtype", AttrValue.newBuilder().setType(org.tensorflow.proto.DataType.DT_STRING).build())
                .putAttr("value", AttrValue.newBuilder().setTensor(org.tensorflow.proto.TensorProto.newBuilder()
                        .setDtype(org.tensorflow.proto.DataType.DT_STRING)
                        .addStringVal(ByteString.copyFromUtf8(value))).build())
                .build();
    }

    private static Path copyOf(Path dir, String label) throws IOException {
        Path copy = Files.createTempDirectory(workDir, label.replaceAll("[^a-z0-9]+", "-") + "-");
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                Path target = copy.resolve(dir.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return copy;
    }

    static byte[] zipOf(Path dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelStore.zip(dir, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String digestOf(Path dir) {
        ModelDigest d = ArtifactManifest.scan(dir).digest();
        return d.toString();
    }

    /** One deflated entry of {@code bytes} zeros: a few tens of KiB that inflate past the node's limit. */
    private static byte[] deflateBomb(long bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(9);
            zip.putNextEntry(new ZipEntry("saved_model.pb"));
            byte[] zeros = new byte[1 << 20];
            for (long written = 0; written < bytes; written += zeros.length) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    /**
     * A stored (uncompressed) zip written byte by byte, so that entries can carry what
     * {@link ZipOutputStream} cannot write: Unix file types (a symbolic link) in the external
     * attributes.
     */
    static final class StoredZip {
        record Entry(String name, byte[] data, int unixMode) {}

        static Entry file(String name, byte[] data) {
            return new Entry(name, data, 0100644);
        }

        /** A symbolic link entry whose content is the link target, as Info-ZIP stores it. */
        static Entry link(String name, String target) {
            return new Entry(name, target.getBytes(StandardCharsets.UTF_8), 0120777);
        }

        static byte[] of(Entry... entries) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream central = new ByteArrayOutputStream();
            for (Entry e : entries) {
                byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
                CRC32 crc = new CRC32();
                crc.update(e.data());
                int offset = out.size();
                out.writeBytes(le(30).putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0)
                        .putShort((short) 0).putShort((short) 0x21).putInt((int) crc.getValue())
                        .putInt(e.data().length).putInt(e.data().length).putShort((short) name.length)
                        .putShort((short) 0).array());
                out.writeBytes(name);
                out.writeBytes(e.data());
                central.writeBytes(le(46).putInt(0x02014b50).putShort((short) (3 << 8 | 20)).putShort((short) 20)
                        .putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0x21)
                        .putInt((int) crc.getValue()).putInt(e.data().length).putInt(e.data().length)
                        .putShort((short) name.length).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                        .putShort((short) 0).putInt(e.unixMode() << 16).putInt(offset).array());
                central.writeBytes(name);
            }
            int cdOffset = out.size();
            out.writeBytes(central.toByteArray());
            out.writeBytes(le(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                    .putShort((short) entries.length).putShort((short) entries.length).putInt(central.size())
                    .putInt(cdOffset).putShort((short) 0).array());
            return out.toByteArray();
        }

        /**
         * One stored entry whose bytes {@code copies} central-directory records all point at: the
         * non-recursive zip bomb, in which every name inflates the same data again.
         */
        static byte[] overlapping(String name, byte[] data, int copies) {
            byte[] one = of(file(name, data));
            ByteBuffer eocd = ByteBuffer.wrap(one, one.length - 22, 22).order(ByteOrder.LITTLE_ENDIAN);
            int cdOffset = eocd.getInt(one.length - 22 + 16);
            int cdSize = eocd.getInt(one.length - 22 + 12);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(one, 0, cdOffset);
            ByteArrayOutputStream central = new ByteArrayOutputStream();
            for (int i = 0; i < copies; i++) {
                byte[] record = Arrays.copyOfRange(one, cdOffset, cdOffset + cdSize);
                byte[] renamed = (name.length() > 4 ? name.substring(0, name.length() - 4) : name)
                        .concat(String.format("%04d", i % 10_000)).getBytes(StandardCharsets.UTF_8);
                ByteBuffer header = ByteBuffer.wrap(record, 0, 46).order(ByteOrder.LITTLE_ENDIAN);
                header.putShort(28, (short) renamed.length);
                central.write(record, 0, 46);
                central.writeBytes(renamed);
            }
            out.writeBytes(central.toByteArray());
            out.writeBytes(le(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                    .putShort((short) copies).putShort((short) copies).putInt(central.size())
                    .putInt(cdOffset).putShort((short) 0).array());
            return out.toByteArray();
        }

        private static ByteBuffer le(int size) {
            return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
