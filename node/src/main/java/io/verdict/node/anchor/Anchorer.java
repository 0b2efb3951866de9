package io.verdict.node.anchor;

import io.verdict.chain.AnchorChain;
import io.verdict.chain.ChainRejectedException;
import io.verdict.chain.NonceTooLowException;
import io.verdict.chain.SignedTx;
import io.verdict.chain.TxOutcome;
import io.verdict.persistence.CborSerializable;
import io.verdict.sharding.job.JobAnchor;
import io.verdict.verification.Bytes32;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.merkle.StandardMerkleTree;
import io.verdict.verification.quorum.ValidatorSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.stream.KillSwitch;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The anchoring service: one event-sourced actor per cluster (a cluster singleton) that seals the
 * attestation digests of agreed jobs into OpenZeppelin standard Merkle trees, anchors each root on
 * chain with {@code VerdictAnchor.anchor(batchId, root, count)}, waits for the configured
 * confirmations, and then tells every job of the batch its leaf, proof and anchor location.
 *
 * <p>Exactly once, by construction of the journal:
 * <ul>
 *   <li>{@link BatchSealed} holds the batch's results and the tag offset after them, so the feed
 *       resumes after the last sealed result: none is sealed twice, none skipped;
 *   <li>{@link AnchorSigned} holds the signed transaction before it is sent; after a crash the same
 *       bytes (same nonce, same hash) are sent again, which the chain treats as one transaction, and
 *       the contract ignores the same root for the same batch anyway;
 *   <li>{@link AnchorConfirmed} is written only once the receipt has the confirmations and the
 *       contract returns this root for the batch; the jobs are then told (idempotently) until
 *       {@link JobsNotified}.
 * </ul>
 * Batches are anchored in order, one transaction at a time. While the RPC endpoint fails, the
 * service retries with exponential backoff, keeps at most {@code max-open-batches} sealed batches
 * and leaves the rest of the backlog in the journal; {@link GetStatus} shows the lag and the error.
 */
public final class Anchorer
        extends EventSourcedBehaviorWithEnforcedReplies<Anchorer.Command, Anchorer.Event, Anchorer.State> {

    public static final String PERSISTENCE_ID = "verdict-anchorer";
    /** A plain logger: chain steps log from the chain thread, where the actor's logger may not be used. */
    private static final Logger LOG = LoggerFactory.getLogger(Anchorer.class);

    /** One agreed result to anchor: the job and the EIP-712 digest its quorum signed. */
    public record Item(String jobId, String attestationDigest, long epoch) implements CborSerializable {}

    /** A validator set the results of a batch were signed under (registered on chain if asked to). */
    public record EpochSet(long epoch, List<String> members, int threshold) implements CborSerializable {
        public EpochSet {
            members = List.copyOf(members);
        }

        ValidatorSet toSet() {
            return ValidatorSet.of(epoch, members.stream().map(ValidatorAddress::parse).toList(), threshold);
        }
    }

    // ---- commands ----

    public interface Command extends CborSerializable {}

    /**
     * From the feed: seal these results (read up to {@code offset}) into the next batch. The reply
     * comes once the batch is persisted and fewer than {@code max-open-batches} wait for the chain.
     * {@code skipped} counts results read but not anchorable (signed under another domain).
     */
    public record Seal(List<Item> items, List<EpochSet> sets, String offset, int skipped, ActorRef<Done> replyTo)
            implements Command {
        public Seal {
            items = List.copyOf(items);
            sets = List.copyOf(sets);
        }
    }

    public record GetStatus(ActorRef<AnchorStatus> replyTo) implements Command {}

    private enum Tick implements Command { INSTANCE }

    /** A chain step finished: persist {@code event} (if any) and go on. */
    private record ChainStepDone(Event event, Runnable after) implements Command {}

    private record ChainStepFailed(String step, Throwable error) implements Command {}

    private record NotifyDone(long batchId) implements Command {}

    private record NotifyFailed(long batchId, Throwable error) implements Command {}

    // ---- events ----

    public interface Event extends CborSerializable {}

    public record BatchSealed(long batchId, List<Item> items, String root, List<EpochSet> sets, String offset,
                              int skipped, long at) implements Event {
        public BatchSealed {
            items = List.copyOf(items);
            sets = List.copyOf(sets);
        }
    }

    public record AnchorSigned(long batchId, long nonce, String rawTx, String txHash, long at) implements Event {}

    public record AnchorConfirmed(long batchId, String txHash, long blockNumber, long at) implements Event {}

    public record JobsNotified(long batchId, long at) implements Event {}

    // ---- state ----

    /** A sealed batch not yet fully done: signed once {@code txHash} is set, anchored once {@code blockNumber > 0}. */
    public record Batch(long batchId, List<Item> items, String root, long sealedAt, long nonce, String rawTx,
                        String txHash, long blockNumber) implements CborSerializable {
        public Batch {
            items = List.copyOf(items);
        }

        boolean signed() {
            return txHash != null;
        }

        boolean confirmed() {
            return blockNumber > 0;
        }
    }

    /** The last batch anchored. */
    public record LastAnchor(long batchId, int count, String txHash, long blockNumber, long at)
            implements CborSerializable {}

    /**
     * @param sets the validator sets of every epoch seen in a batch (few: one per epoch), so that
     *     one missing on chain can be registered even after a restart
     * @param lastSealedJobs the jobs of the last sealed batch, kept after it is done: a feed that
     *     re-reads the event at its offset (a read journal whose offset is inclusive) cannot seal
     *     them again
     */
    public record State(long nextBatchId, String offset, List<Batch> open, List<EpochSet> sets,
                        long anchoredBatches, long anchoredResults, long skipped,
                        LastAnchor last, List<String> lastSealedJobs) implements CborSerializable {
        public State {
            open = List.copyOf(open);
            sets = List.copyOf(sets);
            lastSealedJobs = lastSealedJobs == null ? List.of() : List.copyOf(lastSealedJobs);
        }

        static State empty() {
            return new State(1, "", List.of(), List.of(), 0, 0, 0, null, List.of());
        }

        Optional<EpochSet> set(long epoch) {
            return sets.stream().filter(s -> s.epoch() == epoch).findFirst();
        }

        int pendingResults() {
            return open.stream().mapToInt(b -> b.items().size()).sum();
        }

        Set<String> recentJobs() {
            Set<String> jobs = new HashSet<>(lastSealedJobs);
            open.forEach(b -> b.items().forEach(i -> jobs.add(i.jobId())));
            return jobs;
        }

        State apply(Event e) {
            if (e instanceof BatchSealed s) {
                List<Batch> more = new ArrayList<>(open);
                more.add(new Batch(s.batchId(), s.items(), s.root(), s.at(), 0, null, null, 0));
                List<EpochSet> known = new ArrayList<>(sets);
                for (EpochSet set : s.sets()) {
                    if (known.stream().noneMatch(k -> k.epoch() == set.epoch())) {
                        known.add(set);
                    }
                }
                return new State(s.batchId() + 1, s.offset(), more, known, anchoredBatches, anchoredResults,
                        skipped + s.skipped(), last, s.items().stream().map(Item::jobId).toList());
            }
            if (e instanceof AnchorSigned s) {
                return withBatch(s.batchId(), b -> new Batch(b.batchId(), b.items(), b.root(), b.sealedAt(),
                        s.nonce(), s.rawTx(), s.txHash(), 0), null);
            }
            if (e instanceof AnchorConfirmed c) {
                Batch b = batch(c.batchId());
                LastAnchor l = new LastAnchor(c.batchId(), b.items().size(), c.txHash(), c.blockNumber(), c.at());
                State s = withBatch(c.batchId(), x -> new Batch(x.batchId(), x.items(), x.root(), x.sealedAt(),
                        x.nonce(), x.rawTx(), c.txHash(), c.blockNumber()), l);
                return new State(s.nextBatchId, s.offset, s.open, s.sets, anchoredBatches + 1,
                        anchoredResults + b.items().size(), skipped, l, lastSealedJobs);
            }
            if (e instanceof JobsNotified n) {
                return new State(nextBatchId, offset, open.stream().filter(b -> b.batchId() != n.batchId()).toList(),
                        sets, anchoredBatches, anchoredResults, skipped, last, lastSealedJobs);
            }
            throw new IllegalStateException("unknown event " + e);
        }

        Batch batch(long id) {
            return open.stream().filter(b -> b.batchId() == id).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no open batch " + id));
        }

        private State withBatch(long id, java.util.function.UnaryOperator<Batch> change, LastAnchor newLast) {
            List<Batch> changed = open.stream().map(b -> b.batchId() == id ? change.apply(b) : b).toList();
            return new State(nextBatchId, offset, changed, sets, anchoredBatches, anchoredResults,
                    skipped, newLast == null ? last : newLast, lastSealedJobs);
        }
    }

    // ---- collaborators ----

    /** Tells a job where it was anchored; completes once the job recorded it (idempotent). */
    public interface JobNotifier {
        CompletionStage<Done> record(String jobId, JobAnchor anchor);
    }

    /** Starts the feed of agreed results after {@code offset}; the returned switch stops it. */
    public interface Feed {
        KillSwitch start(Supplier<String> offset, ActorRef<Command> anchorer);
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final AnchorSettings settings;
    private final AnchorChain chain;
    private final JobNotifier notifier;
    private final Feed feed;
    private final Consumer<AnchorSettings.CrashPoint> crash;
    private final ExecutorService chainThread;
    private final AtomicReference<String> currentOffset = new AtomicReference<>("");

    // in memory only: what this incarnation has done and seen
    private KillSwitch feedSwitch;
    private boolean chainBusy;
    private boolean notifyBusy;
    private boolean chainIdChecked;
    private String fatal;
    private long retryAt;
    private int failures;
    private String lastError;
    private long lastErrorAt;
    private long lastChainOk;
    private long head;
    private int notifyFailures;
    private long notifyRetryAt;
    private final Map<Long, Long> sentAt = new LinkedHashMap<>();
    private final Set<Long> epochsOnChain = new HashSet<>();
    private final List<ActorRef<Done>> waitingFeed = new ArrayList<>();
    private final Map<Long, StandardMerkleTree> trees = new LinkedHashMap<>();

    private Anchorer(ActorContext<Command> context, TimerScheduler<Command> timers, AnchorSettings settings,
                     AnchorChain chain, JobNotifier notifier, Feed feed, Consumer<AnchorSettings.CrashPoint> crash) {
        super(PersistenceId.ofUniqueId(PERSISTENCE_ID),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(500), Duration.ofSeconds(30), 0.2));
        this.context = context;
        this.timers = timers;
        this.settings = settings;
        this.chain = chain;
        this.notifier = notifier;
        this.feed = feed;
        this.crash = crash;
        this.chainThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "verdict-anchor-chain");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The anchoring service. {@code crash} is called at each {@link AnchorSettings.CrashPoint} after
     * the step is durable; in production it halts the JVM when the point is the configured one.
     */
    public static Behavior<Command> create(AnchorSettings settings, AnchorChain chain, JobNotifier notifier,
                                           Feed feed, Consumer<AnchorSettings.CrashPoint> crash) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new Anchorer(ctx, timers, settings, chain, notifier, feed, crash)));
    }

    @Override
    public State emptyState() {
        return State.empty();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder().forAnyState()
                .onCommand(Seal.class, this::onSeal)
                .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), status(s)))
                .onCommand(Tick.class, (s, c) -> {
                    drive(s);
                    return Effect().noReply();
                })
                .onCommand(ChainStepDone.class, this::onChainStepDone)
                .onCommand(ChainStepFailed.class, this::onChainStepFailed)
                .onCommand(NotifyDone.class, (s, c) -> Effect().persist(new JobsNotified(c.batchId(), now()))
                        .thenRun(after -> {
                            notifyBusy = false;
                            notifyFailures = 0;
                            if (failures == 0 && fatal == null) {
                                lastError = null;
                            }
                            trees.remove(c.batchId());
                            releaseFeed(after);
                            drive(after);
                        }).thenNoReply())
                .onCommand(NotifyFailed.class, (s, c) -> {
                    notifyBusy = false;
                    notifyFailures++;
                    long delay = backoff(notifyFailures);
                    notifyRetryAt = now() + delay;
                    lastError = "telling the jobs of batch " + c.batchId() + " failed: " + describe(c.error());
                    lastErrorAt = now();
                    LOG.warn("anchoring: {} (attempt {}); retrying in {} ms", lastError,
                            notifyFailures, delay);
                    return Effect().noReply();
                })
                .build();
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    currentOffset.set(state.offset());
                    LOG.info("anchoring service started on chain {} contract {} as {}: next batch {}, "
                                    + "{} open batch(es) with {} result(s), feed after offset '{}'",
                            settings.chainId(), settings.contract(), chain.sender(), state.nextBatchId(),
                            state.open().size(), state.pendingResults(), state.offset());
                    timers.startTimerWithFixedDelay("tick", Tick.INSTANCE, settings.pollInterval());
                    feedSwitch = feed.start(currentOffset::get, context.getSelf());
                    drive(state);
                })
                .onSignal(PostStop.instance(), state -> {
                    if (feedSwitch != null) {
                        feedSwitch.shutdown();
                    }
                    chainThread.shutdownNow();
                })
                .build();
    }

    // ---- sealing ----

    private ReplyEffect<Event, State> onSeal(State state, Seal c) {
        Set<String> recent = state.recentJobs();
        List<Item> items = c.items().stream().filter(i -> !recent.contains(i.jobId())).toList();
        if (items.isEmpty()) {
            // nothing new (or only results of another domain): the offset is not worth an event
            currentOffset.set(c.offset());
            return Effect().reply(c.replyTo(), Done.getInstance());
        }
        StandardMerkleTree tree = StandardMerkleTree.of(items.stream()
                .map(i -> Bytes32.parse(i.attestationDigest())).toList());
        long id = state.nextBatchId();
        BatchSealed sealed = new BatchSealed(id, items, tree.root().toHex(), c.sets(), c.offset(), c.skipped(), now());
        return Effect().persist(sealed).thenRun(after -> {
            trees.put(id, tree);
            currentOffset.set(after.offset());
            LOG.info("batch {} sealed: {} result(s), root {}", id, items.size(), tree.root().toHex());
            crash.accept(AnchorSettings.CrashPoint.AFTER_SEAL);
            waitingFeed.add(c.replyTo());
            releaseFeed(after);
            drive(after);
        }).thenNoReply();
    }

    /** Lets the feed go on while fewer than max-open-batches wait. */
    private void releaseFeed(State state) {
        if (state.open().size() < settings.maxOpenBatches()) {
            waitingFeed.forEach(r -> r.tell(Done.getInstance()));
            waitingFeed.clear();
        }
    }

    // ---- the chain lane: one step at a time for the oldest batch not yet confirmed ----

    private void drive(State state) {
        driveNotify(state);
        if (chainBusy || fatal != null || now() < retryAt) {
            return;
        }
        Optional<Batch> next = state.open().stream().filter(b -> !b.confirmed()).findFirst();
        if (next.isEmpty()) {
            return;
        }
        Batch batch = next.get();
        if (!chainIdChecked) {
            chainStep("checking the chain id", () -> {
                long actual = chain.chainId();
                if (actual != settings.chainId()) {
                    throw new WrongChain("the RPC endpoint serves chain " + actual + " but verdict.chain.id is "
                            + settings.chainId() + ": anchoring stopped");
                }
                return new ChainStepDone(null, () -> chainIdChecked = true);
            });
            return;
        }
        if (!batch.signed()) {
            Optional<Long> unchecked = batch.items().stream().map(Item::epoch).distinct()
                    .filter(e -> !epochsOnChain.contains(e)).findFirst();
            if (unchecked.isPresent()) {
                long epoch = unchecked.get();
                Optional<EpochSet> set = state.set(epoch);
                chainStep("checking validator set epoch " + epoch + " on chain", () -> {
                    Optional<Bytes32> digest = chain.validatorSetDigest(epoch);
                    if (digest.isEmpty() && settings.registerValidatorSets() && set.isPresent()) {
                        TxOutcome outcome = chain.registerValidatorSet(set.get().toSet(), settings.txTimeout());
                        LOG.info("validator set epoch {} registered on chain in transaction {}", epoch,
                                outcome == null ? "-" : outcome.txHash());
                    } else if (digest.isEmpty()) {
                        LOG.warn("validator set epoch {} is not registered on contract {}: results "
                                + "of this epoch are anchored, but the contract's verifyAttestation refuses them "
                                + "until the operator registers the epoch", epoch, settings.contract());
                    } else if (set.isPresent() && !digest.get().equals(set.get().toSet().digest())) {
                        LOG.error("validator set epoch {} is registered on contract {} with digest "
                                + "{}, not this cluster's {}: the contract's verifyAttestation will refuse its "
                                + "results", epoch, settings.contract(), digest.get().toHex(),
                                set.get().toSet().digest().toHex());
                    }
                    return new ChainStepDone(null, () -> epochsOnChain.add(epoch));
                });
                return;
            }
            chainStep("signing the anchor transaction of batch " + batch.batchId(), () -> {
                Optional<ChainStepDone> adopted = adoptAnchored(batch);
                if (adopted.isPresent()) {
                    return adopted.get();
                }
                long nonce = chain.pendingNonce();
                SignedTx tx;
                try {
                    tx = chain.signAnchor(batch.batchId(), Bytes32.parse(batch.root()), batch.items().size(), nonce);
                } catch (ChainRejectedException e) {
                    checkNoConflict(batch);
                    throw e;
                }
                return new ChainStepDone(new AnchorSigned(batch.batchId(), tx.nonce(), tx.rawHex(), tx.txHash(),
                        now()), () -> crash.accept(AnchorSettings.CrashPoint.AFTER_SIGN));
            });
            return;
        }
        Long sent = sentAt.get(batch.batchId());
        if (sent == null || now() - sent > settings.txTimeout().toMillis()) {
            chainStep("sending the anchor transaction of batch " + batch.batchId(), () -> {
                try {
                    chain.broadcast(new SignedTx(batch.nonce(), batch.rawTx(), batch.txHash()));
                } catch (NonceTooLowException e) {
                    // our nonce is used: by this very transaction (sent before a crash), or by another one
                    if (chain.receipt(batch.txHash()).isEmpty()) {
                        Optional<ChainStepDone> adopted = adoptAnchored(batch);
                        return adopted.isPresent() ? adopted.get()
                                : resign(batch, "its nonce " + batch.nonce() + " was used by another transaction");
                    }
                }
                return new ChainStepDone(null, () -> {
                    sentAt.put(batch.batchId(), now());
                    LOG.info("batch {}: anchor transaction {} sent", batch.batchId(), batch.txHash());
                    crash.accept(AnchorSettings.CrashPoint.AFTER_SEND);
                });
            });
            return;
        }
        chainStep("waiting for the anchor transaction of batch " + batch.batchId(), () -> {
            Optional<TxOutcome> receipt = chain.receipt(batch.txHash());
            long blockNow = chain.blockNumber();
            if (receipt.isEmpty()) {
                return new ChainStepDone(null, () -> head = blockNow);
            }
            TxOutcome r = receipt.get();
            if (!r.success()) {
                checkNoConflict(batch);
                return resign(batch, "transaction " + batch.txHash() + " reverted");
            }
            if (blockNow < r.blockNumber() + settings.confirmations() - 1) {
                return new ChainStepDone(null, () -> head = blockNow);
            }
            var onChain = chain.batch(batch.batchId()).orElseThrow(() -> new IllegalStateException(
                    "transaction " + r.txHash() + " succeeded but the contract has no root for batch "
                            + batch.batchId()));
            checkNoConflict(batch);
            return new ChainStepDone(new AnchorConfirmed(batch.batchId(), r.txHash(), r.blockNumber(), now()),
                    () -> {
                        head = blockNow;
                        crash.accept(AnchorSettings.CrashPoint.AFTER_CONFIRM);
                    });
        });
    }

    /**
     * When the contract already holds this batch's root (anchored by a transaction this service's
     * journal does not know, e.g. one whose record a crash lost), that transaction is the batch's
     * anchor: confirmed once deep enough, instead of sending another. Halts (RootConflict) on
     * another root. Empty when the batch is not on chain yet.
     */
    private Optional<ChainStepDone> adoptAnchored(Batch batch) {
        checkNoConflict(batch);
        Optional<TxOutcome> existing = chain.anchorTransaction(batch.batchId());
        if (existing.isEmpty()) {
            return Optional.empty();
        }
        TxOutcome tx = existing.get();
        long blockNow = chain.blockNumber();
        if (blockNow < tx.blockNumber() + settings.confirmations() - 1) {
            return Optional.of(new ChainStepDone(null, () -> head = blockNow));
        }
        LOG.warn("batch {}: its root is already anchored on chain by transaction {} (block {}); adopting it "
                + "instead of sending another", batch.batchId(), tx.txHash(), tx.blockNumber());
        return Optional.of(new ChainStepDone(new AnchorConfirmed(batch.batchId(), tx.txHash(), tx.blockNumber(),
                now()), () -> head = blockNow));
    }

    /** Halts (RootConflict) when the contract holds another root for the batch. */
    private void checkNoConflict(Batch batch) {
        var onChain = chain.batch(batch.batchId());
        if (onChain.isPresent() && !onChain.get().root().toHex().equals(batch.root())) {
            throw new RootConflict("RootMismatch: batch " + batch.batchId() + " is anchored on chain with root "
                    + onChain.get().root().toHex() + ", not with this batch's root " + batch.root()
                    + ": anchoring stopped (is another cluster anchoring to this contract?)");
        }
    }

    /** A new transaction (fresh nonce) for a batch whose signed one cannot be mined. */
    private ChainStepDone resign(Batch batch, String why) {
        long nonce = chain.pendingNonce();
        SignedTx tx = chain.signAnchor(batch.batchId(), Bytes32.parse(batch.root()), batch.items().size(), nonce);
        LOG.warn("batch {}: {}; signed a new anchor transaction {}", batch.batchId(), why, tx.txHash());
        return new ChainStepDone(new AnchorSigned(batch.batchId(), tx.nonce(), tx.rawHex(), tx.txHash(), now()),
                () -> sentAt.remove(batch.batchId()));
    }

    private interface Step {
        ChainStepDone run() throws Exception;
    }

    private void chainStep(String what, Step step) {
        chainBusy = true;
        CompletableFuture<ChainStepDone> f = CompletableFuture.supplyAsync(() -> {
            try {
                return step.run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, chainThread);
        context.pipeToSelf(f, (done, error) -> error == null ? done : new ChainStepFailed(what, unwrap(error)));
    }

    private ReplyEffect<Event, State> onChainStepDone(State state, ChainStepDone c) {
        chainBusy = false;
        failures = 0;
        if (notifyFailures == 0 && fatal == null) {
            lastError = null; // the status shows an error only while it lasts
        }
        lastChainOk = now();
        if (c.event() == null) {
            if (c.after() != null) {
                c.after().run();
            }
            drive(state);
            return Effect().noReply();
        }
        return Effect().persist(c.event()).thenRun(after -> {
            if (c.event() instanceof AnchorConfirmed confirmed) {
                LOG.info("batch {} anchored: transaction {} in block {} ({} confirmation(s))",
                        confirmed.batchId(), confirmed.txHash(), confirmed.blockNumber(), settings.confirmations());
            }
            if (c.after() != null) {
                c.after().run();
            }
            drive(after);
        }).thenNoReply();
    }

    private ReplyEffect<Event, State> onChainStepFailed(State state, ChainStepFailed c) {
        chainBusy = false;
        if (c.error() instanceof WrongChain || c.error() instanceof RootConflict) {
            fatal = c.error().getMessage();
            lastError = fatal;
            lastErrorAt = now();
            LOG.error("anchoring stopped: {}", fatal);
            return Effect().noReply();
        }
        failed(c.step(), c.error());
        return Effect().noReply();
    }

    private void failed(String step, Throwable error) {
        failures++;
        long delay = backoff(failures);
        retryAt = now() + delay;
        lastError = step + " failed: " + describe(error);
        lastErrorAt = now();
        String kind = error instanceof ChainRejectedException ? "rejected by the chain" : "failed";
        LOG.warn("anchoring: {} {} (attempt {}): {}; retrying in {} ms", step, kind, failures,
                describe(error), delay);
    }

    // ---- the notify lane: tell the jobs of the oldest anchored batch ----

    private void driveNotify(State state) {
        if (notifyBusy || now() < notifyRetryAt) {
            return;
        }
        Optional<Batch> next = state.open().stream().filter(Batch::confirmed).findFirst();
        if (next.isEmpty()) {
            return;
        }
        notifyBusy = true;
        Batch batch = next.get();
        StandardMerkleTree tree = trees.computeIfAbsent(batch.batchId(), id -> StandardMerkleTree.of(
                batch.items().stream().map(i -> Bytes32.parse(i.attestationDigest())).toList()));
        List<Integer> indices = java.util.stream.IntStream.range(0, batch.items().size()).boxed().toList();
        CompletionStage<Done> done = Source.from(indices)
                .mapAsyncUnordered(settings.notifyParallelism(), i -> notifier.record(batch.items().get(i).jobId(),
                        new JobAnchor(batch.batchId(), tree.leaf(i).toHex(),
                                tree.proof(i).stream().map(Bytes32::toHex).toList(), tree.root().toHex(),
                                settings.chainId(), settings.contract().toString(), batch.txHash(),
                                batch.blockNumber())))
                .runWith(Sink.ignore(), context.getSystem());
        context.pipeToSelf(done, (v, error) -> error == null ? new NotifyDone(batch.batchId())
                : new NotifyFailed(batch.batchId(), unwrap(error)));
    }

    // ---- status ----

    private AnchorStatus status(State s) {
        long oldest = s.open().stream().mapToLong(Batch::sealedAt).min().orElse(0);
        return new AnchorStatus(true, settings.chainId(), settings.contract().toString(), chain.sender().toString(),
                s.nextBatchId() - 1, s.anchoredBatches(), s.anchoredResults(), s.open().size(), s.pendingResults(),
                oldest == 0 ? 0 : now() - oldest, s.skipped(), s.last(), head, lastChainOk, fatal != null ? fatal
                : lastError, lastErrorAt, fatal != null, failures, Math.max(0, retryAt - now()), s.offset());
    }

    // ---- helpers ----

    private long backoff(int attempt) {
        return Math.min(settings.retryMax().toMillis(),
                settings.retryMin().toMillis() * (1L << Math.min(attempt - 1, 20)));
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof java.util.concurrent.CompletionException
                || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    /** The RPC endpoint serves another chain than the configured one. */
    static final class WrongChain extends RuntimeException {
        WrongChain(String message) {
            super(message);
        }
    }

    /** The contract holds another root for one of our batch ids. */
    static final class RootConflict extends RuntimeException {
        RootConflict(String message) {
            super(message);
        }
    }
}
