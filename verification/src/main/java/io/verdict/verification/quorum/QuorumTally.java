package io.verdict.verification.quorum;

import io.verdict.verification.ContentDigest;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The votes of one job, as an immutable value: {@link #add(Vote)} returns a new tally.
 *
 * <p>A vote is checked in this order, and the first failing check decides its status:
 * committee membership ({@link VoteStatus#NON_MEMBER}), the job's fixed fields
 * ({@link VoteStatus#WRONG_JOB}), the signature recovering to the claimed validator
 * ({@link VoteStatus#BAD_SIGNATURE}); then a repeat of a recorded attestation is a
 * {@link VoteStatus#DUPLICATE}, and a different output digest from a validator that already voted
 * is an {@link VoteStatus#EQUIVOCATION}. Rejected votes are not stored.
 *
 * <p>Equivocation rule: a validator caught signing two output digests for the job is excluded from
 * every count, for every digest, for the rest of the job — it is neither a signer nor a member
 * "yet to vote". Both (all) its signed votes are kept as evidence. Counting one of them would let
 * a faulty validator choose the side.
 *
 * <p>{@link #outcome()} is a pure function of the recorded votes, hence independent of arrival
 * order. A caller finalises at the first {@code Agreed} or {@code Disputed} it sees.
 */
public final class QuorumTally {
  private final AttestationDomain domain;
  private final ValidatorSet validatorSet;
  private final JobClaim claim;
  private final SortedSet<ValidatorAddress> committee;
  private final int quorum;
  private final SortedMap<ValidatorAddress, Vote> votes;
  private final SortedMap<ValidatorAddress, List<Vote>> equivocations;

  private QuorumTally(AttestationDomain domain, ValidatorSet validatorSet, JobClaim claim,
                      SortedSet<ValidatorAddress> committee, int quorum,
                      SortedMap<ValidatorAddress, Vote> votes,
                      SortedMap<ValidatorAddress, List<Vote>> equivocations) {
    this.domain = domain;
    this.validatorSet = validatorSet;
    this.claim = claim;
    this.committee = Collections.unmodifiableSortedSet(committee);
    this.quorum = quorum;
    this.votes = Collections.unmodifiableSortedMap(votes);
    this.equivocations = Collections.unmodifiableSortedMap(equivocations);
  }

  /**
   * An empty tally for one job.
   *
   * @param committee the r validators asked to execute the job; a subset of the set's members
   * @param quorum q, with set threshold &le; q &le; r
   * @throws InvalidValidatorSetException if the committee, quorum or epoch do not fit the set
   */
  public static QuorumTally open(AttestationDomain domain, ValidatorSet validatorSet,
                                 JobClaim claim, Collection<ValidatorAddress> committee,
                                 int quorum) {
    if (claim.epoch() != validatorSet.epoch()) {
      throw new InvalidValidatorSetException("job epoch " + claim.epoch()
          + " differs from validator-set epoch " + validatorSet.epoch());
    }
    SortedSet<ValidatorAddress> members = checkedMembers(validatorSet, new TreeSet<>(), committee);
    if (members.size() != committee.size()) {
      throw new InvalidValidatorSetException("committee lists a validator twice");
    }
    if (quorum < validatorSet.threshold() || quorum > members.size()) {
      throw new InvalidValidatorSetException("quorum " + quorum + " outside "
          + validatorSet.threshold() + ".." + members.size());
    }
    return new QuorumTally(domain, validatorSet, claim, members, quorum, new TreeMap<>(),
        new TreeMap<>());
  }

  /** A tally after one more vote, and what happened to it. */
  public record Added(QuorumTally tally, VoteStatus status) {}

  public Added add(Vote vote) {
    return add(vote, true);
  }

  private Added add(Vote vote, boolean checkSignature) {
    ValidatorAddress who = vote.validator();
    if (!committee.contains(who)) {
      return new Added(this, VoteStatus.NON_MEMBER);
    }
    if (!claim.matches(vote.attestation())) {
      return new Added(this, VoteStatus.WRONG_JOB);
    }
    if (checkSignature && !vote.verify(domain)) {
      return new Added(this, VoteStatus.BAD_SIGNATURE);
    }
    ContentDigest output = vote.attestation().outputDigest();
    List<Vote> evidence = equivocations.get(who);
    if (evidence != null) {
      if (evidence.stream().anyMatch(v -> v.attestation().outputDigest().equals(output))) {
        return new Added(this, VoteStatus.DUPLICATE);
      }
      SortedMap<ValidatorAddress, List<Vote>> eq = new TreeMap<>(equivocations);
      List<Vote> more = new ArrayList<>(evidence);
      more.add(vote);
      eq.put(who, List.copyOf(more));
      return new Added(with(votes, eq), VoteStatus.EQUIVOCATION);
    }
    Vote previous = votes.get(who);
    if (previous == null) {
      SortedMap<ValidatorAddress, Vote> v = new TreeMap<>(votes);
      v.put(who, vote);
      return new Added(with(v, equivocations), VoteStatus.ACCEPTED);
    }
    if (previous.attestation().outputDigest().equals(output)) {
      return new Added(this, VoteStatus.DUPLICATE);
    }
    SortedMap<ValidatorAddress, Vote> v = new TreeMap<>(votes);
    v.remove(who);
    SortedMap<ValidatorAddress, List<Vote>> eq = new TreeMap<>(equivocations);
    eq.put(who, List.of(previous, vote));
    return new Added(with(v, eq), VoteStatus.EQUIVOCATION);
  }

  /** Adds votes in order, checking each as {@link #add} does. */
  public QuorumTally addAll(Collection<Vote> more) {
    QuorumTally t = this;
    for (Vote v : more) {
      t = t.add(v).tally();
    }
    return t;
  }

  /**
   * Adds votes that were accepted by {@link #add} before — for example replayed from a journal
   * that records only checked votes — without recovering their signatures again (the expensive
   * part of a vote). Membership, job fields, duplicates and equivocation are still applied. Never
   * use it for votes from the outside: a forged signature would count. A receipt built from such a
   * tally is still verified in full by anyone who checks it.
   */
  public QuorumTally replay(Collection<Vote> verified) {
    QuorumTally t = this;
    for (Vote v : verified) {
      t = t.add(v, false).tally();
    }
    return t;
  }

  /**
   * Escalation: the same tally with a larger committee. Recorded votes are kept; the new members
   * may make a disputed-so-far tally reachable again.
   *
   * @throws InvalidValidatorSetException if a new member is outside the set or already in the
   *     committee
   */
  public QuorumTally withExtraMembers(Collection<ValidatorAddress> extra) {
    SortedSet<ValidatorAddress> grown = new TreeSet<>(committee);
    for (ValidatorAddress a : extra) {
      if (committee.contains(a)) {
        throw new InvalidValidatorSetException(a + " is already in the committee");
      }
    }
    checkedMembers(validatorSet, grown, extra);
    if (grown.size() != committee.size() + extra.size()) {
      throw new InvalidValidatorSetException("extra members list a validator twice");
    }
    return new QuorumTally(domain, validatorSet, claim, grown, quorum, new TreeMap<>(votes),
        new TreeMap<>(equivocations));
  }

  /** The single place the quorum rule lives. */
  public TallyOutcome outcome() {
    Map<ContentDigest, List<Vote>> byOutput = votesByOutput();
    List<ContentDigest> reached = new ArrayList<>();
    int best = 0;
    for (Map.Entry<ContentDigest, List<Vote>> e : byOutput.entrySet()) {
      best = Math.max(best, e.getValue().size());
      if (e.getValue().size() >= quorum) {
        reached.add(e.getKey());
      }
    }
    if (reached.size() == 1) {
      ContentDigest agreed = reached.get(0);
      List<Vote> signed = byOutput.get(agreed);
      return new TallyOutcome.Agreed(agreed, signed.stream().map(Vote::validator).toList(), signed);
    }
    if (reached.size() > 1) {
      return disputed(TallyOutcome.DisputeReason.CONFLICTING_QUORUMS);
    }
    int notYetVoted = notYetVoted();
    if (best + notYetVoted < quorum) {
      return disputed(TallyOutcome.DisputeReason.UNREACHABLE);
    }
    Map<ContentDigest, Integer> counts = new TreeMap<>(java.util.Comparator.comparing(
        ContentDigest::value));
    byOutput.forEach((d, vs) -> counts.put(d, vs.size()));
    return new TallyOutcome.Pending(counts, notYetVoted);
  }

  /** Honest votes not for the agreed output (empty unless the outcome is Agreed). */
  public List<Vote> dissentingVotes() {
    if (outcome() instanceof TallyOutcome.Agreed agreed) {
      return votes.values().stream()
          .filter(v -> !v.attestation().outputDigest().equals(agreed.outputDigest()))
          .toList();
    }
    return List.of();
  }

  public List<Equivocation> equivocations() {
    return equivocations.entrySet().stream()
        .map(e -> new Equivocation(e.getKey(), e.getValue()))
        .toList();
  }

  /** Honest (non-equivocating) votes, one per validator, in canonical validator order. */
  public List<Vote> votes() {
    return List.copyOf(votes.values());
  }

  public Optional<Vote> voteOf(ValidatorAddress validator) {
    return Optional.ofNullable(votes.get(validator));
  }

  public List<ValidatorAddress> committee() {
    return List.copyOf(committee);
  }

  public int quorum() {
    return quorum;
  }

  public JobClaim claim() {
    return claim;
  }

  public AttestationDomain domain() {
    return domain;
  }

  public ValidatorSet validatorSet() {
    return validatorSet;
  }

  /** Committee members with neither an honest vote nor an equivocation on record. */
  public int notYetVoted() {
    int n = 0;
    for (ValidatorAddress a : committee) {
      if (!votes.containsKey(a) && !equivocations.containsKey(a)) {
        n++;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "QuorumTally[job=" + claim.jobId() + ", r=" + committee.size() + ", q=" + quorum
        + ", votes=" + votes.size() + ", equivocators=" + equivocations.size() + "]";
  }

  private Map<ContentDigest, List<Vote>> votesByOutput() {
    Map<ContentDigest, List<Vote>> byOutput = new TreeMap<>(java.util.Comparator.comparing(
        ContentDigest::value));
    for (Vote v : votes.values()) {
      byOutput.computeIfAbsent(v.attestation().outputDigest(), d -> new ArrayList<>()).add(v);
    }
    return byOutput;
  }

  private TallyOutcome.Disputed disputed(TallyOutcome.DisputeReason reason) {
    return new TallyOutcome.Disputed(reason, votes(), equivocations());
  }

  private QuorumTally with(SortedMap<ValidatorAddress, Vote> v,
                           SortedMap<ValidatorAddress, List<Vote>> eq) {
    return new QuorumTally(domain, validatorSet, claim, new TreeSet<>(committee), quorum, v, eq);
  }

  private static SortedSet<ValidatorAddress> checkedMembers(ValidatorSet set,
      SortedSet<ValidatorAddress> into, Collection<ValidatorAddress> members) {
    for (ValidatorAddress a : members) {
      if (!set.contains(a)) {
        throw new InvalidValidatorSetException(a + " is not a member of epoch " + set.epoch());
      }
      into.add(a);
    }
    return into;
  }
}
