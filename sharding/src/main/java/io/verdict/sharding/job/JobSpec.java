package io.verdict.sharding.job;

import io.verdict.persistence.CborSerializable;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.MalformedValueException;
import io.verdict.verification.PolicyText;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * What a client asked for: everything the job entity needs to run and attest a job. Plain text and
 * numbers (no verification types) so the journal format stays ours.
 *
 * @param jobId {@code 0x} + 64 lowercase hex; must equal {@link JobIds#derive} of the other fields
 * @param modelName the model's name as the client gave it, or null (informational)
 * @param modelVersion the model's version as the client gave it, or null (informational)
 * @param modelDigest {@code sha256:} model digest
 * @param policy agreement policy canonical text, e.g. {@code EXACT}
 * @param inputDigest {@code sha256:} of {@code inputs}
 * @param inputs canonical named-tensor bytes ({@code NamedTensors.canonicalBytes()})
 * @param r committee size
 * @param q quorum
 * @param requester who submitted the job
 * @param clientRequestId the client's idempotency key, or null
 * @param timeoutMillis the job's deadline relative to acceptance; 0 means the configured maximum
 */
public record JobSpec(String jobId, String modelName, String modelVersion, String modelDigest,
                      String policy, String inputDigest, byte[] inputs, int r, int q,
                      String requester, String clientRequestId, long timeoutMillis)
    implements CborSerializable {

  public JobSpec {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(modelDigest, "modelDigest");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(inputDigest, "inputDigest");
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(requester, "requester");
    inputs = inputs.clone();
  }

  /** A spec whose job id is derived from its fields with {@link JobIds#derive}. */
  public static JobSpec of(String modelName, String modelVersion, String modelDigest,
                           String policy, String inputDigest, byte[] inputs, int r, int q,
                           String requester, String clientRequestId, long timeoutMillis) {
    String id = JobIds.derive(modelDigest, policy, inputDigest, r, q, requester, clientRequestId);
    return new JobSpec(id, modelName, modelVersion, modelDigest, policy, inputDigest, inputs, r,
        q, requester, clientRequestId, timeoutMillis);
  }

  @Override
  public byte[] inputs() {
    return inputs.clone();
  }

  /** The same spec with another timeout (not part of the job's identity). */
  public JobSpec withTimeoutMillis(long millis) {
    return new JobSpec(jobId, modelName, modelVersion, modelDigest, policy, inputDigest, inputs, r,
        q, requester, clientRequestId, millis);
  }

  /**
   * Why this spec cannot be run, independent of the validator pool; empty when it is well formed.
   * Checks every text encoding, 1 &le; q &le; r, that the inputs hash to the input digest and that
   * the job id is the derived one.
   */
  public Optional<String> problem() {
    try {
      JobId parsed = JobId.parse(jobId);
      if (!parsed.toString().equals(jobId)) {
        return Optional.of("job id must be 0x + 64 lowercase hex digits, got " + jobId);
      }
      ContentDigest.parse(modelDigest);
      ContentDigest input = ContentDigest.parse(inputDigest);
      PolicyText.of(policy);
      if (!input.matches(inputs)) {
        return Optional.of("inputs do not hash to the input digest " + inputDigest);
      }
    } catch (MalformedValueException e) {
      return Optional.of(e.getMessage());
    }
    if (requester.isBlank()) {
      return Optional.of("requester must not be blank");
    }
    if (r < 1) {
      return Optional.of("r must be at least 1, got " + r);
    }
    if (q < 1) {
      return Optional.of("q must be at least 1, got " + q);
    }
    if (q > r) {
      return Optional.of("q=" + q + " exceeds r=" + r + ": a quorum cannot be larger than the "
          + "committee");
    }
    if (timeoutMillis < 0) {
      return Optional.of("timeout must not be negative, got " + timeoutMillis + " ms");
    }
    String derived = JobIds.derive(modelDigest, policy, inputDigest, r, q, requester,
        clientRequestId);
    if (!derived.equals(jobId)) {
      return Optional.of("job id " + jobId + " is not the id derived from the request ("
          + derived + ")");
    }
    return Optional.empty();
  }

  /**
   * True when {@code other} is the same request: every field equal except the timeout (a retry
   * may carry a fresh deadline; the running job keeps its own).
   */
  public boolean sameRequestAs(JobSpec other) {
    return equals(other.withTimeoutMillis(timeoutMillis));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobSpec s && jobId.equals(s.jobId)
        && Objects.equals(modelName, s.modelName) && Objects.equals(modelVersion, s.modelVersion)
        && modelDigest.equals(s.modelDigest) && policy.equals(s.policy)
        && inputDigest.equals(s.inputDigest) && Arrays.equals(inputs, s.inputs) && r == s.r
        && q == s.q && requester.equals(s.requester)
        && Objects.equals(clientRequestId, s.clientRequestId) && timeoutMillis == s.timeoutMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobId, modelName, modelVersion, modelDigest, policy, inputDigest,
        Arrays.hashCode(inputs), r, q, requester, clientRequestId, timeoutMillis);
  }

  @Override
  public String toString() {
    return "JobSpec[" + jobId + ", model=" + modelDigest + ", policy=" + policy + ", input="
        + inputDigest + " (" + inputs.length + " bytes), r=" + r + ", q=" + q + ", requester="
        + requester + (clientRequestId == null ? "" : ", request=" + clientRequestId)
        + ", timeout=" + timeoutMillis + "ms]";
  }
}
