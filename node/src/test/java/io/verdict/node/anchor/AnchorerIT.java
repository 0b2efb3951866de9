package io.verdict.node.anchor;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.verdict.chain.AnchorChain;
import io.verdict.chain.AnchoredBatch;
import io.verdict.chain.ChainSettings;
import io.verdict.chain.Web3AnchorChain;
import io.verdict.chain.devnet.Devnet;
import io.verdict.chain.devnet.TcpProxy;
import io.verdict.sharding.job.JobAnchor;
import io.verdict.verification.Bytes32;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.merkle.StandardMerkleTree;
import io.verdict.verification.quorum.ValidatorSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.stream.KillSwitch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The anchoring service against a real Hardhat devnet (a fresh chain per test), with its journal
 * in memory: batches are anchored in order with the contract holding each root; a crash at each
 * point of the protocol (after sealing, after signing, after sending, after confirming) resumes
 * without a second anchor transaction and without losing a result; the RPC endpoint going down
 * (a TCP proxy in front of the devnet) leaves a visible, growing backlog that is anchored when it
 * comes back; another root already on chain for a batch halts the service.
 */
class AnchorerIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static ActorTestKit kit;
    private static Path work;

    private Devnet devnet;
    private TcpProxy proxy;
    private AnchorChain chain;
    private AnchorChain direct;
    private final Map<String, JobAnchor> told = new ConcurrentHashMap<>();
    private final AtomicBoolean notifyFails = new AtomicBoolean();
    private final List<String> feedStartedAt = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<ActorRef<Anchorer.Command>> spawned = new ArrayList<>();

    @BeforeAll
    static void startKit() throws Exception {
        kit = ActorTestKit.create("AnchorerIT", PersistenceTestKitPlugin.getInstance().config()
                .withFallback(PersistenceTestKitSnapshotPlugin.config())
                .withFallback(ConfigFactory.parseString("pekko.loglevel = INFO\n"
                        + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]"))
                .withFallback(ConfigFactory.load()));
        work = Files.createDirectories(Path.of("target", "anchorer-it"));
    }

    @AfterAll
    static void stopKit() {
        kit.shutdownTestKit();
    }

    @BeforeEach
    void startChain() throws Exception {
        PersistenceTestKit.create(kit.system()).clearAll();
        devnet = Devnet.start(Devnet.locateContractsDir(), Files.createTempDirectory(work, "devnet"));
        proxy = TcpProxy.start(java.net.URI.create(devnet.rpcUrl()).getPort());
        chain = new Web3AnchorChain(new ChainSettings("http://127.0.0.1:" + proxy.port(), devnet.chainId(),
                devnet.contract(), devnet.ownerKey(), Duration.ofSeconds(2)));
        direct = new Web3AnchorChain(new ChainSettings(devnet.rpcUrl(), devnet.chainId(), devnet.contract(),
                devnet.ownerKey(), Duration.ofSeconds(5)));
    }

    @AfterEach
    void stopChain() {
        for (ActorRef<Anchorer.Command> a : spawned) {
            kit.stop(a, Duration.ofSeconds(10));
        }
        spawned.clear();
        chain.close();
        direct.close();
        proxy.close();
        devnet.stop();
    }

    // ---- the service as the tests drive it ----

    private AnchorSettings settings(int maxOpen) {
        return new AnchorSettings(true, "http://127.0.0.1:" + proxy.port(), devnet.chainId(), devnet.contract(),
                new AnchorSettings.KeySource("", "", "UNUSED"), 100, Duration.ofMillis(100), 1,
                Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofMinutes(2), Duration.ofMillis(100),
                Duration.ofMillis(400), maxOpen, 8, true, AnchorSettings.CrashPoint.NONE);
    }

    private ActorRef<Anchorer.Command> spawn(AnchorSettings.CrashPoint crashAt, int maxOpen) {
        Anchorer.JobNotifier notifier = (jobId, anchor) -> {
            if (notifyFails.get()) {
                return CompletableFuture.failedFuture(new IllegalStateException("job shard unavailable"));
            }
            told.put(jobId, anchor);
            return CompletableFuture.completedFuture(Done.getInstance());
        };
        Anchorer.Feed feed = (offset, self) -> {
            feedStartedAt.add(offset.get());
            return new KillSwitch() {
                @Override
                public void shutdown() {}

                @Override
                public void abort(Throwable ex) {}
            };
        };
        ActorRef<Anchorer.Command> ref = kit.spawn(Anchorer.create(settings(maxOpen), chain, notifier, feed,
                point -> {
                    if (point == crashAt) {
                        throw new SimulatedCrash(point);
                    }
                }));
        spawned.add(ref);
        return ref;
    }

    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(AnchorSettings.CrashPoint point) {
            super("simulated crash " + point);
        }
    }

    private static final ValidatorSet SET = ValidatorSet.of(1,
            List.of(ValidatorKey.generate().address(), ValidatorKey.generate().address(),
                    ValidatorKey.generate().address()), 2);

    private static Anchorer.EpochSet epochSet() {
        return new Anchorer.EpochSet(SET.epoch(), SET.members().stream().map(Object::toString).toList(),
                SET.threshold());
    }

    private static List<Anchorer.Item> items(int n) {
        List<Anchorer.Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] job = new byte[32];
            byte[] digest = new byte[32];
            RANDOM.nextBytes(job);
            RANDOM.nextBytes(digest);
            items.add(new Anchorer.Item("0x" + HexFormat.of().formatHex(job), "0x" + HexFormat.of().formatHex(digest),
                    SET.epoch()));
        }
        return items;
    }

    private Done seal(ActorRef<Anchorer.Command> anchorer, List<Anchorer.Item> items, String offset) {
        TestProbe<Done> probe = kit.createTestProbe();
        anchorer.tell(new Anchorer.Seal(items, List.of(epochSet()), offset, 0, probe.ref()));
        return probe.receiveMessage(Duration.ofSeconds(10));
    }

    private AnchorStatus status(ActorRef<Anchorer.Command> anchorer) {
        TestProbe<AnchorStatus> probe = kit.createTestProbe();
        anchorer.tell(new Anchorer.GetStatus(probe.ref()));
        return probe.receiveMessage(Duration.ofSeconds(5));
    }

    private static void await(String what, Duration max, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out after %s waiting until %s", max, what).isLessThan(end);
            Thread.sleep(25);
        }
    }

    /** Every item was told its anchor, whose proof leads to the root the contract holds for its batch. */
    private void assertAllAnchored(List<List<Anchorer.Item>> batches) {
        for (int b = 0; b < batches.size(); b++) {
            long batchId = b + 1;
            AnchoredBatch onChain = direct.batch(batchId).orElseThrow();
            assertThat(onChain.count()).isEqualTo(batches.get(b).size());
            for (Anchorer.Item item : batches.get(b)) {
                JobAnchor a = told.get(item.jobId());
                assertThat(a).as("anchor of %s", item.jobId()).isNotNull();
                assertThat(a.batchId()).isEqualTo(batchId);
                assertThat(a.root()).isEqualTo(onChain.root().toHex());
                assertThat(a.leaf()).isEqualTo(StandardMerkleTree.leafHash(Bytes32.parse(item.attestationDigest()))
                        .toHex());
                assertThat(StandardMerkleTree.verify(onChain.root(), Bytes32.parse(a.leaf()),
                        a.proof().stream().map(Bytes32::parse).toList())).isTrue();
                assertThat(direct.verifyInclusion(batchId, Bytes32.parse(a.leaf()),
                        a.proof().stream().map(Bytes32::parse).toList())).as("verifyInclusion on chain").isTrue();
                assertThat(a.chainId()).isEqualTo(devnet.chainId());
                assertThat(a.contract()).isEqualTo(devnet.contract().toString());
                assertThat(direct.receipt(a.txHash()).orElseThrow().blockNumber()).isEqualTo(a.blockNumber());
            }
        }
    }

    /** Anchor transactions sent by the anchorer key: its nonce (registration transactions included). */
    private long sent() {
        return direct.pendingNonce();
    }

    // ---- tests ----

    @Test
    void anchorsBatchesInOrderAndTellsEveryJobItsProofAndLocation() throws Exception {
        long before = sent();
        ActorRef<Anchorer.Command> anchorer = spawn(AnchorSettings.CrashPoint.NONE, 16);
        List<List<Anchorer.Item>> batches = List.of(items(1), items(7), items(100));
        for (int i = 0; i < batches.size(); i++) {
            seal(anchorer, batches.get(i), "seq:" + (i + 1));
        }
        await("three batches anchored and told", Duration.ofSeconds(30),
                () -> told.size() == 108 && status(anchorer).openBatches() == 0);
        assertAllAnchored(batches);
        assertThat(direct.validatorSetDigest(SET.epoch())).contains(SET.digest());
        assertThat(sent() - before).as("one registration and one transaction per batch").isEqualTo(4);

        AnchorStatus s = status(anchorer);
        assertThat(s.anchoredBatches()).isEqualTo(3);
        assertThat(s.anchoredResults()).isEqualTo(108);
        assertThat(s.sealedBatches()).isEqualTo(3);
        assertThat(s.last().batchId()).isEqualTo(3);
        assertThat(s.lagMillis()).isZero();
        assertThat(s.feedOffset()).isEqualTo("seq:3");
        assertThat(s.lastError()).isNull();

        // the same results again (a feed replaying after a crash) are not sealed again
        kit.stop(anchorer);
        int starts = feedStartedAt.size();
        ActorRef<Anchorer.Command> again = spawn(AnchorSettings.CrashPoint.NONE, 16);
        await("the feed restarted", Duration.ofSeconds(10), () -> feedStartedAt.size() > starts);
        assertThat(feedStartedAt).last().isEqualTo("seq:3");
        assertThat(status(again).sealedBatches()).isEqualTo(3);
        assertThat(status(again).anchoredBatches()).isEqualTo(3);
        // a feed re-reading the last sealed results (an inclusive offset) seals nothing again
        seal(again, batches.get(2), "seq:3");
        assertThat(status(again).sealedBatches()).isEqualTo(3);
        assertThat(sent() - before).isEqualTo(4);
    }

    @Test
    void resumesAfterACrashRightAfterSealing() throws Exception {
        crashAndResume(AnchorSettings.CrashPoint.AFTER_SEAL);
    }

    @Test
    void resumesAfterACrashAfterSigningBeforeSending() throws Exception {
        crashAndResume(AnchorSettings.CrashPoint.AFTER_SIGN);
    }

    @Test
    void resumesAfterACrashAfterSendingBeforeTheReceipt() throws Exception {
        crashAndResume(AnchorSettings.CrashPoint.AFTER_SEND);
    }

    @Test
    void resumesAfterACrashAfterTheReceiptBeforeTheJobsAreTold() throws Exception {
        crashAndResume(AnchorSettings.CrashPoint.AFTER_CONFIRM);
    }

    private void crashAndResume(AnchorSettings.CrashPoint point) throws Exception {
        long before = sent();
        TestProbe<Object> watcher = kit.createTestProbe();
        ActorRef<Anchorer.Command> first = spawn(point, 16);
        List<Anchorer.Item> batch = items(5);
        TestProbe<Done> probe = kit.createTestProbe();
        first.tell(new Anchorer.Seal(batch, List.of(epochSet()), "seq:5", 0,
                probe.ref()));
        watcher.expectTerminated(first, Duration.ofSeconds(30));
        assertThat(told).as("nothing told before the crash").isEmpty();
        long sentBeforeRestart = sent() - before;
        String txBefore = direct.batch(1).isPresent() ? "anchored" : "not anchored";

        int starts = feedStartedAt.size();
        ActorRef<Anchorer.Command> second = spawn(AnchorSettings.CrashPoint.NONE, 16);
        await("the feed restarted", Duration.ofSeconds(10), () -> feedStartedAt.size() > starts);
        assertThat(feedStartedAt).last().as("the feed resumes after the sealed results").isEqualTo("seq:5");
        await("the batch anchored and its jobs told after the restart", Duration.ofSeconds(30),
                () -> told.size() == 5 && status(second).openBatches() == 0);
        assertAllAnchored(List.of(batch));
        assertThat(sent() - before).as("after a crash %s (%s, %d transaction(s) before the restart): one "
                + "registration and one anchor transaction in all", point, txBefore, sentBeforeRestart)
                .isEqualTo(2);
        AnchorStatus s = status(second);
        assertThat(s.sealedBatches()).isEqualTo(1);
        assertThat(s.anchoredBatches()).isEqualTo(1);
        assertThat(s.anchoredResults()).isEqualTo(5);
        kit.stop(second);
    }

    @Test
    void whileTheRpcEndpointIsDownTheBacklogGrowsVisiblyAndIsAnchoredWhenItIsBack() throws Exception {
        long before = sent();
        ActorRef<Anchorer.Command> anchorer = spawn(AnchorSettings.CrashPoint.NONE, 3);
        proxy.down();
        List<List<Anchorer.Item>> batches = List.of(items(3), items(4));
        seal(anchorer, batches.get(0), "seq:1");
        seal(anchorer, batches.get(1), "seq:2");
        // a third batch is sealed, but with three batches waiting its reply (the feed's permission to
        // read on) waits for room
        List<Anchorer.Item> third = items(2);
        TestProbe<Done> held = kit.createTestProbe();
        anchorer.tell(new Anchorer.Seal(third, List.of(epochSet()), "seq:3", 0, held.ref()));
        held.expectNoMessage(Duration.ofSeconds(1));

        await("failures reported", Duration.ofSeconds(20), () -> status(anchorer).failures() >= 3);
        AnchorStatus down = status(anchorer);
        assertThat(down.openBatches()).isEqualTo(3);
        assertThat(down.pendingResults()).isEqualTo(9);
        assertThat(down.lagMillis()).isPositive();
        assertThat(down.lastError()).isNotBlank();
        assertThat(down.retryInMillis()).isLessThanOrEqualTo(400);
        assertThat(down.halted()).isFalse();
        assertThat(told).isEmpty();

        proxy.up();
        held.receiveMessage(Duration.ofSeconds(30));
        await("the backlog anchored", Duration.ofSeconds(30),
                () -> told.size() == 9 && status(anchorer).openBatches() == 0);
        assertAllAnchored(List.of(batches.get(0), batches.get(1), third));
        assertThat(sent() - before).isEqualTo(4);
        assertThat(status(anchorer).failures()).isZero();
    }

    @Test
    void jobsThatCannotBeToldAreToldLaterWithoutASecondTransaction() throws Exception {
        long before = sent();
        notifyFails.set(true);
        ActorRef<Anchorer.Command> anchorer = spawn(AnchorSettings.CrashPoint.NONE, 16);
        List<Anchorer.Item> batch = items(4);
        seal(anchorer, batch, "seq:1");
        await("the batch anchored", Duration.ofSeconds(20), () -> status(anchorer).anchoredBatches() == 1);
        await("a notify failure reported", Duration.ofSeconds(20), () -> status(anchorer).lastError() != null);
        assertThat(status(anchorer).openBatches()).isEqualTo(1);
        notifyFails.set(false);
        await("the jobs told", Duration.ofSeconds(20),
                () -> told.size() == 4 && status(anchorer).openBatches() == 0);
        assertAllAnchored(List.of(batch));
        assertThat(sent() - before).isEqualTo(2);
    }

    @Test
    void aBatchWhoseRootIsAlreadyOnChainAdoptsThatTransactionInsteadOfSendingAnother() throws Exception {
        // as if a crash had lost the record of the transaction that anchored batch 1
        List<Anchorer.Item> batch = items(3);
        Bytes32 root = StandardMerkleTree.of(batch.stream().map(i -> Bytes32.parse(i.attestationDigest())).toList())
                .root();
        var tx = direct.signAnchor(1, root, batch.size(), direct.pendingNonce());
        direct.broadcast(tx);
        await("the root mined", Duration.ofSeconds(10), () -> direct.batch(1).isPresent());
        long before = sent();

        ActorRef<Anchorer.Command> anchorer = spawn(AnchorSettings.CrashPoint.NONE, 16);
        seal(anchorer, batch, "seq:1");
        await("the jobs told", Duration.ofSeconds(20),
                () -> told.size() == 3 && status(anchorer).openBatches() == 0);
        assertAllAnchored(List.of(batch));
        assertThat(told.values()).extracting(JobAnchor::txHash).containsOnly(tx.txHash());
        assertThat(sent() - before).as("only the validator-set registration").isEqualTo(1);
    }

    @Test
    void anotherRootAlreadyAnchoredForOurBatchIdHaltsTheService() throws Exception {
        // someone else (the same key, e.g. a second cluster on this contract) anchored batch 1 first
        Bytes32 foreign = Bytes32.parse("0x" + "ee".repeat(32));
        var tx = direct.signAnchor(1, foreign, 1, direct.pendingNonce());
        direct.broadcast(tx);
        await("the foreign root mined", Duration.ofSeconds(10), () -> direct.batch(1).isPresent());

        ActorRef<Anchorer.Command> anchorer = spawn(AnchorSettings.CrashPoint.NONE, 16);
        seal(anchorer, items(2), "seq:1");
        await("halted", Duration.ofSeconds(20), () -> status(anchorer).halted());
        AnchorStatus s = status(anchorer);
        assertThat(s.lastError()).contains("RootMismatch");
        assertThat(s.anchoredBatches()).isZero();
        assertThat(direct.batch(1).orElseThrow().root()).isEqualTo(foreign);
        assertThat(told).isEmpty();
    }

    @Test
    void theRightChainIsCheckedFirst() throws Exception {
        AtomicReference<ActorRef<Anchorer.Command>> ref = new AtomicReference<>();
        AnchorSettings wrong = new AnchorSettings(true, "http://127.0.0.1:" + proxy.port(), 1, devnet.contract(),
                new AnchorSettings.KeySource("", "", "UNUSED"), 100, Duration.ofMillis(100), 1,
                Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofMinutes(2), Duration.ofMillis(100),
                Duration.ofMillis(400), 16, 8, true, AnchorSettings.CrashPoint.NONE);
        AnchorChain wrongChain = new Web3AnchorChain(new ChainSettings("http://127.0.0.1:" + proxy.port(), 1,
                devnet.contract(), devnet.ownerKey(), Duration.ofSeconds(2)));
        try {
            ref.set(kit.spawn(Anchorer.create(wrong, wrongChain, (j, a) -> CompletableFuture.completedFuture(
                    Done.getInstance()), (o, s) -> new KillSwitch() {
                        @Override
                        public void shutdown() {}

                        @Override
                        public void abort(Throwable ex) {}
                    }, p -> {})));
            seal(ref.get(), items(1), "seq:1");
            await("halted", Duration.ofSeconds(20), () -> status(ref.get()).halted());
            assertThat(status(ref.get()).lastError()).contains("chain " + devnet.chainId())
                    .contains("verdict.chain.id is 1");
            assertThat(direct.batch(1)).isEmpty();
        } finally {
            wrongChain.close();
        }
    }
}
