package io.verdict.sharding.job;

import static io.verdict.sharding.job.TestValidators.OUTPUT_A;
import static io.verdict.sharding.job.TestValidators.OUTPUT_B;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.verdict.sharding.job.InferenceJob.Command;
import io.verdict.sharding.job.InferenceJob.CommitteeEscalated;
import io.verdict.sharding.job.InferenceJob.Event;
import io.verdict.sharding.job.InferenceJob.Finished;
import io.verdict.sharding.job.InferenceJob.JobAccepted;
import io.verdict.sharding.job.InferenceJob.MemberReplaced;
import io.verdict.sharding.job.InferenceJob.NoJob;
import io.verdict.sharding.job.InferenceJob.Running;
import io.verdict.sharding.job.InferenceJob.State;
import io.verdict.verification.Bytes32;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.merkle.StandardMerkleTree;
import io.verdict.verification.receipt.Receipt;
import io.verdict.verification.receipt.ReceiptCodec;
import io.verdict.verification.receipt.ReceiptVerifier;
import io.verdict.verification.receipt.VerificationReport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The InferenceJob entity against TestProbes acting as validators that sign real EIP-712 votes.
 * EventSourcedBehaviorTestKit checks that every command, event, state and reply serializes
 * (Jackson CBOR); ManualTime drives validator timeouts and deadlines.
 */
class InferenceJobTest {
  private static final ActorTestKit KIT = ActorTestKit.create("InferenceJobTest",
      ManualTime.config().withFallback(EventSourcedBehaviorTestKit.config())
          .withFallback(ConfigFactory.load()));
  private static final ManualTime TIME = ManualTime.get(KIT.system());
  private static final JobSettings SETTINGS = JobSettings.DEFAULTS
      .withValidatorTimeout(Duration.ofSeconds(5)).withMaxJobTimeout(Duration.ofSeconds(30))
      .withMaxEscalations(2).withSnapshotEvery(3);
  private static final Duration QUIET = Duration.ofMillis(200);

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  /** A job entity, its validators and a client waiting on Submit. */
  private static final class Fixture {
    final TestValidators validators;
    final JobSpec spec;
    final EventSourcedBehaviorTestKit<Command, Event, State> es;
    final TestProbe<StatusReply<JobView>> client = KIT.createTestProbe();
    List<ValidatorAddress> committee;

    Fixture(TestValidators validators, JobSpec spec, JobSettings settings) {
      this.validators = validators;
      this.spec = spec;
      this.es = EventSourcedBehaviorTestKit.create(KIT.system(),
          InferenceJob.create(spec.jobId(), validators, settings));
    }

    Fixture(int poolSize, int nodes, JobSpec spec) {
      this(new TestValidators(KIT, poolSize, nodes), spec, SETTINGS);
    }

    /** Submits and returns the persisted committee. */
    List<ValidatorAddress> submit() {
      var result = es.runCommand(new InferenceJob.Submit(spec, client.ref()));
      assertThat(result.events()).hasSize(1);
      JobAccepted accepted = (JobAccepted) result.events().get(0);
      committee = accepted.committee().stream().map(ValidatorAddress::parse).toList();
      return committee;
    }

    ValidatorAddress member(int i) {
      return committee.get(i);
    }

    JobView get() {
      return es.<JobView>runCommand(InferenceJob.Get::new).reply();
    }

    Job job() {
      State s = es.getState();
      return s instanceof Running r ? r.job() : ((Finished) s).job();
    }

    JobView awaitFinal() {
      StatusReply<JobView> reply = client.receiveMessage();
      assertThat(reply.isSuccess()).as("reply %s", reply).isTrue();
      return reply.getValue();
    }

    /** The single member added by the last MemberReplaced or CommitteeEscalated. */
    ValidatorAddress lastAdded() {
      List<String> added = job().added();
      return ValidatorAddress.parse(added.get(added.size() - 1));
    }
  }

  private static Receipt verifiedReceipt(JobView view) {
    Receipt receipt = ReceiptCodec.fromJson(view.receiptJson());
    VerificationReport report = ReceiptVerifier.verify(receipt);
    assertThat(report.valid()).as(report.toString()).isTrue();
    return receipt;
  }

  // ---- happy path and idempotency ----

  @Test
  void agreesAfterTheSecondMatchingVoteWithAReceiptThatVerifies() {
    Fixture f = new Fixture(5, 3, TestValidators.spec(3, 2));
    List<ValidatorAddress> committee = f.submit();
    assertThat(Set.copyOf(committee.stream().map(f.validators.nodes::get).toList()))
        .as("one member per node").hasSize(3);
    assertThat(f.get().status()).isEqualTo(JobView.Status.ACCEPTED);

    f.validators.answer(f.member(0), OUTPUT_A);
    f.client.expectNoMessage(QUIET);
    assertThat(f.get().status()).isEqualTo(JobView.Status.EXECUTING);
    ValidatorProtocol.Execute third = f.validators.expectExecute(f.member(2));
    f.validators.answer(f.member(1), OUTPUT_A);

    JobView view = f.awaitFinal();
    assertThat(view.status()).isEqualTo(JobView.Status.AGREED);
    assertThat(view.output()).isEqualTo(OUTPUT_A);
    assertThat(view.outputDigest()).isEqualTo(ContentDigest.of(OUTPUT_A).toString());
    assertThat(view.history()).extracting(JobView.HistoryEntry::event)
        .containsExactly("JobAccepted", "VoteRecorded", "VoteRecorded", "QuorumReached");
    Receipt receipt = verifiedReceipt(view);
    assertThat(receipt.signatures()).extracting(Receipt.SignatureEntry::validator)
        .containsExactlyInAnyOrder(f.member(0).toString(), f.member(1).toString());
    assertThat(receipt.quorum()).isEqualTo(2);
    assertThat(receipt.jobId()).isEqualTo(f.spec.jobId());
    assertThat(f.es.getState()).isInstanceOf(Finished.class);

    // the third member's late vote changes nothing
    third.replyTo().tell(f.validators.vote(f.member(2), third, OUTPUT_A));
    assertThat(f.get()).isEqualTo(view);
  }

  @Test
  void resubmittingTheSameRequestJoinsTheJobAndLaterReturnsTheSameReceipt() {
    Fixture f = new Fixture(3, 3, TestValidators.spec(3, 2));
    f.submit();
    TestProbe<StatusReply<JobView>> retry = KIT.createTestProbe();
    var joined = f.es.runCommand(new InferenceJob.Submit(f.spec.withTimeoutMillis(9000),
        retry.ref()));
    assertThat(joined.events()).isEmpty();
    f.validators.answer(f.member(0), OUTPUT_A);
    f.validators.answer(f.member(1), OUTPUT_A);
    JobView first = f.awaitFinal();
    assertThat(retry.receiveMessage().getValue()).isEqualTo(first);

    var again = f.es.<StatusReply<JobView>>runCommand(r -> new InferenceJob.Submit(f.spec, r));
    assertThat(again.events()).isEmpty();
    assertThat(again.reply().getValue().receiptJson()).isEqualTo(first.receiptJson());
    assertThat(f.get()).isEqualTo(first);
    f.validators.expectExecute(f.member(2));
    for (ValidatorAddress m : f.committee) {
      // committee members were asked exactly once
      f.validators.probe(m).expectNoMessage(Duration.ofMillis(50));
    }
  }

  @Test
  void sameIdWithADifferentSpecIsAnErrorWhileRunningAndWhenFinal() {
    Fixture f = new Fixture(3, 3, TestValidators.spec(3, 2));
    f.submit();
    JobSpec s = f.spec;
    JobSpec relabelled = new JobSpec(s.jobId(), "other-name", s.modelVersion(), s.modelDigest(),
        s.policy(), s.inputDigest(), s.inputs(), s.r(), s.q(), s.requester(),
        s.clientRequestId(), s.timeoutMillis());
    var running = f.es.<StatusReply<JobView>>runCommand(
        r -> new InferenceJob.Submit(relabelled, r));
    assertThat(running.events()).isEmpty();
    assertThat(running.reply().isError()).isTrue();
    assertThat(running.reply().getError().getMessage()).contains("different request");

    f.validators.answer(f.member(0), OUTPUT_A);
    f.validators.answer(f.member(1), OUTPUT_A);
    f.awaitFinal();
    var finished = f.es.<StatusReply<JobView>>runCommand(
        r -> new InferenceJob.Submit(relabelled, r));
    assertThat(finished.reply().isError()).isTrue();
    assertThat(finished.events()).isEmpty();
  }

  @Test
  void getAndWatchOnAnUnknownJob() {
    JobSpec spec = TestValidators.spec(3, 2);
    Fixture f = new Fixture(3, 3, spec);
    JobView view = f.get();
    assertThat(view.status()).isEqualTo(JobView.Status.UNKNOWN);
    assertThat(view.jobId()).isEqualTo(spec.jobId());
    assertThat(f.es.getState()).isEqualTo(new NoJob(spec.jobId()));
  }

  @Test
  void watchPushesEveryChangeUntilFinal() {
    Fixture f = new Fixture(3, 3, TestValidators.spec(3, 2));
    f.submit();
    TestProbe<JobView> watcher = KIT.createTestProbe();
    var now = f.es.<JobView>runCommand(InferenceJob.Watch::new);
    assertThat(now.reply().status()).isEqualTo(JobView.Status.ACCEPTED);
    f.es.runCommand(new InferenceJob.Watch(watcher.ref()));
    assertThat(watcher.receiveMessage().status()).isEqualTo(JobView.Status.ACCEPTED);

    f.validators.answer(f.member(0), OUTPUT_A);
    JobView executing = watcher.receiveMessage();
    assertThat(executing.status()).isEqualTo(JobView.Status.EXECUTING);
    assertThat(executing.votes()).containsExactly(new JobView.VoteEntry(f.member(0).toString(),
        ContentDigest.of(OUTPUT_A).toString()));
    f.validators.answer(f.member(1), OUTPUT_A);
    assertThat(watcher.receiveMessage().status()).isEqualTo(JobView.Status.AGREED);
    f.validators.answer(f.member(2), OUTPUT_A);
    watcher.expectNoMessage(QUIET);
  }

  // ---- rejections ----

  private static void assertRejected(Fixture f, JobSpec spec, String messagePart) {
    var result = f.es.<StatusReply<JobView>>runCommand(r -> new InferenceJob.Submit(spec, r));
    assertThat(result.events()).as("nothing persisted").isEmpty();
    assertThat(result.reply().isError()).isTrue();
    assertThat(result.reply().getError().getMessage()).contains(messagePart);
    assertThat(result.state()).isInstanceOf(NoJob.class);
    for (var probe : f.validators.probes.values()) {
      probe.expectNoMessage(Duration.ofMillis(20));
    }
  }

  @Test
  void rejectsQuorumLargerThanCommittee() {
    JobSpec spec = TestValidators.spec(2, 3);
    assertRejected(new Fixture(5, 3, spec), spec, "q=3 exceeds r=2");
  }

  @Test
  void rejectsQuorumBelowTheSetThreshold() {
    JobSpec spec = TestValidators.spec(3, 1);
    assertRejected(new Fixture(5, 3, spec), spec, "below the validator set's threshold 2");
  }

  @Test
  void rejectsCommitteeLargerThanThePool() {
    JobSpec spec = TestValidators.spec(5, 3);
    assertRejected(new Fixture(4, 3, spec), spec, "r=5 exceeds the 4 available validator(s)");
  }

  @Test
  void rejectsWhenNoValidatorIsLive() {
    JobSpec spec = TestValidators.spec(3, 2);
    Fixture f = new Fixture(3, 3, spec);
    f.validators.probes.keySet().forEach(f.validators::remove);
    assertRejected(f, spec, "no validators available");
  }

  @Test
  void rejectsAJobIdThatIsNotDerivedFromTheRequest() {
    JobSpec s = TestValidators.spec(3, 2);
    JobSpec forged = new JobSpec("0x" + "ab".repeat(32), s.modelName(), s.modelVersion(),
        s.modelDigest(), s.policy(), s.inputDigest(), s.inputs(), s.r(), s.q(), s.requester(),
        s.clientRequestId(), s.timeoutMillis());
    assertRejected(new Fixture(new TestValidators(KIT, 3, 3), forged, SETTINGS), forged,
        "is not the id derived from the request");
  }

  @Test
  void rejectsInputsThatDoNotHashToTheInputDigest() {
    JobSpec s = TestValidators.spec(3, 2);
    JobSpec tampered = new JobSpec(s.jobId(), s.modelName(), s.modelVersion(), s.modelDigest(),
        s.policy(), s.inputDigest(), "other".getBytes(StandardCharsets.US_ASCII), s.r(), s.q(),
        s.requester(), s.clientRequestId(), s.timeoutMillis());
    assertRejected(new Fixture(new TestValidators(KIT, 3, 3), tampered, SETTINGS), tampered,
        "inputs do not hash to the input digest");
  }

  @Test
  void rejectsASpecSentToAnotherJobsEntity() {
    JobSpec mine = TestValidators.spec(3, 2);
    JobSpec other = TestValidators.spec(3, 2);
    Fixture f = new Fixture(3, 3, mine);
    assertRejected(f, other, "was sent to the entity of job " + mine.jobId());
  }

  // ---- faulty validators ----

  @Test
  void aWrongOutputIsOutvotedAndAppearsAsEvidenceInTheReceipt() {
    Fixture f = new Fixture(3, 3, TestValidators.spec(3, 2));
    f.submit();
    f.validators.answer(f.member(0), OUTPUT_A);
    f.validators.answer(f.member(1), OUTPUT_B);
    f.client.expectNoMessage(QUIET);
    f.validators.answer(f.member(2), OUTPUT_A);

    JobView view = f.awaitFinal();
    assertThat(view.status()).isEqualTo(JobView.Status.AGREED);
    Receipt receipt = verifiedReceipt(view);
    assertThat(receipt.evidence().dissenting()).singleElement().satisfies(d -> {
      assertThat(d.validator()).isEqualTo(f.member(1).toString());
      assertThat(d.outputDigest()).isEqualTo(ContentDigest.of(OUTPUT_B).toString());
    });
    assertThat(receipt.signatures()).extracting(Receipt.SignatureEntry::validator)
        .doesNotContain(f.member(1).toString());
  }

  @Test
  void anEquivocationIsKeptAsEvidenceWithBothVotesAndNotCounted() {
    Fixture f = new Fixture(3, 3, TestValidators.spec(3, 2));
    f.submit();
    ValidatorAddress liar = f.member(0);
    ValidatorProtocol.Execute ex = f.validators.expectExecute(liar);
    ex.replyTo().tell(f.validators.vote(liar, ex, OUTPUT_A));
    ex.replyTo().tell(f.validators.vote(liar, ex, OUTPUT_B));
    ex.replyTo().tell(f.validators.vote(liar, ex, OUTPUT_B)); // duplicate: ignored
    f.validators.answer(f.member(1), OUTPUT_A);
    f.client.expectNoMessage(QUIET);
    assertThat(f.job().votes()).extracting(Job.RecordedVote::status)
        .containsExactly("ACCEPTED", "EQUIVOCATION", "ACCEPTED");
    f.validators.answer(f.member(2), OUTPUT_A);

    JobView view = f.awaitFinal();
    Receipt receipt = verifiedReceipt(view);
    assertThat(receipt.signatures()).extracting(Receipt.SignatureEntry::validator)
        .containsExactlyInAnyOrder(f.member(1).toString(), f.member(2).toString());
    assertThat(receipt.evidence().equivocations()).singleElement().satisfies(e -> {
      assertThat(e.validator()).isEqualTo(liar.toString());
      assertThat(e.votes()).extracting(Receipt.EvidenceVote::outputDigest)
          .containsExactlyInAnyOrder(ContentDigest.of(OUTPUT_A).toString(),
              ContentDigest.of(OUTPUT_B).toString());
    });
  }

  @Test
  void aBadSignatureGetsTheMemberReplaced() {
    Fixture f = new Fixture(5, 3, TestValidators.spec(3, 2));
    f.submit();
    ValidatorAddress cheat = f.member(0);
    ValidatorProtocol.Execute ex = f.validators.expectExecute(cheat);
    ValidatorKey impostor = ValidatorKey.generate();
    Vote forged = Vote.sign(impostor, TestValidators.DOMAIN,
        TestValidators.attestation(ex, ContentDigest.of(OUTPUT_A)));
    ex.replyTo().tell(new ValidatorProtocol.Executed(cheat.toString(),
        ContentDigest.of(OUTPUT_A).toString(), forged.signature().toHex(), OUTPUT_A));

    assertReplacedThenAgrees(f, cheat, "BAD_SIGNATURE");
  }

  @Test
  void outputBytesThatDoNotMatchTheDigestGetTheMemberReplaced() {
    Fixture f = new Fixture(5, 3, TestValidators.spec(3, 2));
    f.submit();
    ValidatorAddress cheat = f.member(0);
    ValidatorProtocol.Execute ex = f.validators.expectExecute(cheat);
    ValidatorProtocol.Executed honest = f.validators.vote(cheat, ex, OUTPUT_A);
    ex.replyTo().tell(new ValidatorProtocol.Executed(honest.validator(), honest.outputDigest(),
        honest.signature(), OUTPUT_B));

    assertReplacedThenAgrees(f, cheat, "do not hash");
  }

  @Test
  void anExecutionFailureGetsTheMemberReplaced() {
    Fixture f = new Fixture(5, 3, TestValidators.spec(3, 2));
    f.submit();
    ValidatorAddress broken = f.member(0);
    f.validators.expectExecute(broken).replyTo()
        .tell(new ValidatorProtocol.ExecutionFailed(broken.toString(), "model not loaded"));

    assertReplacedThenAgrees(f, broken, "model not loaded");
  }

  private static void assertReplacedThenAgrees(Fixture f, ValidatorAddress failed,
                                               String reasonPart) {
    f.client.expectNoMessage(QUIET);
    Job job = f.job();
    assertThat(job.failed()).containsExactly(failed.toString());
    ValidatorAddress replacement = f.lastAdded();
    assertThat(f.committee).doesNotContain(replacement);
    assertThat(job.history()).filteredOn(h -> h.event().equals("MemberReplaced"))
        .singleElement().satisfies(h -> assertThat(h.detail()).contains(reasonPart));
    assertThat(job.votes()).isEmpty();

    f.validators.answer(replacement, OUTPUT_A);
    f.validators.answer(f.member(1), OUTPUT_A);
    JobView view = f.awaitFinal();
    Receipt receipt = verifiedReceipt(view);
    assertThat(receipt.signatures()).extracting(Receipt.SignatureEntry::validator)
        .containsExactlyInAnyOrder(replacement.toString(), f.member(1).toString());
    assertThat(receipt.committee()).hasSize(4);
  }

  // ---- timeouts, deadline, running out of validators ----

  @Test
  void aSilentMemberIsReplacedAfterTheValidatorTimeoutAndTheJobStillCompletes() {
    Fixture f = new Fixture(5, 3, TestValidators.spec(3, 2));
    f.submit();
    f.validators.expectExecute(f.member(0)); // and never answers
    f.validators.answer(f.member(1), OUTPUT_A);
    ValidatorProtocol.Execute slow = f.validators.expectExecute(f.member(2));
    slow.replyTo().tell(new ValidatorProtocol.ExecutionFailed(f.member(2).toString(), "busy"));
    f.client.expectNoMessage(QUIET);
    ValidatorAddress firstReplacement = f.lastAdded();
    f.validators.expectExecute(firstReplacement); // asked, stays silent too

    TIME.timePasses(SETTINGS.validatorTimeout());
    f.client.expectNoMessage(QUIET);
    Job job = f.job();
    assertThat(job.failed()).containsExactlyInAnyOrder(f.member(2).toString(),
        f.member(0).toString(), firstReplacement.toString());
    ValidatorAddress last = f.lastAdded();
    assertThat(job.history()).filteredOn(h -> h.event().equals("MemberReplaced"))
        .anySatisfy(h -> assertThat(h.detail()).contains("did not answer within 5000 ms"));
    f.validators.answer(last, OUTPUT_A);

    JobView view = f.awaitFinal();
    assertThat(view.status()).isEqualTo(JobView.Status.AGREED);
    verifiedReceipt(view);
  }

  @Test
  void aLateVoteFromAReplacedMemberStillCounts() {
    Fixture f = new Fixture(4, 2, TestValidators.spec(3, 2));
    f.submit();
    ValidatorProtocol.Execute late = f.validators.expectExecute(f.member(0));
    TIME.timePasses(SETTINGS.validatorTimeout());
    f.client.expectNoMessage(QUIET);
    assertThat(f.job().failed()).hasSize(3);
    // the old member answers after all, and one more agrees: quorum
    late.replyTo().tell(f.validators.vote(f.member(0), late, OUTPUT_A));
    f.validators.answer(f.member(1), OUTPUT_A);
    JobView view = f.awaitFinal();
    assertThat(verifiedReceipt(view).signatures()).extracting(Receipt.SignatureEntry::validator)
        .containsExactlyInAnyOrder(f.member(0).toString(), f.member(1).toString());
  }

  @Test
  void theDeadlineFailsTheJob() {
    Fixture f = new Fixture(3, 3, TestValidators.spec(3, 2, 2000));
    f.submit();
    f.validators.answer(f.member(0), OUTPUT_A);
    TIME.timePasses(Duration.ofMillis(2000));
    StatusReply<JobView> reply = f.client.receiveMessage();
    assertThat(reply.isError()).isTrue();
    assertThat(reply.getError().getMessage()).startsWith("deadline exceeded");
    JobView view = f.get();
    assertThat(view.status()).isEqualTo(JobView.Status.FAILED);
    assertThat(view.failureReason()).startsWith("deadline exceeded");
    // a retry gets the same answer at once
    var retry = f.es.<StatusReply<JobView>>runCommand(r -> new InferenceJob.Submit(f.spec, r));
    assertThat(retry.reply().getError().getMessage()).startsWith("deadline exceeded");
  }

  @Test
  void runningOutOfValidatorsFailsTheJob() {
    Fixture f = new Fixture(3, 3, TestValidators.spec(3, 2));
    f.submit();
    f.validators.answer(f.member(0), OUTPUT_A);
    TIME.timePasses(SETTINGS.validatorTimeout());
    StatusReply<JobView> reply = f.client.receiveMessage();
    assertThat(reply.isError()).isTrue();
    assertThat(reply.getError().getMessage()).startsWith("no validators available");
    assertThat(f.job().history()).extracting(JobView.HistoryEntry::event)
        .containsExactly("JobAccepted", "VoteRecorded", "MemberReplaced", "MemberReplaced",
            "JobFailed");
  }

  @Test
  void aMemberWhoseNodeIsGoneIsReplacedAtOnce() {
    TestValidators validators = new TestValidators(KIT, 5, 5);
    JobSpec spec = TestValidators.spec(3, 2);
    Fixture f = new Fixture(validators, spec, SETTINGS);
    f.submit();
    f.validators.expectExecute(f.member(0));
    f.validators.remove(f.member(1));
    f.es.restart();
    // after recovery the job re-asks its members; member 1 has no live actor any more
    assertThat(f.get().history()).extracting(JobView.HistoryEntry::detail)
        .anySatisfy(d -> assertThat(d).contains(f.member(1) + " is not available"));
    assertThat(f.job().failed()).containsExactly(f.member(1).toString());
    ValidatorAddress replacement = f.lastAdded();
    assertThat(replacement).isNotIn(f.committee);
    f.validators.answer(f.member(0), OUTPUT_A); // the Execute sent before the restart
    f.validators.answer(replacement, OUTPUT_A);
    assertThat(f.get().status()).isEqualTo(JobView.Status.AGREED);
  }

  // ---- disagreement ----

  @Test
  void allDisagreeEscalatesThenEndsDisputedWithEvidence() {
    Fixture f = new Fixture(6, 3, TestValidators.spec(3, 2));
    f.submit();
    for (int i = 0; i < 3; i++) {
      f.validators.answer(f.member(i), ("output " + i).getBytes(StandardCharsets.US_ASCII));
    }
    for (int escalation = 1; escalation <= 2; escalation++) {
      f.client.expectNoMessage(QUIET);
      assertThat(f.job().escalations()).isEqualTo(escalation);
      f.validators.answer(f.lastAdded(),
          ("extra " + escalation).getBytes(StandardCharsets.US_ASCII));
    }
    JobView view = f.awaitFinal();
    assertThat(view.status()).isEqualTo(JobView.Status.DISPUTED);
    assertThat(view.receiptJson()).isNull();
    assertThat(view.committee()).hasSize(5);
    assertThat(view.evidence().reason()).contains("after 2 escalation(s)");
    assertThat(view.evidence().byOutput()).hasSize(5)
        .allSatisfy(g -> assertThat(g.votes()).hasSize(1));
    assertThat(f.job().history()).extracting(JobView.HistoryEntry::event)
        .filteredOn(e -> e.equals("CommitteeEscalated")).hasSize(2);
    assertThat(f.get()).isEqualTo(view);
  }

  @Test
  void disputedWhenThePoolHasNoValidatorToEscalateTo() {
    Fixture f = new Fixture(3, 3, TestValidators.spec(3, 2));
    f.submit();
    f.validators.answer(f.member(0), OUTPUT_A);
    f.validators.answer(f.member(1), OUTPUT_B);
    f.validators.answer(f.member(2), "output C".getBytes(StandardCharsets.US_ASCII));
    JobView view = f.awaitFinal();
    assertThat(view.status()).isEqualTo(JobView.Status.DISPUTED);
    assertThat(view.evidence().reason()).contains("no untried one");
    assertThat(view.evidence().byOutput().stream()
        .flatMap(g -> g.votes().stream()).map(JobView.SignedVote::validator)
        .collect(Collectors.toSet()))
        .isEqualTo(Set.copyOf(f.committee.stream().map(Object::toString).toList()));
  }

  @Test
  void withASmallQuorumTheFirstOutputToReachItIsFinal() {
    Fixture f = new Fixture(4, 4, TestValidators.spec(4, 2));
    f.submit();
    f.validators.answer(f.member(0), OUTPUT_A);
    f.validators.answer(f.member(1), OUTPUT_B);
    f.validators.answer(f.member(2), OUTPUT_B);
    // B reached q=2 first: that is agreement, and it is final
    JobView view = f.awaitFinal();
    assertThat(view.status()).isEqualTo(JobView.Status.AGREED);
    assertThat(view.output()).isEqualTo(OUTPUT_B);
  }

  // ---- recovery ----

  @Test
  void recoveryGivesAnEqualStateAndReasksMembersThatHaveNotVoted() {
    Fixture f = new Fixture(5, 3, TestValidators.spec(3, 2));
    f.submit();
    f.validators.answer(f.member(0), OUTPUT_A);
    ValidatorAddress failing = f.member(1);
    f.validators.expectExecute(failing).replyTo()
        .tell(new ValidatorProtocol.ExecutionFailed(failing.toString(), "oom"));
    f.client.expectNoMessage(QUIET);
    ValidatorAddress replacement = f.lastAdded();
    f.validators.expectExecute(replacement);
    f.validators.expectExecute(f.member(2));
    State before = f.es.getState();

    State after = f.es.restart().state();
    assertThat(after).isEqualTo(before);
    // members without a vote are asked again; the voter and the failed member are not
    f.validators.probe(f.member(0)).expectNoMessage(QUIET);
    f.validators.probe(failing).expectNoMessage(QUIET);
    f.validators.answer(replacement, OUTPUT_A);
    ValidatorProtocol.Execute again = f.validators.expectExecute(f.member(2));
    assertThat(again.inputs()).isEqualTo(f.spec.inputs());

    JobView view = f.get();
    assertThat(view.status()).isEqualTo(JobView.Status.AGREED);
    verifiedReceipt(view);
    State finished = f.es.getState();
    assertThat(f.es.restart().state()).isEqualTo(finished);
    for (var probe : f.validators.probes.values()) {
      probe.expectNoMessage(Duration.ofMillis(20));
    }
    assertThat(f.get()).isEqualTo(view);
  }

  // ---- anchoring ----

  @Test
  void anAgreedJobRecordsItsAnchorOnceAndItsReceiptThenCarriesTheProofAndLocation() {
    Fixture f = new Fixture(5, 3, TestValidators.spec(3, 2));
    f.submit();
    var early = f.es.<StatusReply<Done>>runCommand(r -> new InferenceJob.RecordAnchor(
        new JobAnchor(1, "0x" + "00".repeat(32), List.of(), "0x" + "00".repeat(32), 31337,
            "0x0000000000000000000000000000000000000000", "0x" + "11".repeat(32), 5), r));
    assertThat(early.reply().isError()).isTrue();
    f.validators.answer(f.member(0), OUTPUT_A);
    f.validators.answer(f.member(1), OUTPUT_A);
    JobView agreed = f.awaitFinal();
    Bytes32 digest = f.job().attestationDigest().orElseThrow();
    Receipt before = verifiedReceipt(agreed);
    assertThat(before.attestationDigest()).isEqualTo(digest.toHex());
    assertThat(before.merkle()).isNull();

    // a batch of three other values and this job's digest
    List<Bytes32> values = List.of(Bytes32.wrap(new byte[32]), digest,
        Bytes32.parse("0x" + "ab".repeat(32)), Bytes32.parse("0x" + "cd".repeat(32)));
    StandardMerkleTree tree = StandardMerkleTree.of(values);
    String contract = before.domain().verifyingContract();
    JobAnchor anchor = new JobAnchor(9, tree.leaf(1).toHex(),
        tree.proof(1).stream().map(Bytes32::toHex).toList(), tree.root().toHex(), 31337,
        contract, "0x" + "11".repeat(32), 42);

    JobAnchor wrongLeaf = new JobAnchor(9, tree.leaf(2).toHex(),
        tree.proof(2).stream().map(Bytes32::toHex).toList(), tree.root().toHex(), 31337,
        contract, "0x" + "11".repeat(32), 42);
    var refused = f.es.<StatusReply<Done>>runCommand(r -> new InferenceJob.RecordAnchor(wrongLeaf, r));
    assertThat(refused.reply().isError()).isTrue();
    assertThat(refused.events()).isEmpty();
    JobAnchor wrongRoot = new JobAnchor(9, anchor.leaf(), anchor.proof(), "0x" + "12".repeat(32),
        31337, contract, "0x" + "11".repeat(32), 42);
    assertThat(f.es.<StatusReply<Done>>runCommand(r -> new InferenceJob.RecordAnchor(wrongRoot, r))
        .reply().isError()).isTrue();

    var recorded = f.es.<StatusReply<Done>>runCommand(r -> new InferenceJob.RecordAnchor(anchor, r));
    assertThat(recorded.reply().isSuccess()).isTrue();
    assertThat(recorded.events()).hasSize(1);
    var again = f.es.<StatusReply<Done>>runCommand(r -> new InferenceJob.RecordAnchor(anchor, r));
    assertThat(again.reply().isSuccess()).isTrue();
    assertThat(again.events()).as("idempotent").isEmpty();

    JobView view = f.get();
    assertThat(view.history()).extracting(JobView.HistoryEntry::event).endsWith("JobAnchored");
    Receipt receipt = verifiedReceipt(view);
    assertThat(receipt.merkle()).isEqualTo(new Receipt.Merkle(9, anchor.leaf(), anchor.proof(),
        anchor.root()));
    assertThat(receipt.anchor()).isEqualTo(new Receipt.Anchor(31337, contract, 9,
        "0x" + "11".repeat(32), 42));
    assertThat(f.es.restart().state()).isEqualTo(f.es.getState());
  }

  @Test
  void quorumReachedCarriesTheSignedAttestationDigestForTheAnchoringService() {
    Fixture f = new Fixture(5, 3, TestValidators.spec(3, 2));
    f.submit();
    f.validators.answer(f.member(0), OUTPUT_A);
    f.validators.answer(f.member(1), OUTPUT_A);
    Receipt receipt = verifiedReceipt(f.awaitFinal());
    InferenceJob.QuorumReached reached = f.es.persistenceTestKit()
        .persistedInStorage("InferenceJob|" + f.spec.jobId()).stream()
        .filter(InferenceJob.QuorumReached.class::isInstance)
        .map(InferenceJob.QuorumReached.class::cast).findFirst().orElseThrow();
    assertThat(reached.attestationDigest()).isEqualTo(receipt.attestationDigest());
    assertThat(reached.epoch()).isEqualTo(receipt.attestation().epoch());
    assertThat(reached.chainId()).isEqualTo(receipt.domain().chainId());
    assertThat(reached.verifyingContract()).isEqualTo(receipt.domain().verifyingContract());
    assertThat(f.job().attestationDigest().orElseThrow().toHex())
        .isEqualTo(receipt.attestationDigest());
  }
}
