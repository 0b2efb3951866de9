package io.verdict.node;

import static io.verdict.node.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.grpc.Status;
import io.verdict.api.v1.AnchorStatusRequest;
import io.verdict.api.v1.AnchorStatusResponse;
import io.verdict.api.v1.GetJobRequest;
import io.verdict.api.v1.GetReceiptRequest;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ListModelsRequest;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.api.v1.ValidatorInfoRequest;
import io.verdict.api.v1.ValidatorInfoResponse;
import io.verdict.api.v1.ValidatorState;
import io.verdict.api.v1.Vote;
import io.verdict.chain.AnchorChain;
import io.verdict.chain.OnChainReceiptCheck;
import io.verdict.chain.Web3AnchorChain;
import io.verdict.chain.devnet.Devnet;
import io.verdict.inference.demo.DemoModels;
import io.verdict.persistence.journal.LocalCassandra;
import io.verdict.verification.receipt.Receipt;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.grpc.GrpcServiceException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three node JVMs on one real Cassandra, as an operator runs them: committees span the nodes; a
 * node killed with SIGKILL under load loses nothing acknowledged and rejoins; Cassandra stopped
 * under load gives UNAVAILABLE and service comes back with it; a full cluster restart recovers
 * every entity exactly. Every node anchors to one devnet: the anchoring service, a cluster
 * singleton on the Cassandra journal, anchors every agreed job of all of it exactly once, and the
 * receipts hold on chain after the restart. The tests run in order on one cluster and build on
 * each other's jobs.
 *
 * <p>Lines starting with {@code FIGURE} are the measurements docs/BENCHMARKS.md records.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final Duration START = Duration.ofMinutes(3);
    private static final int VALIDATORS_PER_NODE = 3;

    private static LocalCassandra cassandra;
    private static Devnet devnet;
    private static Path root;
    private static final List<NodeProcess> nodes = new ArrayList<>();
    private static ActorSystem<Void> clientSystem;
    private static final Map<Integer, TestNodes.Clients> clients = new HashMap<>();
    /** Every acknowledged job (Submit answered OK) of all tests: job id → output digest when final. */
    private static final Map<String, Job> acknowledged = Collections.synchronizedMap(new LinkedHashMap<>());

    @BeforeAll
    static void startCluster() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        root = TestNodes.tempDir("cluster-it-");
        cassandra = LocalCassandra.start(LocalCassandra.repositoryRoot(), Files.createTempDirectory(target, "cassandra-cluster-it-"));
        // every node anchors to one devnet; the anchoring service runs once, on the oldest node
        devnet = Devnet.start(Devnet.locateContractsDir(), root.resolve("devnet"), Duration.ofMillis(500));
        Map<String, String> anchoring = TestNodes.anchoringEnvironment(devnet, Map.of("VERDICT_ANCHOR_MAX_DELAY", "1s"));
        clientSystem = TestNodes.clientSystem();
        List<Integer> clusterPorts = List.of(NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort());
        String seeds = "127.0.0.1:" + clusterPorts.get(0);
        for (int i = 0; i < 3; i++) {
            nodes.add(new NodeProcess("node-" + (i + 1), root.resolve("node-" + (i + 1)), NodeProcess.freePort(),
                    clusterPorts.get(i), List.of("--cassandra", cassandra.contactPoint(), "--seed-nodes", seeds,
                            "--validators", Integer.toString(VALIDATORS_PER_NODE)), anchoring));
        }
        startAll();
    }

    /** Node 1 first (the first seed forms the cluster and publishes the demo models), then 2 and 3 together. */
    private static void startAll() throws Exception {
        nodes.get(0).start(START);
        nodes.get(1).launch();
        nodes.get(2).launch();
        nodes.get(1).awaitServing(START);
        nodes.get(2).awaitServing(START);
        for (int i = 0; i < nodes.size(); i++) {
            clients.computeIfAbsent(i, n -> TestNodes.Clients.connect(clientSystem, nodes.get(n).grpcPort()));
        }
        for (int i = 0; i < nodes.size(); i++) {
            awaitFullPool(i);
        }
    }

    /** Until node {@code i} sees all nine validators of the cluster live. */
    private static void awaitFullPool(int i) {
        TestNodes.awaitCondition("node-" + (i + 1) + " sees every validator of the cluster live", Duration.ofSeconds(90),
                () -> {
                    try {
                        ValidatorInfoResponse info = await(clients.get(i).verdict()
                                .validatorInfo(ValidatorInfoRequest.getDefaultInstance()));
                        return info.getClusterValidatorsList().stream()
                                .filter(v -> v.getState() == ValidatorState.VALIDATOR_STATE_ACTIVE)
                                .count() == 3L * VALIDATORS_PER_NODE;
                    } catch (RuntimeException e) {
                        return false;
                    }
                });
    }

    @AfterAll
    static void stopCluster() throws Exception {
        clients.values().forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // the node may be gone already
            }
        });
        for (NodeProcess n : nodes) {
            n.stop();
        }
        TestNodes.terminate(clientSystem);
        if (cassandra != null) {
            cassandra.close();
        }
        if (devnet != null) {
            devnet.stop();
        }
        // The nodes' logs stay under target/it-data for a look after a failure; the data is small.
    }

    // ---- tests ----

    @Test
    @Order(1)
    void committeesSpanThreeNodesAndEveryReceiptVerifies() {
        Map<String, String> nodeOf = validatorNodes(0);
        assertThat(new HashSet<>(nodeOf.values())).containsExactlyInAnyOrderElementsOf(
                nodes.stream().map(NodeProcess::clusterAddress).toList());
        for (int i = 0; i < nodes.size(); i++) {
            ValidatorInfoResponse info = await(clients.get(i).verdict().validatorInfo(ValidatorInfoRequest.getDefaultInstance()));
            String self = nodes.get(i).clusterAddress();
            assertThat(info.getValidatorsList()).as("node-%d's own validators", i + 1).hasSize(VALIDATORS_PER_NODE)
                    .allSatisfy(v -> assertThat(v.getNode()).isEqualTo(self));
        }
        Set<String> votingNodes = new HashSet<>();
        for (int n = 0; n < 12; n++) {
            SubmitResponse response = await(clients.get(n % 3).verdict().submit(request("spread-" + n, n, 30)));
            Job job = response.getJob();
            assertThat(job.getStatus()).as("job %d via node-%d: %s", n, n % 3 + 1, job.getFailureReason())
                    .isEqualTo(JobStatus.JOB_STATUS_AGREED);
            TestNodes.verifiedReceipt(job.getReceiptJson());
            List<String> voters = job.getVerdict().getVotesList().stream().map(Vote::getValidator).toList();
            List<String> voterNodes = voters.stream().map(nodeOf::get).toList();
            assertThat(new HashSet<>(voterNodes)).as("the nodes of job %d's voters %s", n, voters)
                    .hasSize(voters.size());
            votingNodes.addAll(voterNodes);
            acknowledged.put(job.getJobId(), job);
        }
        assertThat(votingNodes).as("nodes whose validators voted").hasSize(3);

        // The ONNX demo model too: every node fetches it from the shared store and runs it on ONNX Runtime.
        for (int n = 0; n < 3; n++) {
            SubmitRequest onnx = TestNodes.submit("mlp-onnx", DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 700 + n))
                    .toBuilder().setR(3).setQ(3).setClientRequestId("onnx-" + n).build();
            Job job = await(clients.get(n).verdict().submit(onnx)).getJob();
            assertThat(job.getStatus()).as("ONNX job via node-%d: %s", n + 1, job.getFailureReason())
                    .isEqualTo(JobStatus.JOB_STATUS_AGREED);
            TestNodes.verifiedReceipt(job.getReceiptJson());
            assertThat(job.getVerdict().getVotesList().stream().map(v -> nodeOf.get(v.getValidator())).distinct())
                    .as("an ONNX job's three signers are on three nodes").hasSize(3);
            acknowledged.put(job.getJobId(), job);
        }
    }

    @Test
    @Order(2)
    void aNodeKilledUnderLoadLosesNothingAndRejoins() throws Exception {
        NodeProcess victim = nodes.get(2);
        Load load = new Load("kill", List.of(0, 1, 2));
        load.start(4);
        Thread.sleep(6_000);
        long killedAt = System.currentTimeMillis();
        victim.kill();
        System.out.println("killed " + victim.name() + " (SIGKILL) at " + killedAt);
        Thread.sleep(15_000);
        load.stop();

        assertThat(load.acknowledged).as("jobs acknowledged during the run").isNotEmpty();
        assertThat(load.codes()).as("error codes seen by clients").doesNotContainKey(Status.Code.INTERNAL);
        assertThat(load.codes().keySet()).as("error codes seen by clients")
                .isSubsetOf(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);

        // Every acknowledged job is final, agreed, and its receipt verifies; the result never changed.
        for (Job ack : load.acknowledged) {
            Job fin = awaitFinal(0, ack.getJobId(), Duration.ofSeconds(90));
            assertThat(fin.getStatus()).as("acknowledged job %s: %s", ack.getJobId(), fin.getFailureReason())
                    .isEqualTo(JobStatus.JOB_STATUS_AGREED);
            if (!ack.getOutputDigest().isEmpty()) {
                assertThat(fin.getOutputDigest()).isEqualTo(ack.getOutputDigest());
            }
            TestNodes.verifiedReceipt(fin.getReceiptJson());
            acknowledged.put(fin.getJobId(), fin);
        }
        // Requests that failed (their node died, or the wait ran out) are completed by the survivors:
        // submitting the same request again joins the same job, which is final.
        long lastFinishedAfterKill = 0;
        for (SubmitRequest lost : load.failedRequests()) {
            Job fin = await(clients.get(0).verdict().submit(lost.toBuilder()
                    .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(60)).build())).getJob();
            assertThat(fin.getStatus()).as("request %s: %s", lost.getClientRequestId(), fin.getFailureReason())
                    .isIn(JobStatus.JOB_STATUS_AGREED, JobStatus.JOB_STATUS_FAILED);
            if (fin.getStatus() == JobStatus.JOB_STATUS_FAILED) {
                assertThat(fin.getFailureReason()).isNotBlank();
            } else {
                TestNodes.verifiedReceipt(fin.getReceiptJson());
            }
            long accepted = millis(fin.getAcceptedAt());
            long finished = millis(fin.getFinishedAt());
            if (accepted < killedAt && finished > killedAt) {
                lastFinishedAfterKill = Math.max(lastFinishedAfterKill, finished);
            }
        }
        for (Job ack : load.acknowledged) {
            Job fin = acknowledged.get(ack.getJobId());
            if (millis(fin.getAcceptedAt()) < killedAt && millis(fin.getFinishedAt()) > killedAt) {
                lastFinishedAfterKill = Math.max(lastFinishedAfterKill, millis(fin.getFinishedAt()));
            }
        }
        System.out.printf("FIGURE kill: %d acknowledged, %d failed calls %s; last job in flight at the kill finished "
                        + "%d ms after it%n", load.acknowledged.size(), load.failures.size(), load.codes(),
                lastFinishedAfterKill == 0 ? -1 : lastFinishedAfterKill - killedAt);

        assertSingleFinalEvent(acknowledged.keySet());

        // The killed node rejoins on its old ports and data, and serves again.
        victim.start(START);
        awaitFullPool(2);
        Job job = await(clients.get(2).verdict().submit(request("after-rejoin", 7_000, 30))).getJob();
        assertThat(job.getStatus()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
        TestNodes.verifiedReceipt(job.getReceiptJson());
        acknowledged.put(job.getJobId(), job);
    }

    @Test
    @Order(3)
    void cassandraDownGivesUnavailableAndServiceResumes() throws Exception {
        Load load = new Load("cassandra", List.of(0, 1, 2));
        load.start(4);
        Thread.sleep(3_000);
        cassandra.stop();
        long down = System.currentTimeMillis();
        System.out.println("Cassandra stopped at " + down);
        Thread.sleep(15_000);
        long restarting = System.currentTimeMillis();
        cassandra.restart();
        long up = System.currentTimeMillis();
        System.out.println("Cassandra back at " + up);
        TestNodes.awaitCondition("a job succeeds after Cassandra is back", Duration.ofSeconds(120),
                () -> load.acknowledged.stream().anyMatch(j -> j.getStatus() == JobStatus.JOB_STATUS_AGREED
                        && millis(j.getAcceptedAt()) > up));
        load.stop();

        List<Failure> duringOutage = load.failures.stream()
                .filter(f -> f.at() > down + 3_000 && f.at() < restarting).toList();
        assertThat(duringOutage).as("calls refused while Cassandra was down").isNotEmpty();
        assertThat(duringOutage).as("while Cassandra is down every refusal is UNAVAILABLE")
                .allSatisfy(f -> assertThat(f.code()).as(f.description()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(load.codes()).as("error codes seen by clients").doesNotContainKey(Status.Code.INTERNAL);
        long firstAgreedAfter = load.acknowledged.stream().filter(j -> j.getStatus() == JobStatus.JOB_STATUS_AGREED)
                .mapToLong(j -> millis(j.getAcceptedAt())).filter(t -> t > up).min().orElse(-1);
        System.out.printf("FIGURE cassandra outage: %d refusals while down (%s); first job agreed %d ms after "
                + "Cassandra answered again%n", duringOutage.size(), load.codes(), firstAgreedAfter - up);

        for (Job ack : load.acknowledged) {
            Job fin = awaitFinal(0, ack.getJobId(), Duration.ofSeconds(90));
            assertThat(fin.getStatus()).as("acknowledged job %s: %s", ack.getJobId(), fin.getFailureReason())
                    .isEqualTo(JobStatus.JOB_STATUS_AGREED);
            TestNodes.verifiedReceipt(fin.getReceiptJson());
            acknowledged.put(fin.getJobId(), fin);
        }
        assertSingleFinalEvent(acknowledged.keySet());
    }

    @Test
    @Order(4)
    void aFullClusterRestartRecoversEveryEntityExactly() throws Exception {
        Map<String, Job> before = new LinkedHashMap<>();
        for (String id : acknowledged.keySet()) {
            before.put(id, awaitFinal(1, id, Duration.ofSeconds(60)));
        }
        // the anchoring service (through the node kill and the Cassandra outage) anchors every agreed job
        List<String> agreed = before.values().stream().filter(j -> j.getStatus() == JobStatus.JOB_STATUS_AGREED)
                .map(Job::getJobId).toList();
        long anchoringStarted = System.currentTimeMillis();
        TestNodes.awaitCondition("every agreed job anchored", Duration.ofSeconds(120), () -> agreed.stream()
                .allMatch(id -> await(clients.get(2).verdict().getReceipt(GetReceiptRequest.newBuilder()
                        .setJobId(id).build())).getAnchored()));
        System.out.printf("FIGURE anchoring: %d agreed jobs anchored %d ms after the last one was final%n",
                agreed.size(), System.currentTimeMillis() - anchoringStarted);
        for (String id : acknowledged.keySet()) {
            before.put(id, awaitFinal(1, id, Duration.ofSeconds(60)));
        }
        // every agreed job of the journal (acknowledged or not: some calls failed after their job started)
        long agreedInJournal = agreedJobsInJournal();
        TestNodes.awaitCondition("every agreed job of the journal anchored", Duration.ofSeconds(60), () ->
                await(clients.get(1).verdict().anchorStatus(AnchorStatusRequest.getDefaultInstance()))
                        .getAnchoredResults() == agreedInJournal);
        AnchorStatusResponse anchorBefore = await(clients.get(1).verdict()
                .anchorStatus(AnchorStatusRequest.getDefaultInstance()));
        assertThat(anchorBefore.getHalted()).isFalse();
        assertThat(anchorBefore.getOpenBatches()).isZero();
        ValidatorInfoResponse infoBefore = await(clients.get(0).verdict().validatorInfo(ValidatorInfoRequest.getDefaultInstance()));
        var modelsBefore = await(clients.get(0).verdict().listModels(ListModelsRequest.getDefaultInstance()));

        for (NodeProcess n : nodes) {
            n.stop();
        }
        startAll();

        long restarted = System.currentTimeMillis();
        for (Map.Entry<String, Job> e : before.entrySet()) {
            Job after = getWithRetries(2, e.getKey(), Duration.ofSeconds(90));
            assertThat(after).as("job %s after the restart", e.getKey()).isEqualTo(e.getValue());
        }
        System.out.printf("FIGURE full restart: every job read back within %d ms of the cluster serving%n",
                System.currentTimeMillis() - restarted);
        ValidatorInfoResponse infoAfter = await(clients.get(0).verdict().validatorInfo(ValidatorInfoRequest.getDefaultInstance()));
        assertThat(infoAfter.getEpoch()).as("no new epoch: the same validators came back").isEqualTo(infoBefore.getEpoch());
        assertThat(await(clients.get(1).verdict().listModels(ListModelsRequest.getDefaultInstance())))
                .isEqualTo(modelsBefore);
        System.out.printf("FIGURE full restart: %d jobs recovered identically%n", before.size());

        // every agreed job's receipt holds on chain, and no result was anchored twice
        Map<Long, Integer> perBatch = new HashMap<>();
        try (AnchorChain chain = new Web3AnchorChain(devnet.settings())) {
            for (String id : agreed) {
                Receipt receipt = TestNodes.verifiedReceipt(before.get(id).getReceiptJson());
                assertThat(OnChainReceiptCheck.run(receipt, chain)).as("on-chain checks of job %s", id)
                        .allMatch(OnChainReceiptCheck.Check::ok);
                perBatch.merge(receipt.anchor().batchId(), 1, Integer::sum);
            }
            long onChain = 0;
            for (long b = 1; b <= anchorBefore.getAnchoredBatches(); b++) {
                long count = chain.batch(b).orElseThrow().count();
                assertThat(count).as("results in batch %d", b).isGreaterThanOrEqualTo(perBatch.getOrDefault(b, 0));
                onChain += count;
            }
            assertThat(chain.batch(anchorBefore.getAnchoredBatches() + 1)).as("no batch beyond the last").isEmpty();
            assertThat(onChain).as("results anchored on chain: each agreed job of the journal once")
                    .isEqualTo(agreedInJournal);
        }
        TestNodes.awaitCondition("the anchoring service answers after the restart", Duration.ofSeconds(60), () -> {
            try {
                return await(clients.get(2).verdict().anchorStatus(AnchorStatusRequest.getDefaultInstance()))
                        .getAnchoredResults() == agreedInJournal;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    // ---- helpers ----

    private static SubmitRequest request(String clientRequestId, long seed, int timeoutSeconds) {
        return TestNodes.submit("mlp", DemoModels.sampleInput(DemoModels.Kind.MLP, 1, seed)).toBuilder()
                .setR(3).setQ(2)
                .setClientRequestId(clientRequestId)
                .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(timeoutSeconds))
                .build();
    }

    /** Validator address → cluster address of its node, as node {@code i} sees it. */
    private static Map<String, String> validatorNodes(int i) {
        ValidatorInfoResponse info = await(clients.get(i).verdict().validatorInfo(ValidatorInfoRequest.getDefaultInstance()));
        return info.getClusterValidatorsList().stream()
                .collect(Collectors.toMap(io.verdict.api.v1.Validator::getAddress, io.verdict.api.v1.Validator::getNode));
    }

    /** GetJob, retried while the cluster is still settling (shards moving, entities recovering). */
    private static Job getWithRetries(int node, String jobId, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            try {
                return await(clients.get(node).verdict().getJob(GetJobRequest.newBuilder().setJobId(jobId).build()))
                        .getJob();
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                System.out.println("GetJob " + jobId + " not answered yet: " + e.getMessage());
            }
        }
    }

    private static Job awaitFinal(int node, String jobId, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            Job job = await(clients.get(node).verdict().getJob(GetJobRequest.newBuilder().setJobId(jobId).build())).getJob();
            if (isFinal(job.getStatus()) || System.nanoTime() > deadline) {
                return job;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static boolean isFinal(JobStatus status) {
        return status == JobStatus.JOB_STATUS_AGREED || status == JobStatus.JOB_STATUS_DISPUTED
                || status == JobStatus.JOB_STATUS_FAILED;
    }

    private static long millis(com.google.protobuf.Timestamp t) {
        return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
    }

    /** Reads the journal itself: no job has more than one final event (AGREED, DISPUTED or FAILED). */
    /** Jobs with a QuorumReached event in the journal (a full scan of the small test table). */
    private static long agreedJobsInJournal() {
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress("127.0.0.1", cassandra.cqlPort()))
                .withLocalDatacenter("datacenter1").build()) {
            Set<String> agreed = new HashSet<>();
            for (Row row : session.execute("SELECT persistence_id, ser_manifest FROM verdict_journal.messages")) {
                if (row.getString("ser_manifest").endsWith("$QuorumReached")) {
                    agreed.add(row.getString("persistence_id"));
                }
            }
            return agreed.size();
        }
    }

    private static void assertSingleFinalEvent(Set<String> jobIds) {
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress("127.0.0.1", cassandra.cqlPort()))
                .withLocalDatacenter("datacenter1").build()) {
            for (String id : jobIds) {
                List<String> finals = new ArrayList<>();
                for (Row row : session.execute("SELECT ser_manifest FROM verdict_journal.messages "
                        + "WHERE persistence_id = ? AND partition_nr = 0", "InferenceJob|" + id)) {
                    String manifest = row.getString("ser_manifest");
                    if (manifest.endsWith("$QuorumReached") || manifest.endsWith("$JobDisputed")
                            || manifest.endsWith("$JobFailed")) {
                        finals.add(manifest);
                    }
                }
                assertThat(finals).as("final events of job %s in the journal", id).hasSize(1);
            }
        }
    }

    private record Failure(SubmitRequest request, Status.Code code, String description, long at) {}

    /** Clients submitting jobs back to back, recording every acknowledgement and every refusal. */
    private static final class Load {
        final String name;
        final List<Integer> targets;
        final ConcurrentLinkedQueue<Job> acknowledged = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger sequence = new AtomicInteger();
        final List<Thread> threads = new ArrayList<>();

        Load(String name, List<Integer> targets) {
            this.name = name;
            this.targets = targets;
        }

        void start(int clientsCount) {
            for (int c = 0; c < clientsCount; c++) {
                Thread t = new Thread(this::run, "load-" + name + "-" + c);
                threads.add(t);
                t.start();
            }
        }

        private void run() {
            while (running.get()) {
                int n = sequence.getAndIncrement();
                int target = targets.get(n % targets.size());
                SubmitRequest request = request(name + "-" + n, 100_000L * name.length() + n, 20);
                long at = System.currentTimeMillis();
                try {
                    acknowledged.add(await(clients.get(target).verdict().submit(request)).getJob());
                } catch (GrpcServiceException e) {
                    failures.add(new Failure(request, e.getStatus().getCode(), e.getStatus().getDescription(), at));
                    pause();
                } catch (RuntimeException e) {
                    Status s = Status.fromThrowable(e);
                    failures.add(new Failure(request, s.getCode(), String.valueOf(s.getDescription()), at));
                    pause();
                }
            }
        }

        private static void pause() {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(90_000);
            }
        }

        Map<Status.Code, Long> codes() {
            return failures.stream().collect(Collectors.groupingBy(Failure::code, Collectors.counting()));
        }

        List<SubmitRequest> failedRequests() {
            return failures.stream().map(Failure::request).toList();
        }
    }
}
