package io.verdict.sharding.model;

import io.verdict.persistence.CborSerializable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One model, by name: its versions, each published once with a digest, agreement policy and
 * signature, and retired at most once. Versions are immutable: a label, once published, can never
 * name other bytes, not even after it is retired. The sharded entity id is the model name.
 *
 * <p>Rejections are {@link StatusReply#error(String)} replies: a malformed request ("invalid
 * ...", "cannot publish ..."), an unknown version ("model mlp has no version 7", "model mlp has no
 * published versions"), or a state conflict ("... is already published", "... is retired", "model
 * mlp has no active version"). The edge maps the first to INVALID_ARGUMENT, the second to
 * NOT_FOUND and the third to FAILED_PRECONDITION.
 */
public final class Model extends EventSourcedBehaviorWithEnforcedReplies<Model.Command, Model.Event, Model.State> {

    public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Model");

    /** Tag of every model event: the read side projects each model's history from it. */
    public static final String TAG = "verdict-model";

    /** Longest accepted reason of a retirement. */
    public static final int MAX_REASON_LENGTH = 1024;

    // --- protocol ------------------------------------------------------------------------------

    public interface Command extends CborSerializable {}

    /** Publishes a new version; replies with the model after publication. */
    public record Publish(ModelVersionSpec spec, ActorRef<StatusReply<ModelView>> replyTo) implements Command {}

    /** Retires an active version; replies with the model after retirement. */
    public record Retire(String version, String reason, ActorRef<StatusReply<ModelView>> replyTo) implements Command {}

    /** The model with all its versions (an unknown model has none). */
    public record Get(ActorRef<ModelView> replyTo) implements Command {}

    /** An ACTIVE version to run: {@code version} null means the latest active one. */
    public record Resolve(String version, ActorRef<StatusReply<ResolvedModel>> replyTo) implements Command {}

    public interface Event extends CborSerializable {}

    /** @param publishedAt epoch milliseconds */
    public record VersionPublished(String model, ModelVersionSpec spec, long publishedAt) implements Event {}

    /** @param retiredAt epoch milliseconds */
    public record VersionRetired(String model, String version, String reason, long retiredAt) implements Event {}

    /** Versions in publish order. */
    public record State(String name, List<ModelVersion> versions) implements CborSerializable {
        public State {
            versions = List.copyOf(versions);
        }

        Optional<ModelVersion> find(String version) {
            return versions.stream().filter(v -> v.version().equals(version)).findFirst();
        }

        Optional<ModelVersion> latestActive() {
            for (int i = versions.size() - 1; i >= 0; i--) {
                if (versions.get(i).status() == VersionStatus.ACTIVE) {
                    return Optional.of(versions.get(i));
                }
            }
            return Optional.empty();
        }

        ModelView view() {
            return new ModelView(name, versions, latestActive().map(ModelVersion::version).orElse(null));
        }

        State published(VersionPublished e) {
            List<ModelVersion> next = new ArrayList<>(versions);
            next.add(new ModelVersion(e.spec(), VersionStatus.ACTIVE, e.publishedAt(), null, null));
            return new State(name, next);
        }

        State retired(VersionRetired e) {
            List<ModelVersion> next = new ArrayList<>(versions.size());
            for (ModelVersion v : versions) {
                next.add(v.version().equals(e.version()) ? v.retire(e.retiredAt(), e.reason()) : v);
            }
            return new State(name, next);
        }
    }

    // --- wiring --------------------------------------------------------------------------------

    /** Registers the entity with cluster sharding; settings from {@code verdict.models}. */
    public static void init(ActorSystem<?> system) {
        ModelSettings settings = ModelSettings.fromConfig(system.settings().config());
        ClusterSharding.get(system).init(
                Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings, Clock.systemUTC())));
    }

    public static Behavior<Command> create(String name, ModelSettings settings, Clock clock) {
        return new Model(name, settings, clock);
    }

    private final String name;
    private final ModelSettings settings;
    private final Clock clock;

    private Model(String name, ModelSettings settings, Clock clock) {
        super(PersistenceId.of(ENTITY_KEY.name(), name),
                SupervisorStrategy.restartWithBackoff(settings.restartBackoffMin(), settings.restartBackoffMax(), 0.2));
        this.name = name;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public State emptyState() {
        return new State(name, List.of());
    }

    @Override
    public Set<String> tagsFor(Event event) {
        return Set.of(TAG);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
    }

    // --- commands ------------------------------------------------------------------------------

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(Publish.class, this::onPublish)
                .onCommand(Retire.class, this::onRetire)
                .onCommand(Get.class, this::onGet)
                .onCommand(Resolve.class, this::onResolve)
                .build();
    }

    private ReplyEffect<Event, State> onPublish(State state, Publish cmd) {
        Optional<String> invalidName = ModelNames.nameProblem(name);
        if (invalidName.isPresent()) {
            return Effect().reply(cmd.replyTo(), StatusReply.error(invalidName.get()));
        }
        if (cmd.spec() == null) {
            return Effect().reply(cmd.replyTo(), StatusReply.error("cannot publish to model " + name + ": no version spec"));
        }
        ModelVersionSpec spec;
        try {
            spec = cmd.spec().validated();
        } catch (IllegalArgumentException e) {
            return Effect().reply(cmd.replyTo(), StatusReply.error(
                    "cannot publish version " + cmd.spec().version() + " of model " + name + ": " + e.getMessage()));
        }
        Optional<ModelVersion> existing = state.find(spec.version());
        if (existing.isPresent()) {
            ModelVersion v = existing.get();
            String msg = v.status() == VersionStatus.RETIRED
                    ? "version " + v.version() + " of model " + name + " cannot be republished: it was published ("
                            + v.modelDigest() + ") and is retired; publish a new version"
                    : "version " + v.version() + " of model " + name + " is already published (" + v.modelDigest()
                            + "); versions are immutable, publish a new version";
            return Effect().reply(cmd.replyTo(), StatusReply.error(msg));
        }
        return Effect().persist(new VersionPublished(name, spec, clock.millis()))
                .thenReply(cmd.replyTo(), s -> StatusReply.success(s.view()));
    }

    private ReplyEffect<Event, State> onRetire(State state, Retire cmd) {
        Optional<String> problem = ModelNames.nameProblem(name).or(() -> ModelNames.versionProblem(cmd.version()));
        if (problem.isPresent()) {
            return Effect().reply(cmd.replyTo(), StatusReply.error(problem.get()));
        }
        Optional<ModelVersion> existing = state.find(cmd.version());
        if (existing.isEmpty()) {
            return Effect().reply(cmd.replyTo(), StatusReply.error(noSuchVersion(cmd.version())));
        }
        if (existing.get().status() == VersionStatus.RETIRED) {
            return Effect().reply(cmd.replyTo(), StatusReply.error(
                    "version " + cmd.version() + " of model " + name + " is already retired"));
        }
        String reason = cmd.reason() == null || cmd.reason().isBlank() ? "" : cmd.reason().strip();
        if (reason.length() > MAX_REASON_LENGTH) {
            return Effect().reply(cmd.replyTo(), StatusReply.error("invalid retire reason: " + reason.length()
                    + " characters; at most " + MAX_REASON_LENGTH));
        }
        return Effect().persist(new VersionRetired(name, cmd.version(), reason, clock.millis()))
                .thenReply(cmd.replyTo(), s -> StatusReply.success(s.view()));
    }

    private ReplyEffect<Event, State> onGet(State state, Get cmd) {
        return Effect().reply(cmd.replyTo(), state.view());
    }

    private ReplyEffect<Event, State> onResolve(State state, Resolve cmd) {
        Optional<String> problem = ModelNames.nameProblem(name)
                .or(() -> cmd.version() == null ? Optional.empty() : ModelNames.versionProblem(cmd.version()));
        if (problem.isPresent()) {
            return Effect().reply(cmd.replyTo(), StatusReply.error(problem.get()));
        }
        if (cmd.version() == null) {
            if (state.versions().isEmpty()) {
                return Effect().reply(cmd.replyTo(), StatusReply.error("model " + name + " has no published versions"));
            }
            return state.latestActive()
                    .map(v -> Effect().reply(cmd.replyTo(), StatusReply.success(resolved(v))))
                    .orElseGet(() -> Effect().reply(cmd.replyTo(), StatusReply.error("model " + name
                            + " has no active version (all " + state.versions().size() + " are retired)")));
        }
        Optional<ModelVersion> v = state.find(cmd.version());
        if (v.isEmpty()) {
            return Effect().reply(cmd.replyTo(), StatusReply.error(noSuchVersion(cmd.version())));
        }
        if (v.get().status() == VersionStatus.RETIRED) {
            String why = v.get().retireReason() == null || v.get().retireReason().isEmpty()
                    ? "" : ": " + v.get().retireReason();
            return Effect().reply(cmd.replyTo(), StatusReply.error(
                    "version " + cmd.version() + " of model " + name + " is retired" + why));
        }
        return Effect().reply(cmd.replyTo(), StatusReply.success(resolved(v.get())));
    }

    private ResolvedModel resolved(ModelVersion v) {
        return new ResolvedModel(name, v.version(), v.spec());
    }

    private String noSuchVersion(String version) {
        return "model " + name + " has no version " + version;
    }

    // --- events --------------------------------------------------------------------------------

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(VersionPublished.class, State::published)
                .onEvent(VersionRetired.class, State::retired)
                .build();
    }
}
