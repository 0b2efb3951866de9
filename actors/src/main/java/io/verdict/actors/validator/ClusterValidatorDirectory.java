package io.verdict.actors.validator;

import io.verdict.sharding.job.ValidatorDirectory;
import io.verdict.sharding.job.ValidatorPool;
import io.verdict.sharding.job.ValidatorProtocol;
import io.verdict.sharding.validators.ValidatorRegistry;
import io.verdict.verification.MalformedValueException;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.quorum.ValidatorSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster-wide validator directory: which validators exist (the current epoch of the
 * {@link ValidatorRegistry}) and which are live (validator actors registered with the cluster
 * receptionist under {@link #KEY}, on any reachable node). {@link #snapshot()} reads a volatile
 * reference that a small actor keeps up to date; it never blocks.
 *
 * <p>The receptionist drops the validators of a node as soon as it becomes unreachable, so jobs
 * stop picking them (and replace them when they were already asked) within the failure detector's
 * few seconds. The registry is read every {@code refresh} and whenever an unknown validator shows
 * up, so a new epoch reaches every node within one refresh.
 */
public final class ClusterValidatorDirectory implements ValidatorDirectory {

    /** Key every hosted validator actor registers under. */
    public static final ServiceKey<ValidatorProtocol.Execute> KEY =
            ServiceKey.create(ValidatorProtocol.Execute.class, "verdict-validator");

    private static final String NAME_PREFIX = "validator-";

    private final AtomicReference<ValidatorPool> pool;

    private ClusterValidatorDirectory(AtomicReference<ValidatorPool> pool) {
        this.pool = pool;
    }

    /** Starts the directory's actor on {@code system}. */
    public static ClusterValidatorDirectory start(ActorSystem<?> system, AttestationDomain domain, Duration refresh) {
        AtomicReference<ValidatorPool> pool = new AtomicReference<>(ValidatorPool.none(domain));
        system.systemActorOf(behavior(pool, domain, refresh), "validator-directory", Props.empty());
        return new ClusterValidatorDirectory(pool);
    }

    @Override
    public ValidatorPool snapshot() {
        return pool.get();
    }

    /** Registers a hosted validator actor with the receptionist (its actor name carries its address). */
    public static void register(ActorSystem<?> system, ActorRef<ValidatorProtocol.Execute> validator) {
        system.receptionist().tell(Receptionist.register(KEY, validator));
    }

    // ---- the actor ----

    private interface Msg {}

    private record Listed(Set<ActorRef<ValidatorProtocol.Execute>> live) implements Msg {}

    private record Registry(ValidatorRegistry.Current current) implements Msg {}

    private record RegistryUnavailable(Throwable cause) implements Msg {}

    private enum Refresh implements Msg { INSTANCE }

    private static Behavior<Msg> behavior(AtomicReference<ValidatorPool> pool, AttestationDomain domain,
                                          Duration refresh) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class,
                    l -> new Listed(l.getServiceInstances(KEY)));
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY, listings));
            timers.startTimerWithFixedDelay(Refresh.INSTANCE, Duration.ZERO, refresh);
            Address self = Cluster.get(ctx.getSystem()).selfMember().address();
            var state = new Object() {
                Set<ActorRef<ValidatorProtocol.Execute>> live = Set.of();
                Optional<ValidatorSet> set = Optional.empty();

                void publish() {
                    if (set.isEmpty()) {
                        pool.set(ValidatorPool.none(domain));
                        return;
                    }
                    List<ValidatorPool.ValidatorHandle> handles = new ArrayList<>();
                    for (ActorRef<ValidatorProtocol.Execute> ref : live) {
                        addressOf(ref).ifPresent(a -> handles.add(new ValidatorPool.ValidatorHandle(a,
                                nodeOf(ref, self), ref)));
                    }
                    pool.set(new ValidatorPool(set.get(), domain, handles));
                }

                boolean knowsAll() {
                    return live.stream().map(ClusterValidatorDirectory::addressOf).flatMap(Optional::stream)
                            .allMatch(a -> set.isPresent() && set.get().contains(a));
                }
            };
            return Behaviors.<Msg>receive((c, msg) -> {
                if (msg instanceof Listed listed) {
                    state.live = listed.live();
                    state.publish();
                    if (!state.knowsAll()) {
                        c.getSelf().tell(Refresh.INSTANCE);
                    }
                } else if (msg instanceof Refresh) {
                    c.pipeToSelf(ValidatorRegistry.ref(c.getSystem())
                                    .ask(ValidatorRegistry.Get::new, Duration.ofSeconds(10)),
                            (current, failure) -> failure != null ? new RegistryUnavailable(failure)
                                    : new Registry(current));
                } else if (msg instanceof Registry r) {
                    Optional<ValidatorSet> set = r.current().set();
                    if (!set.equals(state.set)) {
                        set.ifPresent(s -> c.getLog().info("validator set epoch {}: {} member(s), threshold {}",
                                s.epoch(), s.size(), s.threshold()));
                        state.set = set;
                        state.publish();
                    }
                } else if (msg instanceof RegistryUnavailable u) {
                    c.getLog().debug("validator registry not reachable: {}", u.cause().toString());
                }
                return Behaviors.same();
            });
        }));
    }

    /** The validator address in the actor's name ({@code validator-0x...}), if it is one. */
    static Optional<ValidatorAddress> addressOf(ActorRef<?> ref) {
        String name = ref.path().name();
        if (!name.startsWith(NAME_PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(ValidatorAddress.parse(name.substring(NAME_PREFIX.length())));
        } catch (MalformedValueException e) {
            return Optional.empty();
        }
    }

    /** The cluster address of the node the actor runs on, as text. */
    static String nodeOf(ActorRef<?> ref, Address self) {
        Address a = ref.path().address();
        return (a.hasGlobalScope() ? a : self).toString();
    }
}
