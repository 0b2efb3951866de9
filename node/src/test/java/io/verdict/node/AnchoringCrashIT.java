package io.verdict.node;

import static io.verdict.node.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.api.v1.AnchorStatusRequest;
import io.verdict.api.v1.AnchorStatusResponse;
import io.verdict.api.v1.GetReceiptRequest;
import io.verdict.api.v1.GetReceiptResponse;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.chain.AnchorChain;
import io.verdict.chain.AnchoredBatch;
import io.verdict.chain.OnChainReceiptCheck;
import io.verdict.chain.Web3AnchorChain;
import io.verdict.chain.devnet.Devnet;
import io.verdict.inference.demo.DemoModels;
import io.verdict.node.anchor.AnchorSettings.CrashPoint;
import io.verdict.verification.receipt.Receipt;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The anchoring protocol across real crashes: a node JVM with anchoring on (to a Hardhat devnet)
 * halts itself ({@code Runtime.halt(86)}, {@code verdict.anchor.crash-at}) right after sealing,
 * signing, sending or confirming its first batch; restarted on the same data directory (H2 journal)
 * without the crash point, it anchors every agreed job exactly once: every receipt verifies offline
 * and on chain, the contract's batches hold exactly the jobs, and the anchorer key sent one anchor
 * transaction per batch — a crash after sending does not send a second one. This needs the journal to
 * keep every event it acknowledged when the process dies (H2's {@code WRITE_DELAY=0}, see
 * verdict-persistence-h2.conf): with H2's default the signed transaction, written just before the
 * halt, was lost, and the restarted node anchored the batch a second time.
 *
 * <p>One devnet serves the class. Each test's node starts from an empty data directory, so its
 * batch ids start at 1 again and its validators are new: on the chain the previous test left, the
 * contract would hold other roots for those ids (and another set for epoch 1), and the service
 * would rightly halt. So each test starts from the chain as deployed, with Hardhat's
 * {@code evm_snapshot} / {@code evm_revert}.
 */
class AnchoringCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int JOBS = 6;
    private static final int MAX_BATCH = 4;
    /** The status {@code Runtime.halt} gives at a crash point (Anchoring.crashIfAsked). */
    private static final int HALTED = 86;
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration EXIT = Duration.ofSeconds(60);
    private static final Duration ANCHORED = Duration.ofSeconds(90);

    private static Path root;
    private static Devnet devnet;
    private static AnchorChain chain;
    private static ActorSystem<Void> clientSystem;
    private static HttpClient http;
    private static String snapshot;

    @BeforeAll
    static void startDevnet() throws Exception {
        root = TestNodes.tempDir("anchoring-crash-");
        devnet = Devnet.start(Devnet.locateContractsDir(), root.resolve("devnet"), Duration.ofMillis(500));
        // the owner key is also the contract's anchorer: the nodes' transactions are the nonces of this client
        chain = new Web3AnchorChain(devnet.settings());
        clientSystem = TestNodes.clientSystem();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1) // no h2c upgrade: Hardhat answers it 400
                .connectTimeout(Duration.ofSeconds(5)).build();
        snapshot = rpc("evm_snapshot").asText();
    }

    @AfterAll
    static void stopDevnet() {
        if (chain != null) {
            chain.close();
        }
        if (devnet != null) {
            devnet.stop();
        }
        TestNodes.terminate(clientSystem);
        if (root == null) {
            return;
        }
        // a failed test leaves its data directory (and node.log) behind: then keep the devnet's log too
        try (var left = Files.list(root)) {
            if (left.allMatch(p -> p.getFileName().toString().equals("devnet"))) {
                TestNodes.deleteRecursively(root);
            }
        } catch (IOException e) {
            // nothing to tidy up
        }
    }

    /** The chain as deployed: no batches, no validator sets, the anchorer's first nonce. */
    @BeforeEach
    void freshChain() throws Exception {
        assertThat(rpc("evm_revert", snapshot).asBoolean()).as("evm_revert to %s", snapshot).isTrue();
        snapshot = rpc("evm_snapshot").asText();
        assertThat(chain.batch(1)).as("batch 1 on the reverted chain").isEmpty();
    }

    @ParameterizedTest(name = "crash {0}")
    @EnumSource(value = CrashPoint.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aNodeHaltedAtEachPointOfTheProtocolAnchorsEveryJobOnceAfterItsRestart(CrashPoint point)
            throws Exception {
        String crashAt = point.name().toLowerCase(Locale.ROOT).replace('_', '-');
        long nonceBefore = chain.pendingNonce();
        Path dataDir = root.resolve(crashAt);
        Map<String, String> anchoring = TestNodes.anchoringEnvironment(devnet, Map.of(
                "VERDICT_ANCHOR_MAX_BATCH", Integer.toString(MAX_BATCH),
                "VERDICT_ANCHOR_MAX_DELAY", "300ms",
                "VERDICT_ANCHOR_CONFIRMATIONS", "1"));
        Map<String, String> crashing = new HashMap<>(anchoring);
        crashing.put("VERDICT_ANCHOR_CRASH_AT", crashAt);
        NodeProcess node = new NodeProcess("node-" + crashAt, dataDir, NodeProcess.freePort(), NodeProcess.freePort(),
                List.of("--validators", "3"), crashing);
        Stopwatch clock = new Stopwatch();
        try {
            // 1-2: jobs agreed on a node that halts at the crash point of its first batch
            node.start(START);
            clock.lap("started");
            List<SubmitRequest> requests = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                requests.add(TestNodes.submit("mlp", DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 9000 + i))
                        .toBuilder().setClientRequestId(crashAt + "-" + i)
                        .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(30)).build());
            }
            Map<String, String> jobIds = new LinkedHashMap<>(); // client request id → job id
            List<SubmitRequest> unanswered = new ArrayList<>();
            TestNodes.Clients clients = TestNodes.Clients.connect(clientSystem, node.grpcPort());
            try {
                List<CompletableFuture<SubmitResponse>> calls = requests.stream()
                        .map(r -> clients.verdict().submit(r).toCompletableFuture()).toList();
                for (int i = 0; i < JOBS; i++) {
                    try {
                        agreed(calls.get(i).get(60, TimeUnit.SECONDS).getJob(), jobIds);
                    } catch (ExecutionException e) {
                        // the first batch can be sealed (and the node halt) before the last answer is sent:
                        // submitted again after the restart, the same request is the same job
                        unanswered.add(requests.get(i));
                    }
                }
            } finally {
                closeQuietly(clients);
            }
            clock.lap("jobs agreed");
            assertThat(jobIds).as("jobs agreed before the crash (a batch needs one)").isNotEmpty();

            // 3: the node halts by itself at the crash point
            int exit = node.awaitExit(EXIT);
            clock.lap("halted");
            assertThat(exit).as("exit status of %s, which should halt %s; its log:%n%s", node.name(), crashAt,
                    NodeProcess.tail(node.currentLaunch())).isEqualTo(HALTED);

            // 4: what the chain holds at the crash: the halt came at the step asked for
            long sentAtCrash = chain.pendingNonce() - nonceBefore;
            boolean firstOnChain = chain.batch(1).isPresent();
            switch (point) {
                case AFTER_SEAL -> {
                    assertThat(sentAtCrash).as("transactions before a crash after sealing").isZero();
                    assertThat(firstOnChain).as("batch 1 on chain after a crash after sealing").isFalse();
                }
                case AFTER_SIGN -> {
                    assertThat(sentAtCrash).as("transactions before a crash after signing (the validator set's "
                            + "registration only)").isEqualTo(1);
                    assertThat(firstOnChain).as("batch 1 on chain after a crash after signing").isFalse();
                }
                case AFTER_SEND, AFTER_CONFIRM -> {
                    assertThat(sentAtCrash).as("transactions before a crash %s (registration, anchor)", crashAt)
                            .isEqualTo(2);
                    assertThat(firstOnChain).as("batch 1 on chain (automined) before a crash %s", crashAt).isTrue();
                }
                default -> throw new IllegalArgumentException("no crash point " + point);
            }

            // 5: restarted on the same data directory without the crash point
            node = node.withEnvironment(anchoring);
            node.start(START);
            clock.lap("restarted");
            TestNodes.Clients again = TestNodes.Clients.connect(clientSystem, node.grpcPort());
            try {
                for (SubmitRequest r : unanswered) {
                    agreed(await(again.verdict().submit(r)).getJob(), jobIds);
                }
                assertThat(jobIds).as("jobs").hasSize(JOBS);
                awaitAnchored(node, crashAt, () -> jobIds.values().stream()
                        .allMatch(id -> receipt(again, id).getAnchored()));
                clock.lap("all anchored");

                // 6: the receipts verify offline; one anchor transaction per batch; each batch on chain
                // holds exactly its jobs; every receipt passes the on-chain checks
                Map<String, Receipt> receipts = new LinkedHashMap<>();
                Map<Long, Integer> perBatch = new TreeMap<>();
                Map<Long, String> roots = new HashMap<>();
                for (String jobId : jobIds.values()) {
                    Receipt r = TestNodes.verifiedReceipt(receipt(again, jobId).getReceiptJson());
                    assertThat(r.merkle()).as("Merkle proof of job %s", jobId).isNotNull();
                    assertThat(r.anchor()).as("anchor of job %s", jobId).isNotNull();
                    assertThat(r.anchor().chainId()).isEqualTo(devnet.chainId());
                    assertThat(r.anchor().contract()).isEqualTo(devnet.contract().toString());
                    assertThat(r.anchor().batchId()).isEqualTo(r.merkle().batchId());
                    perBatch.merge(r.merkle().batchId(), 1, Integer::sum);
                    assertThat(roots.computeIfAbsent(r.merkle().batchId(), b -> r.merkle().root()))
                            .as("root of batch %d in job %s's receipt", r.merkle().batchId(), jobId)
                            .isEqualTo(r.merkle().root());
                    receipts.put(jobId, r);
                }
                int batches = perBatch.size();
                assertThat(perBatch.keySet()).as("batch ids of the receipts")
                        .containsExactlyElementsOf(LongStream.rangeClosed(1, batches).boxed().toList());
                long sent = chain.pendingNonce() - nonceBefore;
                System.out.printf("crash %s: %d job(s) answered before the halt, %d transaction(s) sent before it "
                        + "(batch 1 %s), %d after it; %d batch(es); %s%n", crashAt, JOBS - unanswered.size(), sentAtCrash,
                        firstOnChain ? "on chain" : "not on chain", sent - sentAtCrash, batches, clock);
                assertThat(sent - 1).as("anchor transactions for %d batch(es) after a crash %s (%d transaction(s) in "
                        + "all, one of them the validator set's registration; %d before the crash)", batches, crashAt,
                        sent, sentAtCrash).isEqualTo(batches);
                long onChainResults = 0;
                for (var e : perBatch.entrySet()) {
                    AnchoredBatch b = chain.batch(e.getKey()).orElseThrow();
                    assertThat(b.count()).as("results of batch %d on chain", e.getKey())
                            .isEqualTo(e.getValue().longValue());
                    assertThat(b.root().toHex()).as("root of batch %d on chain", e.getKey())
                            .isEqualTo(roots.get(e.getKey()));
                    onChainResults += b.count();
                }
                assertThat(onChainResults).as("results anchored on chain").isEqualTo(JOBS);
                assertThat(chain.batch(batches + 1)).as("a batch after the last receipt's").isEmpty();
                for (var e : receipts.entrySet()) {
                    List<OnChainReceiptCheck.Check> onChain = OnChainReceiptCheck.run(e.getValue(), chain);
                    assertThat(onChain).as("on-chain checks of job %s", e.getKey()).isNotEmpty()
                            .allMatch(OnChainReceiptCheck.Check::ok);
                }

                AnchorStatusResponse status = await(again.verdict().anchorStatus(
                        AnchorStatusRequest.getDefaultInstance()));
                assertThat(status.getHalted()).as("halted (%s)", status.getLastError()).isFalse();
                assertThat(status.getAnchoredResults()).as("anchored results").isEqualTo(JOBS);
                assertThat(status.getAnchoredBatches()).as("anchored batches").isEqualTo(batches);
                assertThat(status.getSealedBatches()).as("sealed batches").isEqualTo(batches);
                assertThat(status.getLastBatchId()).as("last anchored batch").isEqualTo(batches);
            } finally {
                closeQuietly(again);
            }
        } finally {
            // 7: nothing left running
            node.stop();
        }
        TestNodes.deleteRecursively(dataDir); // kept (with node.log) when the test fails
    }

    /**
     * Polls {@code anchored} every 250 ms (each poll asks the node for the receipts) up to
     * {@link #ANCHORED}; fails at once, with the end of its log, if the node dies meanwhile.
     */
    private static void awaitAnchored(NodeProcess node, String crashAt, BooleanSupplier anchored)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + ANCHORED.toNanos();
        while (!anchored.getAsBoolean()) {
            if (!node.alive()) {
                throw new AssertionError(node.name() + " died after its restart (crash " + crashAt + "):\n"
                        + NodeProcess.tail(node.currentLaunch()));
            }
            assertThat(System.nanoTime()).as("every receipt anchored within %s after the restart (crash %s)",
                    ANCHORED, crashAt).isLessThan(end);
            Thread.sleep(250);
        }
    }

    /** Seconds from one step of a test to the next, for the test's output. */
    private static final class Stopwatch {
        private final StringBuilder laps = new StringBuilder();
        private long last = System.nanoTime();

        void lap(String step) {
            long now = System.nanoTime();
            laps.append(laps.isEmpty() ? "" : ", ").append(step).append(" after ")
                    .append(String.format(Locale.ROOT, "%.1f s", (now - last) / 1e9));
            last = now;
        }

        @Override
        public String toString() {
            return laps.toString();
        }
    }

    private static void agreed(Job job, Map<String, String> jobIds) {
        assertThat(job.getStatus()).as("job %s (%s): %s", job.getJobId(), job.getClientRequestId(),
                job.getFailureReason()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
        jobIds.put(job.getClientRequestId(), job.getJobId());
    }

    private static GetReceiptResponse receipt(TestNodes.Clients clients, String jobId) {
        return await(clients.verdict().getReceipt(GetReceiptRequest.newBuilder().setJobId(jobId).build()));
    }

    private static void closeQuietly(TestNodes.Clients clients) {
        try {
            clients.close();
        } catch (RuntimeException | AssertionError e) {
            // the node may be gone already
        }
    }

    /** A Hardhat JSON-RPC call on the devnet; its result. */
    private static JsonNode rpc(String method, Object... params) throws IOException, InterruptedException {
        ObjectNode call = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 1).put("method", method);
        call.set("params", JSON.valueToTree(params));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(devnet.rpcUrl()))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(call)))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.has("error")).as("%s: %s", method, body).isFalse();
        return body.get("result");
    }
}
