package io.verdict.verification.quorum;

import static io.verdict.verification.Fixtures.CLAIM;
import static io.verdict.verification.Fixtures.DOMAIN;
import static io.verdict.verification.Fixtures.EPOCH;
import static io.verdict.verification.Fixtures.OUT_A;
import static io.verdict.verification.Fixtures.OUT_B;
import static io.verdict.verification.Fixtures.OUT_C;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.verification.ContentDigest;
import io.verdict.verification.Fixtures;
import io.verdict.verification.PolicyText;
import io.verdict.verification.TestKeys;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.quorum.TallyOutcome.Agreed;
import io.verdict.verification.quorum.TallyOutcome.DisputeReason;
import io.verdict.verification.quorum.TallyOutcome.Disputed;
import io.verdict.verification.quorum.TallyOutcome.Pending;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuorumTallyTest {
  /** Eight validators in the set; committees are taken from the front. */
  static final List<ValidatorKey> KEYS = TestKeys.validators(8);
  static final ValidatorSet SET = ValidatorSet.of(EPOCH,
      KEYS.stream().map(ValidatorKey::address).toList(), 1);

  static QuorumTally tally(int r, int q) {
    return QuorumTally.open(DOMAIN, SET, CLAIM, addresses(0, r), q);
  }

  static List<ValidatorAddress> addresses(int from, int to) {
    return KEYS.subList(from, to).stream().map(ValidatorKey::address).toList();
  }

  static Vote vote(int validator, ContentDigest output) {
    return Vote.sign(KEYS.get(validator), DOMAIN, Fixtures.attestation(output));
  }

  static QuorumTally add(QuorumTally t, Vote v, VoteStatus expected) {
    QuorumTally.Added added = t.add(v);
    assertThat(added.status()).isEqualTo(expected);
    return added.tally();
  }

  @Test
  void threeOfThreeMajorityAgreesAtTheSecondMatchingVote() {
    QuorumTally t = tally(3, 2);
    assertThat(t.outcome()).isInstanceOf(Pending.class);
    t = add(t, vote(0, OUT_A), VoteStatus.ACCEPTED);
    assertThat(t.outcome()).isEqualTo(new Pending(java.util.Map.of(OUT_A, 1), 2));
    t = add(t, vote(1, OUT_A), VoteStatus.ACCEPTED);
    Agreed agreed = (Agreed) t.outcome();
    assertThat(agreed.outputDigest()).isEqualTo(OUT_A);
    assertThat(agreed.signers()).containsExactly(KEYS.get(0).address(), KEYS.get(1).address());
    assertThat(agreed.votes()).containsExactly(vote(0, OUT_A), vote(1, OUT_A));
  }

  @Test
  void oneOfOne() {
    QuorumTally t = tally(1, 1);
    t = add(t, vote(0, OUT_A), VoteStatus.ACCEPTED);
    assertThat(((Agreed) t.outcome()).signers()).containsExactly(KEYS.get(0).address());
  }

  @Test
  void fourOfFiveToleratesOneWrongButNotTwo() {
    QuorumTally t = tally(5, 4);
    t = add(t, vote(0, OUT_A), VoteStatus.ACCEPTED);
    t = add(t, vote(1, OUT_B), VoteStatus.ACCEPTED);
    t = add(t, vote(2, OUT_A), VoteStatus.ACCEPTED);
    t = add(t, vote(3, OUT_A), VoteStatus.ACCEPTED);
    assertThat(t.outcome()).isInstanceOf(Pending.class);
    QuorumTally agreed = add(t, vote(4, OUT_A), VoteStatus.ACCEPTED);
    assertThat(((Agreed) agreed.outcome()).signers()).hasSize(4);
    assertThat(agreed.dissentingVotes()).containsExactly(vote(1, OUT_B));

    QuorumTally disputed = add(t, vote(4, OUT_C), VoteStatus.ACCEPTED);
    Disputed d = (Disputed) disputed.outcome();
    assertThat(d.reason()).isEqualTo(DisputeReason.UNREACHABLE);
    assertThat(d.votes()).hasSize(5);
  }

  @Test
  void twoTwoSplitOfFourWithQuorumThreeIsDisputedOnlyOnceUnreachable() {
    QuorumTally t = tally(4, 3);
    t = add(t, vote(0, OUT_A), VoteStatus.ACCEPTED);
    t = add(t, vote(1, OUT_B), VoteStatus.ACCEPTED);
    t = add(t, vote(2, OUT_A), VoteStatus.ACCEPTED);
    assertThat(t.outcome()).isInstanceOf(Pending.class); // 2 + 1 outstanding can still reach 3
    t = add(t, vote(3, OUT_B), VoteStatus.ACCEPTED);
    Disputed d = (Disputed) t.outcome();
    assertThat(d.reason()).isEqualTo(DisputeReason.UNREACHABLE);
    assertThat(d.votes()).containsExactlyInAnyOrder(vote(0, OUT_A), vote(1, OUT_B),
        vote(2, OUT_A), vote(3, OUT_B));
    assertThat(d.equivocations()).isEmpty();
  }

  @Test
  void disputeIsDeclaredAsSoonAsAgreementIsImpossible() {
    QuorumTally t = tally(3, 3);
    t = add(t, vote(0, OUT_A), VoteStatus.ACCEPTED);
    t = add(t, vote(1, OUT_B), VoteStatus.ACCEPTED);
    assertThat(t.outcome()).isInstanceOf(Disputed.class); // third vote cannot help
  }

  @Test
  void exactDuplicateIsIgnored() {
    QuorumTally t = tally(3, 2);
    t = add(t, vote(0, OUT_A), VoteStatus.ACCEPTED);
    QuorumTally again = add(t, vote(0, OUT_A), VoteStatus.DUPLICATE);
    assertThat(again.outcome()).isEqualTo(t.outcome());
    assertThat(again.votes()).hasSize(1);
  }

  @Test
  void nonMemberIsRejectedEvenWithAValidSignature() {
    QuorumTally t = tally(3, 2);
    Vote outsider = vote(5, OUT_A); // in the set, not in the committee
    t = add(t, outsider, VoteStatus.NON_MEMBER);
    Vote stranger = Vote.sign(TestKeys.fromSeed("stranger"), DOMAIN, Fixtures.attestation(OUT_A));
    t = add(t, stranger, VoteStatus.NON_MEMBER);
    assertThat(t.votes()).isEmpty();
  }

  @Test
  void replayOfCheckedVotesGivesTheSameTallyWithoutRecoveringSignatures() {
    List<Vote> votes = List.of(vote(0, OUT_A), vote(1, OUT_B), vote(2, OUT_A));
    QuorumTally checked = tally(3, 2).addAll(votes);
    QuorumTally replayed = tally(3, 2).replay(votes);
    assertThat(replayed.outcome()).isEqualTo(checked.outcome());
    assertThat(replayed.votes()).isEqualTo(checked.votes());
    assertThat(replayed.dissentingVotes()).isEqualTo(checked.dissentingVotes());

    // The contract, made visible: replay trusts signatures, add does not. Membership still applies.
    Vote honest = vote(0, OUT_A);
    Vote impersonation = new Vote(honest.attestation(), KEYS.get(1).address(), honest.signature());
    assertThat(tally(3, 2).addAll(List.of(impersonation)).votes()).isEmpty();
    assertThat(tally(3, 2).replay(List.of(impersonation)).votes()).containsExactly(impersonation);
    Vote outsider = vote(5, OUT_A);
    assertThat(tally(3, 2).replay(List.of(outsider)).votes()).isEmpty();
  }

  @Test
  void badSignatureOrClaimedAddressMismatchIsRejected() {
    QuorumTally t = tally(3, 2);
    Vote honest = vote(0, OUT_A);
    Vote impersonation = new Vote(honest.attestation(), KEYS.get(1).address(),
        honest.signature());
    t = add(t, impersonation, VoteStatus.BAD_SIGNATURE);
    Signature s = honest.signature();
    Vote flipped = new Vote(honest.attestation(), honest.validator(),
        new Signature(s.r(), s.s(), s.v() == 27 ? 28 : 27));
    t = add(t, flipped, VoteStatus.BAD_SIGNATURE);
    Vote otherDigest = new Vote(honest.attestation().withOutputDigest(OUT_B), honest.validator(),
        honest.signature());
    t = add(t, otherDigest, VoteStatus.BAD_SIGNATURE);
    assertThat(t.votes()).isEmpty();
    assertThat(t.equivocations()).isEmpty();
  }

  @Test
  void wrongJobFieldsAreRejected() {
    QuorumTally t = tally(3, 2);
    Attestation a = Fixtures.attestation(OUT_A);
    Attestation[] wrong = {
        new Attestation(io.verdict.verification.JobId.of(new byte[32]), a.modelDigest(),
            a.inputDigest(), a.outputDigest(), a.policy(), a.epoch()),
        new Attestation(a.jobId(), OUT_B, a.inputDigest(), a.outputDigest(), a.policy(),
            a.epoch()),
        new Attestation(a.jobId(), a.modelDigest(), OUT_B, a.outputDigest(), a.policy(),
            a.epoch()),
        new Attestation(a.jobId(), a.modelDigest(), a.inputDigest(), a.outputDigest(),
            PolicyText.of("EXACT"), a.epoch()),
        new Attestation(a.jobId(), a.modelDigest(), a.inputDigest(), a.outputDigest(),
            a.policy(), a.epoch() + 1)};
    for (Attestation w : wrong) {
      t = add(t, Vote.sign(KEYS.get(0), DOMAIN, w), VoteStatus.WRONG_JOB);
    }
    assertThat(t.votes()).isEmpty();
  }

  @Test
  void equivocationKeepsBothVotesAndCountsTheValidatorNowhere() {
    QuorumTally t = tally(3, 2);
    t = add(t, vote(0, OUT_A), VoteStatus.ACCEPTED);
    t = add(t, vote(1, OUT_A), VoteStatus.ACCEPTED);
    assertThat(t.outcome()).isInstanceOf(Agreed.class);
    // validator 1 now also signs B: its A vote no longer counts
    t = add(t, vote(1, OUT_B), VoteStatus.EQUIVOCATION);
    assertThat(t.equivocations()).containsExactly(new Equivocation(KEYS.get(1).address(),
        List.of(vote(1, OUT_A), vote(1, OUT_B))));
    assertThat(t.votes()).containsExactly(vote(0, OUT_A));
    assertThat(t.outcome()).isEqualTo(new Pending(java.util.Map.of(OUT_A, 1), 1));
    // repeating either of its votes is a duplicate; a third output is more evidence
    t = add(t, vote(1, OUT_A), VoteStatus.DUPLICATE);
    t = add(t, vote(1, OUT_C), VoteStatus.EQUIVOCATION);
    assertThat(t.equivocations().get(0).votes()).hasSize(3);
    t = add(t, vote(2, OUT_A), VoteStatus.ACCEPTED);
    Agreed agreed = (Agreed) t.outcome();
    assertThat(agreed.signers()).containsExactly(KEYS.get(0).address(), KEYS.get(2).address());
  }

  @Test
  void equivocatorsCanMakeAgreementUnreachable() {
    QuorumTally t = tally(3, 2);
    t = add(t, vote(0, OUT_A), VoteStatus.ACCEPTED);
    t = add(t, vote(0, OUT_B), VoteStatus.EQUIVOCATION);
    t = add(t, vote(1, OUT_A), VoteStatus.ACCEPTED);
    t = add(t, vote(2, OUT_B), VoteStatus.ACCEPTED);
    Disputed d = (Disputed) t.outcome();
    assertThat(d.equivocations()).hasSize(1);
    assertThat(d.equivocations().get(0).votes()).containsExactlyInAnyOrder(vote(0, OUT_A),
        vote(0, OUT_B));
    assertThat(d.votes()).containsExactlyInAnyOrder(vote(1, OUT_A), vote(2, OUT_B));
  }

  @Test
  void outcomeDoesNotDependOnArrivalOrder() {
    List<Vote> votes = new ArrayList<>(List.of(vote(0, OUT_A), vote(1, OUT_B), vote(2, OUT_A),
        vote(3, OUT_A), vote(3, OUT_C), vote(4, OUT_B), vote(0, OUT_A),
        Vote.sign(KEYS.get(6), DOMAIN, Fixtures.attestation(OUT_B))));
    TallyOutcome reference = tally(5, 2).addAll(votes).outcome();
    assertThat(reference).isInstanceOf(Disputed.class); // A and B both have two honest signers
    assertThat(((Disputed) reference).reason()).isEqualTo(DisputeReason.CONFLICTING_QUORUMS);
    Random random = new Random(42);
    for (int i = 0; i < 30; i++) {
      Collections.shuffle(votes, random);
      assertThat(tally(5, 2).addAll(votes).outcome()).isEqualTo(reference);
    }
    List<Vote> agreeing = new ArrayList<>(List.of(vote(0, OUT_A), vote(1, OUT_B),
        vote(2, OUT_A), vote(3, OUT_A), vote(3, OUT_C), vote(4, OUT_A)));
    TallyOutcome agreedRef = tally(5, 3).addAll(agreeing).outcome();
    assertThat(agreedRef).isInstanceOf(Agreed.class);
    for (int i = 0; i < 30; i++) {
      Collections.shuffle(agreeing, random);
      assertThat(tally(5, 3).addAll(agreeing).outcome()).isEqualTo(agreedRef);
    }
  }

  @Test
  void escalationMakesADisputedTallyReachableAgain() {
    QuorumTally t = tally(3, 2);
    t = add(t, vote(0, OUT_A), VoteStatus.ACCEPTED);
    t = add(t, vote(1, OUT_B), VoteStatus.ACCEPTED);
    t = add(t, vote(2, OUT_C), VoteStatus.ACCEPTED);
    assertThat(t.outcome()).isInstanceOf(Disputed.class);
    t = add(t, vote(3, OUT_A), VoteStatus.NON_MEMBER);

    QuorumTally escalated = t.withExtraMembers(addresses(3, 5));
    assertThat(escalated.committee()).hasSize(5);
    assertThat(escalated.outcome()).isEqualTo(new Pending(java.util.Map.of(OUT_A, 1, OUT_B, 1,
        OUT_C, 1), 2));
    escalated = add(escalated, vote(3, OUT_A), VoteStatus.ACCEPTED);
    Agreed agreed = (Agreed) escalated.outcome();
    assertThat(agreed.signers()).containsExactlyInAnyOrder(KEYS.get(0).address(),
        KEYS.get(3).address());
    assertThat(escalated.dissentingVotes()).containsExactlyInAnyOrder(vote(1, OUT_B),
        vote(2, OUT_C));
    // the original value is untouched
    assertThat(t.committee()).hasSize(3);
  }

  @Test
  void escalationOnlyAddsNewSetMembers() {
    QuorumTally t = tally(3, 2);
    assertThatThrownBy(() -> t.withExtraMembers(addresses(2, 4)))
        .isInstanceOf(InvalidValidatorSetException.class).hasMessageContaining("already");
    assertThatThrownBy(() -> t.withExtraMembers(List.of(TestKeys.fromSeed("x").address())))
        .isInstanceOf(InvalidValidatorSetException.class).hasMessageContaining("not a member");
  }

  @Test
  void openValidatesCommitteeQuorumAndEpoch() {
    assertThatThrownBy(() -> QuorumTally.open(DOMAIN, SET, CLAIM, addresses(0, 3), 4))
        .isInstanceOf(InvalidValidatorSetException.class);
    assertThatThrownBy(() -> QuorumTally.open(DOMAIN, SET, CLAIM, addresses(0, 3), 0))
        .isInstanceOf(InvalidValidatorSetException.class);
    assertThatThrownBy(() -> QuorumTally.open(DOMAIN, ValidatorSet.of(EPOCH, SET.members(), 3),
        CLAIM, addresses(0, 3), 2)).isInstanceOf(InvalidValidatorSetException.class);
    assertThatThrownBy(() -> QuorumTally.open(DOMAIN, ValidatorSet.of(EPOCH + 1, SET.members(),
        1), CLAIM, addresses(0, 3), 2)).isInstanceOf(InvalidValidatorSetException.class);
    List<ValidatorAddress> twice = List.of(KEYS.get(0).address(), KEYS.get(0).address());
    assertThatThrownBy(() -> QuorumTally.open(DOMAIN, SET, CLAIM, twice, 1))
        .isInstanceOf(InvalidValidatorSetException.class);
  }
}
