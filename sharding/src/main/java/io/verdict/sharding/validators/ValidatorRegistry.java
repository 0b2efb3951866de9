package io.verdict.sharding.validators;

import io.verdict.persistence.CborSerializable;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.quorum.ValidatorSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The cluster's validator set, one event-sourced entity for the whole cluster (sharded under a
 * single id, so exactly one instance writes). Epochs are numbered 1, 2, 3...; each
 * {@link EpochStarted} holds the complete member list and threshold of its epoch, so any node
 * reading the registry agrees on what every epoch was.
 *
 * <p>Every node registers the validators it hosts when it starts. Registering addresses that are
 * all members already changes nothing; any new address starts the next epoch with the union of
 * the current members and the new ones. Members are never dropped automatically: a validator
 * whose node is down stays a member and is simply not live (jobs pick only live members). A job
 * records the set of the epoch it was accepted under, so later epochs never change its tally.
 */
public final class ValidatorRegistry extends EventSourcedBehaviorWithEnforcedReplies<
    ValidatorRegistry.Command, ValidatorRegistry.Event, ValidatorRegistry.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "ValidatorRegistry");

  /** The registry's only entity id. */
  public static final String ID = "cluster";

  // ---- protocol ----

  public interface Command extends CborSerializable {}

  /**
   * Make {@code validators} (hosted by {@code node}) members. {@code threshold} is the smallest
   * quorum the registering node's configuration asks for; a new epoch takes the larger of it and
   * the current threshold, capped at the member count.
   */
  public record Register(String node, List<String> validators, int threshold,
                         ActorRef<Current> replyTo) implements Command {
    public Register {
      Objects.requireNonNull(node, "node");
      validators = List.copyOf(validators);
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** The current epoch. */
  public record Get(ActorRef<Current> replyTo) implements Command {}

  /**
   * An epoch: {@code epoch} 0 with no members means nothing was registered yet.
   *
   * @param members addresses ({@code 0x} + 40 hex) in canonical order
   */
  public record Current(long epoch, List<String> members, int threshold)
      implements CborSerializable {
    public Current {
      members = List.copyOf(members);
    }

    /** The epoch as a {@link ValidatorSet}; empty before the first registration. */
    public Optional<ValidatorSet> set() {
      if (members.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(ValidatorSet.of(epoch,
          members.stream().map(ValidatorAddress::parse).toList(), threshold));
    }
  }

  public interface Event extends CborSerializable {}

  /** Epoch {@code epoch} starts with these members; {@code added} came from {@code node}. */
  public record EpochStarted(long epoch, List<String> members, int threshold, String node,
                             List<String> added, long at) implements Event {
    public EpochStarted {
      members = List.copyOf(members);
      added = List.copyOf(added);
    }
  }

  public record State(Current current) implements CborSerializable {}

  // ---- wiring ----

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create()));
  }

  public static EntityRef<Command> ref(ActorSystem<?> system) {
    return ClusterSharding.get(system).entityRefFor(ENTITY_KEY, ID);
  }

  public static Behavior<Command> create() {
    return new ValidatorRegistry();
  }

  private ValidatorRegistry() {
    super(PersistenceId.of(ENTITY_KEY.name(), ID),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
  }

  @Override
  public State emptyState() {
    return new State(new Current(0, List.of(), 1));
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Register.class, this::onRegister)
        .onCommand(Get.class, (state, c) -> Effect().reply(c.replyTo(), state.current()))
        .build();
  }

  private ReplyEffect<Event, State> onRegister(State state, Register c) {
    Current current = state.current();
    Set<ValidatorAddress> members = new TreeSet<>();
    current.members().forEach(m -> members.add(ValidatorAddress.parse(m)));
    List<String> added = new ArrayList<>();
    for (String v : c.validators()) {
      ValidatorAddress a = ValidatorAddress.parse(v);
      if (members.add(a)) {
        added.add(a.toString());
      }
    }
    if (added.isEmpty()) {
      return Effect().reply(c.replyTo(), current);
    }
    int threshold = Math.min(members.size(),
        Math.max(current.members().isEmpty() ? 1 : current.threshold(), c.threshold()));
    EpochStarted started = new EpochStarted(current.epoch() + 1,
        members.stream().map(ValidatorAddress::toString).toList(), threshold, c.node(), added,
        System.currentTimeMillis());
    return Effect().persist(started).thenReply(c.replyTo(), State::current);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(EpochStarted.class, (state, e) ->
            new State(new Current(e.epoch(), e.members(), e.threshold())))
        .build();
  }
}
