package io.verdict.node;

import static io.verdict.node.TestNodes.await;
import static io.verdict.node.TestNodes.directRun;
import static io.verdict.node.TestNodes.verifiedReceipt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.verdict.api.v1.GetReceiptRequest;
import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.tensor.CanonicalEncoding;
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import io.verdict.verification.receipt.Receipt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that shares no code with us: a Node.js script on {@code @grpc/grpc-js} and
 * {@code @grpc/proto-loader}, loading the KServe V2 proto from the api module, calls a real node
 * over the Open Inference Protocol. The answers it prints are checked here, and the job it ran is
 * looked up through Verdict's own API and verified offline.
 */
class KServeNodeClientIT {

    private static final Path JS_DIR = Path.of("src", "test", "js");
    private static final String SCRIPT = "kserve-node-client.mjs";
    private static final Path KSERVE_PROTO = Path.of("api", "src", "main", "proto", "kserve", "grpc_predict_v2.proto");

    private static Path dataDir;
    private static ActorSystem<Void> clientSystem;
    private static VerdictNode node;
    private static TestNodes.Clients clients;

    @BeforeAll
    static void startNode() throws Exception {
        dataDir = TestNodes.tempDir("kserve-");
        clientSystem = TestNodes.clientSystem();
        node = VerdictNode.start(TestNodes.config(dataDir, "verdict.validators.count = 3"));
        clients = TestNodes.Clients.connect(clientSystem, node);
    }

    @AfterAll
    static void stopNode() {
        if (clients != null) {
            clients.close();
        }
        if (node != null) {
            node.stop();
        }
        TestNodes.terminate(clientSystem);
        TestNodes.deleteRecursively(dataDir);
    }

    @Test
    void aGrpcJsClientRunsAVerifiedJobOverTheOpenInferenceProtocol() {
        JsonNode out = runNodeClient(node.grpcPort());

        assertThat(out.path("live").asBoolean()).as("ServerLive: %s", out.path("live")).isTrue();
        assertThat(out.path("ready").asBoolean()).as("ServerReady: %s", out.path("ready")).isTrue();
        assertThat(out.path("model_ready").asBoolean()).as("ModelReady mlp: %s", out.path("model_ready")).isTrue();
        assertThat(out.path("unknown_model_ready").isBoolean()).isTrue();
        assertThat(out.path("unknown_model_ready").asBoolean()).isFalse();

        JsonNode metadata = out.path("metadata");
        assertThat(metadata.path("name").asText()).as("ModelMetadata: %s", metadata).isEqualTo("mlp");
        assertThat(texts(metadata.path("versions"))).containsExactly("1");
        assertThat(metadata.path("inputs")).singleElement().satisfies(t -> {
            assertThat(t.path("name").asText()).isEqualTo(DemoModels.INPUT);
            assertThat(t.path("datatype").asText()).isEqualTo("FP32");
            assertThat(longs(t.path("shape"))).containsExactly(-1L, 64L);
        });
        assertThat(metadata.path("outputs")).singleElement().satisfies(t -> {
            assertThat(t.path("name").asText()).isEqualTo(DemoModels.OUTPUT);
            assertThat(t.path("datatype").asText()).isEqualTo("FP32");
            assertThat(longs(t.path("shape"))).containsExactly(-1L, 10L);
        });

        JsonNode infer = out.path("infer");
        assertThat(infer.has("error")).as("ModelInfer: %s", infer).isFalse();
        assertThat(infer.path("model_name").asText()).isEqualTo("mlp");
        assertThat(infer.path("model_version").asText()).isEqualTo("1");
        assertThat(infer.path("id").asText()).isEqualTo("grpc-js-1");
        assertThat(infer.path("outputs")).singleElement().satisfies(t -> {
            assertThat(t.path("name").asText()).isEqualTo(DemoModels.OUTPUT);
            assertThat(t.path("datatype").asText()).isEqualTo("FP32");
            assertThat(longs(t.path("shape"))).containsExactly(2L, 10L);
        });
        List<String> raw = texts(infer.path("raw_output_hex"));
        assertThat(raw).hasSize(1);
        byte[] outputBytes = HexFormat.of().parseHex(raw.get(0));
        assertThat(outputBytes).hasSize(80);
        JsonNode parameters = infer.path("parameters");
        assertThat(parameters.path("verdict_outcome").asText()).isEqualTo("AGREED");
        String jobId = parameters.path("verdict_job_id").asText();
        assertThat(jobId).matches("0x[0-9a-f]{64}");

        // What the Node.js client got is what a quorum signed for its input, and what the model gives.
        NamedTensors inputs = NamedTensors.of(DemoModels.INPUT, new Tensor(DType.FLOAT32, Shape.of(2, 64),
                HexFormat.of().parseHex(out.path("input_hex").asText())));
        String receiptJson = await(clients.verdict().getReceipt(
                GetReceiptRequest.newBuilder().setJobId(jobId).build())).getReceiptJson();
        assertThat(parameters.path("verdict_receipt").asText()).isEqualTo(receiptJson);
        Receipt receipt = verifiedReceipt(receiptJson);
        assertThat(receipt.attestation().inputDigest()).isEqualTo(inputs.digest().toString());
        byte[] signed = Base64.getDecoder().decode(receipt.output());
        assertThat(CanonicalEncoding.decodeNamedTensors(signed).get(DemoModels.OUTPUT).data()).isEqualTo(outputBytes);
        NamedTensors direct = directRun(dataDir.resolve("demo-models").resolve("mlp"), inputs);
        assertThat(signed).isEqualTo(AgreementPolicy.EXACT.canonicalise(direct).bytes());

        JsonNode badShape = out.path("bad_shape").path("error");
        assertThat(badShape.path("code").asInt()).as("bad shape: %s", out.path("bad_shape"))
                .isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(badShape.path("details").asText()).contains("shape", "65");
    }

    /** Runs the Node.js client against {@code port}; fails (never skips) when it cannot. */
    private static JsonNode runNodeClient(int port) {
        if (!Files.isDirectory(JS_DIR.resolve("node_modules"))) {
            return fail("npm packages missing in " + JS_DIR.toAbsolutePath() + ": the Maven build runs 'npm ci' there"
                    + " in generate-test-resources (do not build with -Dnpm.skip when running the tests)");
        }
        Path proto = repositoryRoot().resolve(KSERVE_PROTO);
        Path stderr = null;
        try {
            stderr = Files.createTempFile("kserve-node-client", ".stderr");
            Process process;
            try {
                process = new ProcessBuilder("node", SCRIPT, Integer.toString(port), proto.toString())
                        .directory(JS_DIR.toFile())
                        .redirectError(stderr.toFile())
                        .start();
            } catch (IOException e) {
                return fail("cannot start 'node': Node.js 20 or newer must be on the PATH for this test ("
                        + e.getMessage() + ")");
            }
            process.getOutputStream().close();
            byte[] stdout = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return fail("node " + SCRIPT + " did not finish within 120 s");
            }
            if (process.exitValue() != 0) {
                return fail("node " + SCRIPT + " exited with " + process.exitValue() + ":\n"
                        + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return new ObjectMapper().readTree(stdout);
        } catch (IOException e) {
            return fail("running node " + SCRIPT + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        } finally {
            if (stderr != null) {
                try {
                    Files.deleteIfExists(stderr);
                } catch (IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
    }

    /** The multi-module root: Maven's property when the JVM has it, else the nearest parent holding the api protos. */
    private static Path repositoryRoot() {
        String fromMaven = System.getProperty("maven.multiModuleProjectDirectory");
        if (fromMaven != null && Files.isRegularFile(Path.of(fromMaven).resolve(KSERVE_PROTO))) {
            return Path.of(fromMaven);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(KSERVE_PROTO))) {
                return dir;
            }
        }
        return fail("cannot find " + KSERVE_PROTO + " in " + Path.of("").toAbsolutePath() + " or any parent");
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static List<Long> longs(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asLong).toList();
    }
}
