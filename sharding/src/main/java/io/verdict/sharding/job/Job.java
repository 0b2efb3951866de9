package io.verdict.sharding.job;

import io.verdict.persistence.CborSerializable;
import io.verdict.sharding.job.InferenceJob.CommitteeEscalated;
import io.verdict.sharding.job.InferenceJob.Event;
import io.verdict.sharding.job.InferenceJob.JobAccepted;
import io.verdict.sharding.job.InferenceJob.JobDisputed;
import io.verdict.sharding.job.InferenceJob.JobAnchored;
import io.verdict.sharding.job.InferenceJob.JobFailed;
import io.verdict.sharding.job.InferenceJob.MemberReplaced;
import io.verdict.sharding.job.InferenceJob.QuorumReached;
import io.verdict.sharding.job.InferenceJob.VoteRecorded;
import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.quorum.JobClaim;
import io.verdict.verification.quorum.QuorumTally;
import io.verdict.verification.quorum.TallyOutcome;
import io.verdict.verification.quorum.ValidatorSet;
import io.verdict.verification.receipt.Receipt;
import io.verdict.verification.receipt.ReceiptCodec;
import io.verdict.verification.receipt.Receipts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the journal says about one job, as an immutable value of plain text, numbers and
 * bytes. {@link #apply} is the event handler's logic; {@link #tally()} rebuilds the
 * verification module's {@link QuorumTally} from it, so the quorum rule lives in one place.
 *
 * @param committee the initial committee, in selection order
 * @param added members added later (replacements and escalations), in order
 * @param validatorSet the epoch's members (EIP-55 text), as at acceptance
 * @param votes recorded votes (accepted and equivocating), in arrival order
 * @param outputs the canonical output bytes of each distinct output digest seen
 * @param failed members that timed out, failed or sent an invalid vote (a late valid vote from
 *     one still counts)
 * @param agreedDigest the agreed output digest once AGREED
 * @param outcomeDetail the dispute or failure reason once DISPUTED or FAILED
 * @param anchor where the agreed attestation was anchored on chain, once it was (else null)
 */
public record Job(JobSpec spec, List<String> committee, List<String> added, long epoch,
                  int threshold, List<String> validatorSet, long chainId,
                  String verifyingContract, long acceptedAt, List<RecordedVote> votes,
                  List<Output> outputs, List<String> failed, int escalations,
                  List<JobView.HistoryEntry> history, JobView.Status status, String agreedDigest,
                  String outcomeDetail, JobAnchor anchor) implements CborSerializable {

  /** A vote as recorded: validator, output digest, signature (sig65 hex), tally status. */
  public record RecordedVote(String validator, String outputDigest, String signature,
                             String status) {}

  /** Canonical output bytes of one output digest. */
  public record Output(String digest, byte[] bytes) {
    public Output {
      Objects.requireNonNull(digest, "digest");
      bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Output other && digest.equals(other.digest)
          && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
      return 31 * digest.hashCode() + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Output[" + digest + ", " + bytes.length + " bytes]";
    }
  }

  public Job {
    committee = List.copyOf(committee);
    added = List.copyOf(added);
    validatorSet = List.copyOf(validatorSet);
    votes = List.copyOf(votes);
    outputs = List.copyOf(outputs);
    failed = List.copyOf(failed);
    history = List.copyOf(history);
  }

  /** The job as its first event describes it. */
  public static Job accepted(JobAccepted e) {
    String detail = "committee " + e.committee() + ", r=" + e.spec().r() + ", q=" + e.spec().q()
        + ", epoch " + e.epoch();
    return new Job(e.spec(), e.committee(), List.of(), e.epoch(), e.threshold(),
        e.validatorSet(), e.chainId(), e.verifyingContract(), e.acceptedAt(), List.of(),
        List.of(), List.of(), 0, List.of(entry(e.acceptedAt(), e, detail)),
        JobView.Status.ACCEPTED, null, null, null);
  }

  /** The job after one more event (JobAccepted excepted: see {@link #accepted}). */
  public Job apply(Event event) {
    if (event instanceof VoteRecorded e) {
      List<RecordedVote> v = append(votes, new RecordedVote(e.validator(), e.outputDigest(),
          e.signature(), e.status()));
      return with(v, withOutput(e.outputDigest(), e.output()), failed, added, escalations,
          entry(e.at(), e, e.validator() + " voted " + e.outputDigest()
              + ("EQUIVOCATION".equals(e.status()) ? " (equivocation: not counted)" : "")),
          running(), null, null);
    }
    if (event instanceof MemberReplaced e) {
      List<String> more = e.replacement() == null ? added : append(added, e.replacement());
      String detail = e.failed() + " " + e.reason() + "; "
          + (e.replacement() == null ? "no replacement available" : "replaced by "
          + e.replacement());
      return with(votes, outputs, append(failed, e.failed()), more, escalations,
          entry(e.at(), e, detail), running(), null, null);
    }
    if (event instanceof CommitteeEscalated e) {
      List<String> more = new ArrayList<>(added);
      more.addAll(e.extra());
      return with(votes, outputs, failed, more, escalations + 1,
          entry(e.at(), e, "no quorum reachable; escalation " + (escalations + 1) + " adds "
              + e.extra()), running(), null, null);
    }
    if (event instanceof QuorumReached e) {
      return with(votes, withOutput(e.outputDigest(), e.output()), failed, added, escalations,
          entry(e.at(), e, e.outputDigest() + " signed by " + e.signers()),
          JobView.Status.AGREED, e.outputDigest(), null);
    }
    if (event instanceof JobDisputed e) {
      return with(votes, outputs, failed, added, escalations, entry(e.at(), e, e.reason()),
          JobView.Status.DISPUTED, null, e.reason());
    }
    if (event instanceof JobFailed e) {
      return with(votes, outputs, failed, added, escalations, entry(e.at(), e, e.reason()),
          JobView.Status.FAILED, null, e.reason());
    }
    if (event instanceof JobAnchored e) {
      JobAnchor a = e.anchor();
      Job next = with(votes, outputs, failed, added, escalations, entry(e.at(), e, "batch "
          + a.batchId() + " anchored on chain " + a.chainId() + " in transaction " + a.txHash()
          + " (block " + a.blockNumber() + ")"), status, agreedDigest, outcomeDetail);
      return new Job(spec, committee, added, epoch, threshold, validatorSet, chainId,
          verifyingContract, acceptedAt, votes, outputs, failed, escalations, next.history,
          status, agreedDigest, outcomeDetail, a);
    }
    throw new IllegalStateException("unexpected event for a running job: " + event);
  }

  /**
   * The digest a quorum signed (the EIP-712 digest of the agreed attestation), which is the value
   * of this job's leaf in an anchoring batch; empty unless AGREED.
   */
  public Optional<Bytes32> attestationDigest() {
    if (status != JobView.Status.AGREED) {
      return Optional.empty();
    }
    return Optional.of(claim().attest(ContentDigest.parse(agreedDigest)).digest(domain()));
  }

  public boolean finished() {
    return status.isFinal();
  }

  /** Everyone asked so far: the initial committee, then replacements and escalations. */
  public List<String> members() {
    List<String> all = new ArrayList<>(committee);
    all.addAll(added);
    return List.copyOf(all);
  }

  public boolean isMember(ValidatorAddress a) {
    return members().contains(a.toString());
  }

  /** True when {@code a} has any vote on record (honest or equivocating). */
  public boolean hasVoted(ValidatorAddress a) {
    String s = a.toString();
    return votes.stream().anyMatch(v -> v.validator().equals(s));
  }

  public boolean hasFailed(ValidatorAddress a) {
    return failed.contains(a.toString());
  }

  /** Members still expected to answer: no vote on record, not failed. */
  public List<ValidatorAddress> outstanding() {
    return members().stream()
        .filter(m -> !failed.contains(m))
        .filter(m -> votes.stream().noneMatch(v -> v.validator().equals(m)))
        .map(ValidatorAddress::parse)
        .toList();
  }

  /** Members that are neither failed nor equivocating (for spreading new members over nodes). */
  public List<ValidatorAddress> liveMembers() {
    return members().stream().filter(m -> !failed.contains(m)).map(ValidatorAddress::parse)
        .toList();
  }

  public Optional<byte[]> outputFor(String digest) {
    return outputs.stream().filter(o -> o.digest().equals(digest)).findFirst()
        .map(Output::bytes);
  }

  public JobId jobId() {
    return JobId.parse(spec.jobId());
  }

  public JobClaim claim() {
    return new JobClaim(jobId(), ContentDigest.parse(spec.modelDigest()),
        ContentDigest.parse(spec.inputDigest()), PolicyText.of(spec.policy()), epoch);
  }

  public AttestationDomain domain() {
    return new AttestationDomain(chainId, Address.parse(verifyingContract));
  }

  public ValidatorSet set() {
    return ValidatorSet.of(epoch, validatorSet.stream().map(ValidatorAddress::parse).toList(),
        threshold);
  }

  /** The vote a recorded vote stands for. */
  public Vote toVote(RecordedVote v) {
    return new Vote(claim().attest(ContentDigest.parse(v.outputDigest())),
        ValidatorAddress.parse(v.validator()), Signature.parse(v.signature()));
  }

  /** The quorum tally of this job, rebuilt from the record (committee, additions, votes). */
  public QuorumTally tally() {
    QuorumTally t = QuorumTally.open(domain(), set(), claim(),
        committee.stream().map(ValidatorAddress::parse).toList(), spec.q());
    if (!added.isEmpty()) {
      t = t.withExtraMembers(added.stream().map(ValidatorAddress::parse).toList());
    }
    // Recorded votes were checked when they arrived; replay them without recovering signatures again.
    return t.replay(votes.stream().map(this::toVote).toList());
  }

  /** What a client sees. */
  public JobView view() {
    List<JobView.VoteEntry> voteEntries = votes.stream()
        .map(v -> new JobView.VoteEntry(v.validator(), v.outputDigest())).toList();
    String digest = null;
    byte[] output = null;
    String receipt = null;
    JobView.Evidence evidence = null;
    String failure = null;
    switch (status) {
      case AGREED -> {
        digest = agreedDigest;
        output = outputFor(agreedDigest).orElseThrow();
        Receipt r = Receipts.agreed(tally(), output);
        if (anchor != null) {
          r = r.withMerkle(new Receipt.Merkle(anchor.batchId(), anchor.leaf(), anchor.proof(),
              anchor.root())).withAnchor(new Receipt.Anchor(anchor.chainId(), anchor.contract(),
              anchor.batchId(), anchor.txHash(), anchor.blockNumber()));
        }
        receipt = ReceiptCodec.toJson(r);
      }
      case DISPUTED -> evidence = evidence(outcomeDetail, tally());
      case FAILED -> failure = outcomeDetail;
      default -> { }
    }
    long finishedAt = status.isFinal() && !history.isEmpty() ? history.get(history.size() - 1).time() : 0;
    JobView.Request request = new JobView.Request(spec.modelName(), spec.modelVersion(),
        spec.modelDigest(), spec.policy(), spec.inputDigest(), spec.r(), spec.q(), spec.requester(),
        spec.clientRequestId(), acceptedAt, finishedAt);
    return new JobView(spec.jobId(), status, request, members(), voteEntries, history, digest,
        output, receipt, evidence, failure);
  }

  /** All honest votes grouped by output digest, and every equivocation. */
  static JobView.Evidence evidence(String reason, QuorumTally tally) {
    Map<String, List<JobView.SignedVote>> byOutput = new LinkedHashMap<>();
    tally.votes().stream()
        .sorted(java.util.Comparator.comparing(v -> v.attestation().outputDigest().toString()))
        .forEach(v -> byOutput.computeIfAbsent(v.attestation().outputDigest().toString(),
            d -> new ArrayList<>()).add(signed(v)));
    List<JobView.OutputVotes> groups = byOutput.entrySet().stream()
        .map(e -> new JobView.OutputVotes(e.getKey(), e.getValue())).toList();
    List<JobView.EquivocationEntry> equivocations = tally.equivocations().stream()
        .map(e -> new JobView.EquivocationEntry(e.validator().toString(),
            e.votes().stream().map(Job::signed).toList()))
        .toList();
    return new JobView.Evidence(reason, groups, equivocations);
  }

  private static JobView.SignedVote signed(Vote v) {
    return new JobView.SignedVote(v.validator().toString(),
        v.attestation().outputDigest().toString(), v.signature().toHex());
  }

  private JobView.Status running() {
    return JobView.Status.EXECUTING;
  }

  private List<Output> withOutput(String digest, byte[] bytes) {
    if (bytes == null || outputFor(digest).isPresent()) {
      return outputs;
    }
    return append(outputs, new Output(digest, bytes));
  }

  private Job with(List<RecordedVote> v, List<Output> o, List<String> f, List<String> a, int esc,
                   JobView.HistoryEntry h, JobView.Status s, String agreed, String detail) {
    return new Job(spec, committee, a, epoch, threshold, validatorSet, chainId, verifyingContract,
        acceptedAt, v, o, f, esc, append(history, h), s, agreed, detail, anchor);
  }

  private static JobView.HistoryEntry entry(long at, Event e, String detail) {
    return new JobView.HistoryEntry(at, e.getClass().getSimpleName(), detail);
  }

  private static <T> List<T> append(List<T> list, T item) {
    List<T> out = new ArrayList<>(list);
    out.add(item);
    return List.copyOf(out);
  }

  /** The outcome of the tally, for callers that only need to know where it stands. */
  public TallyOutcome outcome() {
    return tally().outcome();
  }
}
