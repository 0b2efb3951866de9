package io.verdict.node.anchor;

import com.typesafe.config.Config;
import io.verdict.chain.AnchorChain;
import io.verdict.chain.AnchorerKey;
import io.verdict.chain.Web3AnchorChain;
import io.verdict.sharding.job.InferenceJob;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the anchoring service on a node: the {@link Anchorer} as a cluster singleton (it runs on
 * the oldest node and moves when that node leaves), fed by {@link AnchorFeed} and telling jobs
 * through sharding. Every node starts it with the same settings; {@link #status} asks the singleton
 * from any node.
 */
public final class Anchoring implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Anchoring.class);
    private static final Duration RECORD_TIMEOUT = Duration.ofSeconds(30);

    private final ActorSystem<?> system;
    private final ActorRef<Anchorer.Command> singleton;
    private final AnchorChain chain;

    private Anchoring(ActorSystem<?> system, ActorRef<Anchorer.Command> singleton, AnchorChain chain) {
        this.system = system;
        this.singleton = singleton;
        this.chain = chain;
    }

    /**
     * Starts anchoring when {@code verdict.anchor.enabled} is on; the settings are checked first and
     * a wrong one fails the start with a message naming it. The chain itself is not contacted here:
     * the service starts while the RPC endpoint is down, and catches up when it is back.
     */
    public static Anchoring start(ActorSystem<?> system, Config config, String readJournal) {
        AnchorSettings settings = AnchorSettings.from(config);
        if (!settings.enabled()) {
            LOG.info("anchoring is off (verdict.anchor.enabled): receipts carry no Merkle proof or anchor");
            return new Anchoring(system, null, null);
        }
        settings.validate();
        AnchorerKey key;
        try {
            key = settings.key().load();
        } catch (io.verdict.chain.AnchorerKeyException e) {
            throw new IllegalArgumentException("verdict.anchor.key: " + e.getMessage() + " (give a keystore file with "
                    + "VERDICT_ANCHOR_KEYSTORE and VERDICT_ANCHOR_KEYSTORE_PASSWORD, or the key in "
                    + settings.key().environmentVariable() + ")", e);
        }
        AnchorChain chain = new Web3AnchorChain(settings.chainSettings(key));
        Anchorer.JobNotifier notifier = (jobId, anchor) -> ClusterSharding.get(system)
                .entityRefFor(InferenceJob.ENTITY_KEY, jobId)
                .askWithStatus(reply -> new InferenceJob.RecordAnchor(anchor, reply), RECORD_TIMEOUT);
        ActorRef<Anchorer.Command> singleton = ClusterSingleton.get(system).init(SingletonActor.of(
                Anchorer.create(settings, chain, notifier, new AnchorFeed(system, readJournal, settings),
                        point -> crashIfAsked(settings, point)), "verdict-anchorer"));
        LOG.info("anchoring to contract {} on chain {} via {} as {} (key from {}): batches of up to {} results or "
                        + "{} ms, {} confirmation(s)", settings.contract(), settings.chainId(), settings.rpcUrl(),
                key.address(), settings.key(), settings.maxBatch(), settings.maxDelay().toMillis(),
                settings.confirmations());
        return new Anchoring(system, singleton, chain);
    }

    private static void crashIfAsked(AnchorSettings settings, AnchorSettings.CrashPoint point) {
        if (point == settings.crashAt()) {
            LOG.error("verdict.anchor.crash-at = {}: halting the JVM now (a test of crash recovery)", point);
            Runtime.getRuntime().halt(86);
        }
    }

    public boolean enabled() {
        return singleton != null;
    }

    /** The service's status; a disabled status when anchoring is off. */
    public CompletionStage<AnchorStatus> status(Duration timeout) {
        if (singleton == null) {
            return CompletableFuture.completedFuture(AnchorStatus.disabled());
        }
        return AskPattern.ask(singleton, Anchorer.GetStatus::new, timeout, system.scheduler());
    }

    @Override
    public void close() {
        if (chain != null) {
            chain.close();
        }
    }
}
