package io.verdict.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.verdict.api.kserve.GRPCInferenceServiceClient;
import io.verdict.api.v1.DType;
import io.verdict.api.v1.PublishModelHeader;
import io.verdict.api.v1.PublishModelRequest;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.VerdictServiceClient;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Tensor;
import io.verdict.inference.tensorflow.TensorFlowEngine;
import io.verdict.verification.receipt.Receipt;
import io.verdict.verification.receipt.ReceiptCodec;
import io.verdict.verification.receipt.ReceiptVerifier;
import io.verdict.verification.receipt.VerificationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.grpc.GrpcClientSettings;

/**
 * What the node integration tests share: the configuration of an in-process test node (temporary
 * data directory, free ports, light keystores), gRPC clients on their own actor system (as a
 * separate client process would have), and checks that every test makes the same way.
 */
final class TestNodes {

    /** Deadline of every client call; jobs in these tests finish in well under a second. */
    static final Duration CALL_DEADLINE = Duration.ofSeconds(30);

    private TestNodes() {}

    /**
     * The node's configuration: the node's own application.conf with the test's settings on top
     * ({@code hocon}, e.g. {@code verdict.validators.count = 4}), a given data directory, any free
     * gRPC and cluster port on loopback, and light keystores.
     */
    static Config config(Path dataDir, String hocon) {
        Config overrides = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.parseMap(Map.of(
                "verdict.data-dir", dataDir.toString(),
                "verdict.grpc.host", "127.0.0.1",
                "verdict.grpc.port", 0,
                "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                "pekko.remote.artery.canonical.port", 0,
                "verdict.validators.keystore-strength", "LIGHT")));
        return NodeConfig.load(overrides);
    }

    /** The Verdict and KServe clients of one node, on an actor system of the test (not the node's). */
    record Clients(VerdictServiceClient verdict, GRPCInferenceServiceClient inference) {

        static Clients connect(ActorSystem<Void> clientSystem, VerdictNode node) {
            return connect(clientSystem, node.grpcPort());
        }

        static Clients connect(ActorSystem<Void> clientSystem, int grpcPort) {
            GrpcClientSettings settings = GrpcClientSettings
                    .connectToServiceAt("127.0.0.1", grpcPort, clientSystem)
                    .withTls(false)
                    .withDeadline(CALL_DEADLINE);
            return new Clients(VerdictServiceClient.create(settings, clientSystem),
                    GRPCInferenceServiceClient.create(settings, clientSystem));
        }

        void close() {
            await(verdict.close());
            await(inference.close());
        }
    }

    /** A plain local actor system for gRPC clients: no cluster, no ports of its own. */
    static ActorSystem<Void> clientSystem() {
        Config config = ConfigFactory.parseString("""
                pekko.actor.provider = local
                pekko.loglevel = WARNING
                pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
                pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
                pekko.coordinated-shutdown.exit-jvm = off
                """).withFallback(ConfigFactory.defaultReference());
        return ActorSystem.create(Behaviors.empty(), "verdict-test-client", config);
    }

    static void terminate(ActorSystem<Void> system) {
        if (system != null) {
            system.terminate();
            await(system.getWhenTerminated());
        }
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError("call failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Asserts that {@code call} fails with {@code code} and a description that contains every one of
     * {@code fragments} (case-insensitive); returns the status for further checks.
     */
    static Status assertRefused(CompletionStage<?> call, Status.Code code, String... fragments) {
        Object value;
        try {
            value = call.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof StatusRuntimeException s)) {
                throw new AssertionError("expected a gRPC status " + code + ", got " + e.getCause(), e.getCause());
            }
            Status status = s.getStatus();
            assertThat(status.getCode()).as("status code (description: %s)", status.getDescription())
                    .isEqualTo(code);
            assertThat(status.getDescription()).as("description of %s", code).isNotBlank();
            for (String fragment : fragments) {
                assertThat(status.getDescription()).as("description of %s", code).containsIgnoringCase(fragment);
            }
            return status;
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within 60 s (expected " + code + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return fail("expected " + code + " but the call succeeded with " + value);
    }

    /** Waits (polling) until {@code condition} holds. */
    static void awaitCondition(String what, Duration max, BooleanSupplier condition) {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out after " + max + " waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    // ---- anchoring ----

    /** The devnet's owner key (also its authorised anchorer), 0x-hex, as its devnet.json gives it. */
    static String devnetOwnerKey(io.verdict.chain.devnet.Devnet devnet) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(devnet.workDir().resolve("devnet.json").toFile()).get("ownerKey").asText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the devnet's devnet.json", e);
        }
    }

    /**
     * The environment that makes a child node anchor to {@code devnet} with its owner key, plus
     * {@code settings} (other {@code VERDICT_ANCHOR_*} variables).
     */
    static Map<String, String> anchoringEnvironment(io.verdict.chain.devnet.Devnet devnet, Map<String, String> settings) {
        Map<String, String> env = new java.util.LinkedHashMap<>(Map.of(
                "VERDICT_ANCHOR", "true",
                "VERDICT_ANCHOR_RPC_URL", devnet.rpcUrl(),
                "VERDICT_CHAIN_ID", Long.toString(devnet.chainId()),
                "VERDICT_ANCHOR_CONTRACT", devnet.contract().toString(),
                "VERDICT_ANCHOR_KEY", devnetOwnerKey(devnet)));
        env.putAll(settings);
        return Map.copyOf(env);
    }

    // ---- requests ----

    /** Our tensor as the Verdict API's tensor (same canonical little-endian layout). */
    static io.verdict.api.v1.Tensor apiTensor(String name, Tensor t) {
        return io.verdict.api.v1.Tensor.newBuilder()
                .setName(name)
                .setDtype(switch (t.dtype()) {
                    case FLOAT32 -> DType.DTYPE_FLOAT32;
                    case FLOAT64 -> DType.DTYPE_FLOAT64;
                    case INT32 -> DType.DTYPE_INT32;
                    case INT64 -> DType.DTYPE_INT64;
                    case BOOL -> DType.DTYPE_BOOL;
                })
                .addAllShape(Arrays.stream(t.shape().dims()).boxed().toList())
                .setData(ByteString.copyFrom(t.data()))
                .build();
    }

    static SubmitRequest submit(String model, NamedTensors inputs) {
        SubmitRequest.Builder b = SubmitRequest.newBuilder().setModel(model);
        inputs.asMap().forEach((name, t) -> b.addInputs(apiTensor(name, t)));
        return b.build();
    }

    /** A PublishModel stream: the header, then {@code bytes} in 64 KiB chunks. */
    static List<PublishModelRequest> upload(PublishModelHeader header, byte[] bytes) {
        List<PublishModelRequest> parts = new ArrayList<>();
        parts.add(PublishModelRequest.newBuilder().setHeader(header).build());
        for (int offset = 0; offset < bytes.length; offset += 64 * 1024) {
            int size = Math.min(64 * 1024, bytes.length - offset);
            parts.add(PublishModelRequest.newBuilder().setChunk(ByteString.copyFrom(bytes, offset, size)).build());
        }
        return parts;
    }

    // ---- checks ----

    /** Verifies the receipt offline and returns it; fails with the verifier's report otherwise. */
    static Receipt verifiedReceipt(String json) {
        assertThat(json).as("receipt").isNotBlank();
        Receipt receipt = ReceiptCodec.fromJson(json);
        VerificationReport report = ReceiptVerifier.verify(receipt);
        assertThat(report.failures()).as("offline verification of the receipt: %s", report).isEmpty();
        return receipt;
    }

    /** The outputs of running the SavedModel in {@code dir} directly, outside the node. */
    static NamedTensors directRun(Path dir, NamedTensors inputs) {
        try (LoadedModel model = new TensorFlowEngine().load(dir, ArtifactManifest.scan(dir))) {
            return model.run(inputs);
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory left behind is harmless; the build's clean removes target/
        }
    }

    /** A fresh temporary directory under the module's target/ folder. */
    static Path tempDir(String prefix) {
        try {
            Path root = Path.of("target", "it-data").toAbsolutePath();
            Files.createDirectories(root);
            return Files.createTempDirectory(root, prefix);
        } catch (IOException e) {
            throw new AssertionError("cannot create a temporary directory", e);
        }
    }
}
