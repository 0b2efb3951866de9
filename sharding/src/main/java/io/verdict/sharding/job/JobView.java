package io.verdict.sharding.job;

import io.verdict.persistence.CborSerializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a client sees of a job: the reply to {@code Get}, {@code Watch} and {@code Submit}.
 *
 * @param request what was asked: model, policy, input digest, r, q (null for UNKNOWN)
 * @param committee every validator asked so far (initial committee, replacements, escalations)
 * @param votes recorded votes in arrival order (an equivocator appears once per output it signed)
 * @param history one entry per event of the job, oldest first
 * @param outputDigest the agreed output digest (AGREED only, else null)
 * @param output the agreed canonical output bytes (AGREED only, else null)
 * @param receiptJson the {@code verdict-receipt/1} document (AGREED only, else null)
 * @param evidence every signed vote and equivocation (DISPUTED only, else null)
 * @param failureReason why the job failed (FAILED only, else null)
 */
public record JobView(String jobId, Status status, Request request, List<String> committee,
                      List<VoteEntry> votes,
                      List<HistoryEntry> history, String outputDigest, byte[] output,
                      String receiptJson, Evidence evidence, String failureReason)
    implements CborSerializable {

  /** True once the agreed attestation was anchored on chain (the receipt has merkle and anchor). */
  public boolean anchored() {
    return history.stream().anyMatch(h -> h.event().equals("JobAnchored"));
  }

  public enum Status {
    /** No job with this id has been submitted. */
    UNKNOWN,
    /** Accepted and sent to the committee; no answer yet. */
    ACCEPTED,
    /** At least one committee member answered (or was replaced); no outcome yet. */
    EXECUTING,
    /** A quorum signed the same output; final. */
    AGREED,
    /** No quorum is possible, even after escalation; final, with evidence. */
    DISPUTED,
    /** Deadline exceeded or no validators left; final. */
    FAILED;

    public boolean isFinal() {
      return this == AGREED || this == DISPUTED || this == FAILED;
    }
  }

  /**
   * The request a job runs, without its input bytes, and when it started and ended.
   *
   * @param finishedAt epoch millis of the final event, or 0 while the job runs
   */
  public record Request(String modelName, String modelVersion, String modelDigest, String policy,
                        String inputDigest, int r, int q, String requester, String clientRequestId,
                        long acceptedAt, long finishedAt) {}

  /** A recorded vote: who signed which output digest. */
  public record VoteEntry(String validator, String outputDigest) {}

  /** One event of the job's life: epoch millis, event name, human-readable detail. */
  public record HistoryEntry(long time, String event, String detail) {}

  /** A signed vote, enough to check it offline against the job's attestation. */
  public record SignedVote(String validator, String outputDigest, String signature) {}

  /** The honest votes for one output digest. */
  public record OutputVotes(String outputDigest, List<SignedVote> votes) {
    public OutputVotes {
      votes = List.copyOf(votes);
    }
  }

  /** A validator that signed two or more outputs, with all its signed votes. */
  public record EquivocationEntry(String validator, List<SignedVote> votes) {
    public EquivocationEntry {
      votes = List.copyOf(votes);
    }
  }

  /** Why a job is disputed, and all the signed votes behind it. */
  public record Evidence(String reason, List<OutputVotes> byOutput,
                         List<EquivocationEntry> equivocations) {
    public Evidence {
      byOutput = List.copyOf(byOutput);
      equivocations = List.copyOf(equivocations);
    }
  }

  public JobView {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(status, "status");
    committee = List.copyOf(committee);
    votes = List.copyOf(votes);
    history = List.copyOf(history);
    output = output == null ? null : output.clone();
  }

  /** The view of a job id nobody submitted. */
  public static JobView unknown(String jobId) {
    return new JobView(jobId, Status.UNKNOWN, null, List.of(), List.of(), List.of(), null, null,
        null, null, null);
  }

  @Override
  public byte[] output() {
    return output == null ? null : output.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobView v && jobId.equals(v.jobId) && status == v.status
        && Objects.equals(request, v.request) && committee.equals(v.committee) && votes.equals(v.votes) && history.equals(v.history)
        && Objects.equals(outputDigest, v.outputDigest) && Arrays.equals(output, v.output)
        && Objects.equals(receiptJson, v.receiptJson) && Objects.equals(evidence, v.evidence)
        && Objects.equals(failureReason, v.failureReason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobId, status, request, committee, votes, history, outputDigest,
        Arrays.hashCode(output), receiptJson, evidence, failureReason);
  }

  @Override
  public String toString() {
    return "JobView[" + jobId + ", " + status + ", committee=" + committee.size() + ", votes="
        + votes + (outputDigest == null ? "" : ", output=" + outputDigest)
        + (evidence == null ? "" : ", evidence=" + evidence)
        + (failureReason == null ? "" : ", failure=" + failureReason) + "]";
  }
}
