package io.verdict.sharding.job;

import io.verdict.persistence.CborSerializable;
import io.verdict.verification.Bytes32;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.MalformedValueException;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.merkle.StandardMerkleTree;
import io.verdict.verification.quorum.QuorumTally;
import io.verdict.verification.quorum.TallyOutcome;
import io.verdict.verification.quorum.ValidatorSet;
import io.verdict.verification.quorum.VoteStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One inference job, sharded by job id and event-sourced: it picks a committee, asks each member
 * to execute, verifies and records their signed votes, and finalises as soon as a quorum agrees
 * (AGREED, with a receipt), when no quorum is possible even after escalation (DISPUTED, with all
 * the evidence), or when the deadline passes or validators run out (FAILED).
 *
 * <p>Faulty members are replaced: no answer within {@code validator-timeout}, an
 * {@code ExecutionFailed}, a vote whose signature does not verify or whose output bytes do not
 * hash to its digest. A replaced member's late valid vote still counts. An equivocating member's
 * votes are all kept as evidence and count for nothing. Nothing is ever decided by picking one of
 * several outputs: only the verification module's {@link QuorumTally} decides.
 *
 * <p>Waiters (Submit) and watchers (Watch) are kept in memory; after a restart a client simply
 * asks again, and the job id (derived from the request) brings it back to the same entity.
 *
 * <p>In the cluster the entities are remembered (sharding's remember-entities, stored in the
 * journal): when a node dies, its shards move to the survivors, which restart every running job
 * there; recovery re-asks the outstanding members and re-arms the deadline. A finished job
 * passivates itself {@code verdict.jobs.passivate-finished-after} after it finished or was last
 * read, which also forgets it.
 */
public final class InferenceJob
    extends EventSourcedBehaviorWithEnforcedReplies<InferenceJob.Command, InferenceJob.Event,
    InferenceJob.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "InferenceJob");

  /**
   * Tag of the events the read side projects (acceptance and the final outcome; votes and
   * replacements stay untagged, they are only needed by the entity itself).
   */
  public static final String TAG = "verdict-job";

  // ---- commands ----

  public interface Command extends CborSerializable {}

  /**
   * Run a job (or join it: same id and same request). The reply comes when the job is final:
   * success with the AGREED or DISPUTED view, or an error (rejection, deadline exceeded, no
   * validators available).
   */
  public record Submit(JobSpec spec, ActorRef<StatusReply<JobView>> replyTo) implements Command {}

  /** The job's current view (status UNKNOWN when nothing was submitted under this id). */
  public record Get(ActorRef<JobView> replyTo) implements Command {}

  /** The current view now, then again on every change until the job is final. */
  public record Watch(ActorRef<JobView> replyTo) implements Command {}

  /**
   * The anchoring service sealed this job's agreed attestation in a batch whose root is now
   * anchored on chain: record where (idempotent for the same batch). Refused unless the job
   * agreed, and unless the leaf is this job's and the proof leads to the root.
   */
  public record RecordAnchor(JobAnchor anchor, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  private record ValidatorAnswered(ValidatorProtocol.ExecutionResult result) implements Command {}

  private record MemberLost(String validator, String reason) implements Command {}

  private enum DeadlineReached implements Command { INSTANCE }

  private enum PassivateFinished implements Command { INSTANCE }

  // ---- events ----

  public interface Event extends CborSerializable {}

  /**
   * The job was accepted with this committee. Carries the epoch's validator set and EIP-712 domain
   * so the job's tally and receipt never depend on later epochs.
   */
  public record JobAccepted(JobSpec spec, List<String> committee, long epoch, int threshold,
                            List<String> validatorSet, long chainId, String verifyingContract,
                            long acceptedAt) implements Event {
    public JobAccepted {
      committee = List.copyOf(committee);
      validatorSet = List.copyOf(validatorSet);
    }
  }

  /**
   * A verified vote (status ACCEPTED or EQUIVOCATION). {@code output} holds the canonical output
   * bytes the first time a digest is seen, else null.
   */
  public record VoteRecorded(String validator, String outputDigest, String signature,
                             byte[] output, String status, long at) implements Event {}

  /** A member failed; {@code replacement} is null when no untried validator was available. */
  public record MemberReplaced(String failed, String replacement, String reason, long at)
      implements Event {}

  /** No quorum was reachable; these validators join the committee. */
  public record CommitteeEscalated(List<String> extra, long at) implements Event {
    public CommitteeEscalated {
      extra = List.copyOf(extra);
    }
  }

  /**
   * q members signed {@code outputDigest}; final. {@code attestationDigest} is the EIP-712 digest
   * they signed (epoch {@code epoch}, domain {@code chainId} / {@code verifyingContract}), which is
   * what the anchoring service batches; the four are null / 0 in events written before anchoring
   * existed.
   */
  public record QuorumReached(String outputDigest, byte[] output, List<String> signers, long at,
                              String attestationDigest, long epoch, long chainId,
                              String verifyingContract)
      implements Event {
    public QuorumReached {
      signers = List.copyOf(signers);
    }
  }

  /** The agreed attestation was anchored on chain (after the job finished). */
  public record JobAnchored(JobAnchor anchor, long at) implements Event {}

  /** No quorum is possible; final. */
  public record JobDisputed(String reason, long at) implements Event {}

  /** The job failed (deadline exceeded, no validators available); final. */
  public record JobFailed(String reason, long at) implements Event {}

  // ---- states ----

  public interface State extends CborSerializable {}

  /** Nothing submitted yet under this id. */
  public record NoJob(String jobId) implements State {}

  public record Running(Job job) implements State {}

  public record Finished(Job job) implements State {}

  // ---- entity ----

  private final String jobId;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ValidatorDirectory directory;
  private final JobSettings settings;
  private final ActorRef<ValidatorProtocol.ExecutionResult> answers;
  private final Optional<Passivation> passivation;
  private final List<ActorRef<StatusReply<JobView>>> waiters = new ArrayList<>();
  private final List<ActorRef<JobView>> watchers = new ArrayList<>();

  /** Where a finished job asks to be stopped, and after how long. */
  private record Passivation(ActorRef<ClusterSharding.ShardCommand> shard, Duration after) {}

  private InferenceJob(String jobId, ActorContext<Command> context,
                       TimerScheduler<Command> timers, ValidatorDirectory directory,
                       JobSettings settings, Optional<Passivation> passivation) {
    super(PersistenceId.of(ENTITY_KEY.name(), jobId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.jobId = jobId;
    this.context = context;
    this.timers = timers;
    this.directory = directory;
    this.settings = settings;
    this.answers = context.messageAdapter(ValidatorProtocol.ExecutionResult.class,
        ValidatorAnswered::new);
    this.passivation = passivation;
  }

  /**
   * Starts cluster sharding for jobs on this node, with remembered entities (see the class
   * comment); {@code verdict.jobs.passivate-finished-after} is read from the system's config.
   */
  public static void init(ActorSystem<?> system, ValidatorDirectory directory,
                          JobSettings settings) {
    Duration idle = system.settings().config()
        .getDuration("verdict.jobs.passivate-finished-after");
    boolean remember = system.settings().config().getBoolean("verdict.jobs.remember-entities");
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            ctx -> create(ctx.getEntityId(), directory, settings,
                Optional.of(new Passivation(ctx.getShard(), idle))))
        .withSettings(ClusterShardingSettings.create(system).withRememberEntities(remember)
            // in the journal: survives a full cluster restart, and needs no local LMDB files
            .withRememberEntitiesStoreMode(
                ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())));
  }

  /**
   * The entity of job {@code jobId} ({@code 0x} + 64 lowercase hex), outside sharding (tests): it
   * never passivates itself.
   */
  public static Behavior<Command> create(String jobId, ValidatorDirectory directory,
                                         JobSettings settings) {
    return create(jobId, directory, settings, Optional.empty());
  }

  private static Behavior<Command> create(String jobId, ValidatorDirectory directory,
                                          JobSettings settings,
                                          Optional<Passivation> passivation) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(settings, "settings");
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new InferenceJob(jobId, ctx, timers, directory, settings, passivation)));
  }

  @Override
  public State emptyState() {
    return new NoJob(jobId);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return event instanceof JobAccepted || event instanceof QuorumReached
        || event instanceof JobDisputed || event instanceof JobFailed ? Set.of(TAG) : Set.of();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> b = newCommandHandlerWithReplyBuilder();
    b.forAnyState()
        .onCommand(Get.class, this::onGet)
        .onCommand(Watch.class, this::onWatch);
    b.forStateType(NoJob.class)
        .onCommand(Submit.class, this::onSubmitNew)
        .onCommand(PassivateFinished.class, this::onPassivate)
        .onCommand(RecordAnchor.class, (s, c) -> Effect().reply(c.replyTo(),
            StatusReply.error("job " + jobId + " does not exist")))
        .onAnyCommand(this::ignore);
    b.forStateType(Running.class)
        .onCommand(Submit.class, this::onSubmitRunning)
        .onCommand(ValidatorAnswered.class, this::onAnswer)
        .onCommand(MemberLost.class, this::onMemberLost)
        .onCommand(DeadlineReached.class, this::onDeadline)
        .onCommand(RecordAnchor.class, (s, c) -> Effect().reply(c.replyTo(),
            StatusReply.error("job " + jobId + " has not finished")))
        .onCommand(PassivateFinished.class, this::ignore);
    b.forStateType(Finished.class)
        .onCommand(Submit.class, this::onSubmitFinished)
        .onCommand(RecordAnchor.class, this::onRecordAnchor)
        .onCommand(PassivateFinished.class, this::onPassivate)
        .onAnyCommand(this::ignore);
    return b.build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    EventHandlerBuilder<State, Event> b = newEventHandlerBuilder();
    b.forStateType(NoJob.class).onEvent(JobAccepted.class, InferenceJob::accept);
    b.forStateType(Running.class).onEvent(Event.class, InferenceJob::advance);
    b.forStateType(Finished.class).onEvent(JobAnchored.class,
        (state, e) -> new Finished(state.job().apply(e)));
    return b.build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
        .build();
  }

  private static State accept(NoJob state, JobAccepted e) {
    return new Running(Job.accepted(e));
  }

  private static State advance(Running state, Event e) {
    Job next = state.job().apply(e);
    return next.finished() ? new Finished(next) : new Running(next);
  }

  // ---- command handlers ----

  private ReplyEffect<Event, State> onGet(State state, Get c) {
    if (!(state instanceof Running)) {
      armPassivation();
    }
    return Effect().reply(c.replyTo(), view(state));
  }

  private ReplyEffect<Event, State> onPassivate(State state, PassivateFinished c) {
    passivation.ifPresent(p -> p.shard().tell(new ClusterSharding.Passivate<>(context.getSelf())));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onWatch(State state, Watch c) {
    if (!(state instanceof Finished)) {
      return Effect().none().thenRun(s -> watchers.add(c.replyTo()))
          .thenReply(c.replyTo(), InferenceJob::view);
    }
    return Effect().reply(c.replyTo(), view(state));
  }

  private ReplyEffect<Event, State> ignore(State state, Command c) {
    context.getLog().debug("job {}: ignoring {} in state {}", jobId, c,
        state.getClass().getSimpleName());
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onSubmitNew(NoJob state, Submit c) {
    JobSpec spec = c.spec();
    Optional<String> problem = spec.problem();
    if (problem.isEmpty() && !spec.jobId().equals(jobId)) {
      problem = Optional.of("job " + spec.jobId() + " was sent to the entity of job " + jobId);
    }
    if (problem.isPresent()) {
      return Effect().reply(c.replyTo(), StatusReply.error(problem.get()));
    }
    ValidatorPool pool = directory.snapshot();
    ValidatorSet set = pool.set();
    if (pool.size() == 0) {
      return Effect().reply(c.replyTo(),
          StatusReply.error("no validators available: the validator pool is empty"));
    }
    if (spec.r() > pool.size()) {
      return Effect().reply(c.replyTo(), StatusReply.error("r=" + spec.r() + " exceeds the "
          + pool.size() + " available validator(s)"));
    }
    if (spec.q() < set.threshold()) {
      return Effect().reply(c.replyTo(), StatusReply.error("q=" + spec.q()
          + " is below the validator set's threshold " + set.threshold() + " (epoch "
          + set.epoch() + ")"));
    }
    List<ValidatorAddress> committee = CommitteeSelector.select(JobId.parse(jobId), pool.nodes(),
        spec.r(), Set.of(), List.of());
    JobAccepted accepted = new JobAccepted(spec, text(committee), set.epoch(), set.threshold(),
        text(set.members()), pool.domain().chainId(),
        pool.domain().verifyingContract().toString(), now());
    context.getLog().info("job {} accepted: committee {}, q={}", jobId, committee, spec.q());
    return Effect().persist(accepted)
        .thenRun(s -> waiters.add(c.replyTo()))
        .thenRun(s -> afterChange(null, s))
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onSubmitRunning(Running state, Submit c) {
    if (!c.spec().sameRequestAs(state.job().spec())) {
      return Effect().reply(c.replyTo(), differentRequest());
    }
    return Effect().none().thenRun(s -> waiters.add(c.replyTo())).thenNoReply();
  }

  private ReplyEffect<Event, State> onSubmitFinished(Finished state, Submit c) {
    if (!c.spec().sameRequestAs(state.job().spec())) {
      return Effect().reply(c.replyTo(), differentRequest());
    }
    return Effect().reply(c.replyTo(), finalReply(state.job()));
  }

  private ReplyEffect<Event, State> onRecordAnchor(Finished state, RecordAnchor c) {
    armPassivation();
    Job job = state.job();
    JobAnchor a = c.anchor();
    Optional<Bytes32> digest = job.attestationDigest();
    if (digest.isEmpty()) {
      return Effect().reply(c.replyTo(), StatusReply.error("job " + jobId + " is "
          + job.status() + ", only an agreed job is anchored"));
    }
    if (job.anchor() != null) {
      if (job.anchor().batchId() != a.batchId()) {
        context.getLog().warn("job {}: already anchored in batch {}, ignoring batch {}", jobId,
            job.anchor().batchId(), a.batchId());
      }
      return Effect().reply(c.replyTo(), StatusReply.ack());
    }
    String problem = anchorProblem(digest.get(), a);
    if (problem != null) {
      context.getLog().error("job {}: anchor record refused: {}", jobId, problem);
      return Effect().reply(c.replyTo(), StatusReply.error(problem));
    }
    return Effect().persist(new JobAnchored(a, now())).thenReply(c.replyTo(),
        s -> StatusReply.ack());
  }

  /** Why {@code a} does not prove this job's attestation digest, or null when it does. */
  private static String anchorProblem(Bytes32 digest, JobAnchor a) {
    try {
      Bytes32 leaf = StandardMerkleTree.leafHash(digest);
      if (!leaf.equals(Bytes32.parse(a.leaf()))) {
        return "the leaf " + a.leaf() + " is not this job's (" + leaf.toHex() + ")";
      }
      List<Bytes32> proof = a.proof().stream().map(Bytes32::parse).toList();
      if (!StandardMerkleTree.verify(Bytes32.parse(a.root()), leaf, proof)) {
        return "the proof does not lead to root " + a.root();
      }
      return null;
    } catch (MalformedValueException e) {
      return "malformed anchor record: " + e.getMessage();
    }
  }

  private ReplyEffect<Event, State> onAnswer(Running state, ValidatorAnswered c) {
    Job job = state.job();
    ValidatorAddress who;
    try {
      who = ValidatorAddress.parse(c.result().validator());
    } catch (MalformedValueException | NullPointerException e) {
      context.getLog().warn("job {}: answer from an unparseable validator address, ignored: {}",
          jobId, c.result());
      return Effect().noReply();
    }
    if (!job.isMember(who)) {
      context.getLog().warn("job {}: {} answered but is not a committee member (NON_MEMBER), "
          + "ignored", jobId, who);
      return Effect().noReply();
    }
    if (c.result() instanceof ValidatorProtocol.ExecutionFailed failed) {
      return memberLost(job, who, "failed to execute: " + failed.reason());
    }
    ValidatorProtocol.Executed executed = (ValidatorProtocol.Executed) c.result();
    Vote vote;
    byte[] output = executed.canonicalOutput();
    try {
      ContentDigest digest = ContentDigest.parse(executed.outputDigest());
      if (output == null || !digest.matches(output)) {
        context.getLog().warn("job {}: {} sent output bytes that do not hash to {}", jobId, who,
            digest);
        return memberLost(job, who, "sent output bytes that do not hash to its output digest");
      }
      vote = new Vote(job.claim().attest(digest), who, Signature.parse(executed.signature()));
    } catch (MalformedValueException | NullPointerException e) {
      context.getLog().warn("job {}: malformed vote from {}: {}", jobId, who, e.getMessage());
      return memberLost(job, who, "sent a malformed vote: " + e.getMessage());
    }
    QuorumTally.Added added = job.tally().add(vote);
    VoteStatus status = added.status();
    switch (status) {
      case DUPLICATE:
        return Effect().noReply();
      case NON_MEMBER:
      case WRONG_JOB:
      case BAD_SIGNATURE:
        context.getLog().warn("job {}: vote from {} rejected ({})", jobId, who, status);
        return memberLost(job, who, "sent a vote rejected as " + status);
      case ACCEPTED:
      case EQUIVOCATION:
      default:
        if (status == VoteStatus.EQUIVOCATION) {
          context.getLog().warn("job {}: {} equivocated; all its votes are kept as evidence",
              jobId, who);
        }
        String digest = vote.attestation().outputDigest().toString();
        VoteRecorded recorded = new VoteRecorded(who.toString(), digest,
            vote.signature().toHex(), job.outputFor(digest).isPresent() ? null : output,
            status.name(), now());
        return persist(job, conclude(job, List.of(recorded)));
    }
  }

  private ReplyEffect<Event, State> onMemberLost(Running state, MemberLost c) {
    return memberLost(state.job(), ValidatorAddress.parse(c.validator()), c.reason());
  }

  private ReplyEffect<Event, State> onDeadline(Running state, DeadlineReached c) {
    Job job = state.job();
    long timeout = settings.jobTimeout(job.spec().timeoutMillis()).toMillis();
    String reason = "deadline exceeded: no quorum within " + timeout + " ms ("
        + job.votes().size() + " vote(s) recorded, q=" + job.spec().q() + ")";
    context.getLog().info("job {}: {}", jobId, reason);
    return persist(job, List.of(new JobFailed(reason, now())));
  }

  // ---- decisions ----

  /** Replaces a member that failed, unless it already voted or was already replaced. */
  private ReplyEffect<Event, State> memberLost(Job job, ValidatorAddress who, String reason) {
    if (!job.isMember(who) || job.hasVoted(who) || job.hasFailed(who)) {
      return Effect().noReply();
    }
    List<ValidatorAddress> replacement = pickNewMembers(job, 1);
    MemberReplaced event = new MemberReplaced(who.toString(),
        replacement.isEmpty() ? null : replacement.get(0).toString(), reason, now());
    context.getLog().info("job {}: member {} {}; replacement {}", jobId, who, reason,
        event.replacement());
    return persist(job, conclude(job, List.of(event)));
  }

  /**
   * {@code events} followed by what the tally then says: QuorumReached, JobDisputed,
   * CommitteeEscalated, JobFailed (nobody left to answer), or nothing (still pending).
   */
  private List<Event> conclude(Job before, List<Event> events) {
    Job job = before;
    for (Event e : events) {
      job = job.apply(e);
    }
    QuorumTally tally = job.tally();
    TallyOutcome outcome = tally.outcome();
    List<Event> out = new ArrayList<>(events);
    if (outcome instanceof TallyOutcome.Agreed agreed) {
      String digest = agreed.outputDigest().toString();
      Bytes32 attested = job.claim().attest(agreed.outputDigest()).digest(job.domain());
      out.add(new QuorumReached(digest, job.outputFor(digest).orElseThrow(),
          text(agreed.signers()), now(), attested.toHex(), job.epoch(), job.chainId(),
          job.verifyingContract()));
    } else if (outcome instanceof TallyOutcome.Disputed disputed) {
      out.add(disputed.reason() == TallyOutcome.DisputeReason.CONFLICTING_QUORUMS
          ? new JobDisputed("conflicting quorums: two outputs each have q=" + job.spec().q()
              + " signers; " + split(disputed), now())
          : escalateOrDispute(job, tally, disputed));
    } else if (job.outstanding().isEmpty()) {
      out.add(new JobFailed("no validators available: every committee member that has not "
          + "voted has failed and the pool has no untried validator left", now()));
    }
    return out;
  }

  private Event escalateOrDispute(Job job, QuorumTally tally, TallyOutcome.Disputed disputed) {
    int best = 0;
    for (long n : disputed.votes().stream().collect(java.util.stream.Collectors.groupingBy(
        v -> v.attestation().outputDigest(), java.util.stream.Collectors.counting())).values()) {
      best = (int) Math.max(best, n);
    }
    int missing = Math.max(1, job.spec().q() - (best + tally.notYetVoted()));
    if (job.escalations() < settings.maxEscalations()) {
      List<ValidatorAddress> extra = pickNewMembers(job, missing);
      if (extra.size() == missing) {
        context.getLog().info("job {}: no quorum reachable ({}); escalating with {}", jobId,
            split(disputed), extra);
        return new CommitteeEscalated(text(extra), now());
      }
      return new JobDisputed("no quorum reachable: " + split(disputed) + "; escalation needs "
          + missing + " more validator(s) but the pool has no untried one", now());
    }
    return new JobDisputed("no quorum reachable after " + job.escalations() + " escalation(s): "
        + split(disputed), now());
  }

  private static String split(TallyOutcome.Disputed disputed) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    disputed.votes().forEach(v -> counts.merge(v.attestation().outputDigest().toString(), 1,
        Integer::sum));
    return "votes by output " + counts + ", " + disputed.equivocations().size()
        + " equivocator(s)";
  }

  /** Untried validators of the job's set, spread over nodes the job does not use yet. */
  private List<ValidatorAddress> pickNewMembers(Job job, int count) {
    ValidatorPool pool = directory.snapshot();
    ValidatorSet set = job.set();
    Map<ValidatorAddress, String> candidates = new LinkedHashMap<>();
    pool.nodes().forEach((a, node) -> {
      if (set.contains(a)) {
        candidates.put(a, node);
      }
    });
    Set<ValidatorAddress> tried = new HashSet<>();
    job.members().forEach(m -> tried.add(ValidatorAddress.parse(m)));
    return CommitteeSelector.select(job.jobId(), candidates, count, tried,
        pool.nodesOf(job.liveMembers()));
  }

  // ---- side effects ----

  private ReplyEffect<Event, State> persist(Job before, List<Event> events) {
    return Effect().persist(events)
        .thenRun(s -> afterChange(before, s))
        .thenNoReply();
  }

  /** After events were persisted: ask new members, settle timers, tell waiters and watchers. */
  private void afterChange(Job before, State after) {
    Job job = jobOf(after);
    if (after instanceof Finished) {
      timers.cancelAll();
      armPassivation();
      JobView view = job.view();
      StatusReply<JobView> reply = finalReply(job, view);
      waiters.forEach(w -> w.tell(reply));
      waiters.clear();
      watchers.forEach(w -> w.tell(view));
      watchers.clear();
      context.getLog().info("job {} final: {}", jobId, job.status());
      return;
    }
    List<String> asked = before == null ? List.of() : before.members();
    List<ValidatorAddress> fresh = job.outstanding().stream()
        .filter(m -> !asked.contains(m.toString())).toList();
    ask(job, fresh);
    for (String m : job.members()) {
      ValidatorAddress a = ValidatorAddress.parse(m);
      if (job.hasVoted(a) || job.hasFailed(a)) {
        timers.cancel(memberTimer(m));
      }
    }
    if (before == null) {
      armDeadline(job);
    }
    if (!watchers.isEmpty()) {
      JobView view = job.view();
      watchers.forEach(w -> w.tell(view));
    }
  }

  private void onRecoveryCompleted(State state) {
    if (state instanceof Finished || state instanceof NoJob) {
      armPassivation();
    }
    if (state instanceof Running running) {
      Job job = running.job();
      context.getLog().info("job {} recovered while running; re-asking {}", jobId,
          job.outstanding());
      ask(job, job.outstanding());
      armDeadline(job);
    }
  }

  private void ask(Job job, List<ValidatorAddress> members) {
    if (members.isEmpty()) {
      return;
    }
    ValidatorPool pool = directory.snapshot();
    JobSpec spec = job.spec();
    ValidatorProtocol.Execute execute = new ValidatorProtocol.Execute(jobId, spec.modelDigest(),
        spec.policy(), job.epoch(), spec.inputs(), answers);
    for (ValidatorAddress m : members) {
      Optional<ValidatorPool.ValidatorHandle> handle = pool.handle(m);
      if (handle.isPresent()) {
        handle.get().ref().tell(execute);
        timers.startSingleTimer(memberTimer(m.toString()), new MemberLost(m.toString(),
            "did not answer within " + settings.validatorTimeout().toMillis() + " ms"),
            settings.validatorTimeout());
      } else {
        context.getSelf().tell(new MemberLost(m.toString(), "is not available (no live "
            + "validator actor)"));
      }
    }
  }

  /** (Re)starts the timer after which a finished job stops itself; none outside sharding. */
  private void armPassivation() {
    passivation.ifPresent(p ->
        timers.startSingleTimer("passivate", PassivateFinished.INSTANCE, p.after()));
  }

  private void armDeadline(Job job) {
    long deadline = job.acceptedAt() + settings.jobTimeout(job.spec().timeoutMillis()).toMillis();
    long remaining = Math.max(0, deadline - now());
    timers.startSingleTimer("deadline", DeadlineReached.INSTANCE, Duration.ofMillis(remaining));
  }

  // ---- helpers ----

  private static JobView view(State state) {
    if (state instanceof NoJob noJob) {
      return JobView.unknown(noJob.jobId());
    }
    return jobOf(state).view();
  }

  private static Job jobOf(State state) {
    if (state instanceof Running r) {
      return r.job();
    }
    if (state instanceof Finished f) {
      return f.job();
    }
    throw new IllegalStateException("no job in " + state);
  }

  private static StatusReply<JobView> finalReply(Job job) {
    return finalReply(job, job.view());
  }

  private static StatusReply<JobView> finalReply(Job job, JobView view) {
    return job.status() == JobView.Status.FAILED
        ? StatusReply.error(job.outcomeDetail())
        : StatusReply.success(view);
  }

  private StatusReply<JobView> differentRequest() {
    return StatusReply.error("job " + jobId + " already exists for a different request "
        + "(same id, different spec)");
  }

  private static String memberTimer(String validator) {
    return "member-" + validator;
  }

  private static List<String> text(List<ValidatorAddress> addresses) {
    return addresses.stream().map(ValidatorAddress::toString).toList();
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
