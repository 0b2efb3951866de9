package io.verdict.node.anchor;

import io.verdict.sharding.job.InferenceJob;
import io.verdict.sharding.job.JobView;
import io.verdict.verification.receipt.Receipt;
import io.verdict.verification.receipt.ReceiptCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.TimeBasedUUID;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.stream.KillSwitch;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The anchoring service's input: the {@link InferenceJob#TAG} events of the journal after the last
 * sealed offset, reduced to the agreed results signed under the anchor's domain, grouped by size or
 * time and handed to the {@link Anchorer} one group at a time (it answers when the group is sealed,
 * which is the back-pressure). The validator set of each epoch is taken from the jobs' own
 * {@code JobAccepted} events; a result whose event predates anchoring (no digest in it) or whose
 * epoch was not seen is completed from its job's receipt. Restarted with backoff when it fails.
 */
public final class AnchorFeed implements Anchorer.Feed {

    private static final Logger LOG = LoggerFactory.getLogger(AnchorFeed.class);
    private static final Duration ASK_JOB = Duration.ofSeconds(30);
    private static final Duration SEAL_WAIT = Duration.ofHours(1);

    private final ActorSystem<?> system;
    private final String readJournal;
    private final AnchorSettings settings;
    private final Map<Long, Anchorer.EpochSet> epochs = new ConcurrentHashMap<>();

    public AnchorFeed(ActorSystem<?> system, String readJournal, AnchorSettings settings) {
        this.system = system;
        this.readJournal = readJournal;
        this.settings = settings;
    }

    /** A result, or a result that is not ours to anchor (skipped), with the offset of its event. */
    private record Read(Optional<Anchorer.Item> item, String offset) {}

    @Override
    public KillSwitch start(Supplier<String> offset, ActorRef<Anchorer.Command> anchorer) {
        EventsByTagQuery query = PersistenceQuery.get(system).getReadJournalFor(EventsByTagQuery.class, readJournal);
        RestartSettings restart = RestartSettings.create(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2);
        Source<Done, NotUsed> feed = RestartSource.withBackoff(restart, () -> {
            String from = offset.get();
            LOG.info("anchoring feed reading {} events after offset '{}'", InferenceJob.TAG, from);
            return query.eventsByTag(InferenceJob.TAG, parse(from))
                    .mapAsync(1, this::read)
                    .filter(Optional::isPresent)
                    .map(Optional::get)
                    .groupedWithin(settings.maxBatch(), settings.maxDelay())
                    .mapAsync(1, group -> seal(anchorer, group));
        });
        return feed.viaMat(KillSwitches.single(), Keep.right()).to(Sink.ignore()).run(system);
    }

    private CompletionStage<Done> seal(ActorRef<Anchorer.Command> anchorer, List<Read> group) {
        List<Anchorer.Item> items = new ArrayList<>();
        int skipped = 0;
        for (Read r : group) {
            if (r.item().isPresent()) {
                items.add(r.item().get());
            } else {
                skipped++;
            }
        }
        List<Anchorer.EpochSet> sets = items.stream().map(Anchorer.Item::epoch).distinct()
                .map(epochs::get).filter(java.util.Objects::nonNull).toList();
        String last = group.get(group.size() - 1).offset();
        int skippedFinal = skipped;
        return AskPattern.<Anchorer.Command, Done>ask(anchorer,
                reply -> new Anchorer.Seal(items, sets, last, skippedFinal, reply), SEAL_WAIT, system.scheduler());
    }

    /** The anchorable result in {@code envelope}, if it holds one; JobAccepted events feed the epoch cache. */
    private CompletionStage<Optional<Read>> read(EventEnvelope envelope) {
        Object event = envelope.event();
        String offset = text(envelope.offset());
        if (event instanceof InferenceJob.JobAccepted accepted) {
            epochs.computeIfAbsent(accepted.epoch(), e -> new Anchorer.EpochSet(e, accepted.validatorSet(),
                    accepted.threshold()));
            return CompletableFuture.completedFuture(Optional.empty());
        }
        if (!(event instanceof InferenceJob.QuorumReached reached)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        String jobId = jobIdOf(envelope.persistenceId());
        if (reached.attestationDigest() != null && epochs.containsKey(reached.epoch())) {
            return CompletableFuture.completedFuture(Optional.of(new Read(ours(reached.chainId(),
                    reached.verifyingContract()) ? Optional.of(new Anchorer.Item(jobId, reached.attestationDigest(),
                    reached.epoch())) : Optional.empty(), offset)));
        }
        // written before anchoring existed, or the epoch's JobAccepted was before our offset: ask the job
        return ClusterSharding.get(system).entityRefFor(InferenceJob.ENTITY_KEY, jobId)
                .<JobView>ask(InferenceJob.Get::new, ASK_JOB)
                .thenApply(view -> {
                    Receipt receipt = ReceiptCodec.fromJson(view.receiptJson());
                    Receipt.ValidatorSetFields set = receipt.validatorSet();
                    epochs.computeIfAbsent(set.epoch(), e -> new Anchorer.EpochSet(e, set.members(), set.threshold()));
                    boolean ours = ours(receipt.domain().chainId(), receipt.domain().verifyingContract());
                    return Optional.of(new Read(ours ? Optional.of(new Anchorer.Item(jobId,
                            receipt.attestationDigest(), receipt.attestation().epoch())) : Optional.empty(), offset));
                });
    }

    private boolean ours(long chainId, String contract) {
        return chainId == settings.chainId() && contract != null
                && contract.equalsIgnoreCase(settings.contract().toString());
    }

    static String jobIdOf(String persistenceId) {
        int bar = persistenceId.indexOf('|');
        return bar < 0 ? persistenceId : persistenceId.substring(bar + 1);
    }

    /** Offsets as text in the anchorer's events: "" (start), "seq:N" (JDBC) or "uuid:U" (Cassandra). */
    static String text(Offset offset) {
        if (offset instanceof Sequence s) {
            return "seq:" + s.value();
        }
        if (offset instanceof TimeBasedUUID t) {
            return "uuid:" + t.value();
        }
        return "";
    }

    static Offset parse(String text) {
        if (text == null || text.isEmpty()) {
            return NoOffset.getInstance();
        }
        if (text.startsWith("seq:")) {
            return Offset.sequence(Long.parseLong(text.substring(4)));
        }
        if (text.startsWith("uuid:")) {
            return Offset.timeBasedUUID(UUID.fromString(text.substring(5)));
        }
        throw new IllegalArgumentException("unknown offset '" + text + "'");
    }
}
