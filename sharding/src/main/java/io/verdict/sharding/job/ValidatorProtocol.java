package io.verdict.sharding.job;

import io.verdict.persistence.CborSerializable;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a job entity asks a validator, and what the validator answers. The validator actors that
 * implement it live in {@code actors/}. All fields are plain text and bytes so the messages cross
 * nodes as CBOR.
 */
public final class ValidatorProtocol {
  private ValidatorProtocol() {}

  /**
   * Run the job's model on {@code inputs}, canonicalise the output under {@code policy}, and sign
   * the attestation {@code (jobId, modelDigest, sha256(inputs), sha256(output), policy, epoch)}.
   */
  public record Execute(String jobId, String modelDigest, String policy, long epoch, byte[] inputs,
                        ActorRef<ExecutionResult> replyTo) implements CborSerializable {
    public Execute {
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(inputs, "inputs");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** A validator's answer to {@link Execute}. */
  public sealed interface ExecutionResult extends CborSerializable
      permits Executed, ExecutionFailed {
    /** The answering validator's address ({@code 0x} + 40 hex). */
    String validator();
  }

  /**
   * The validator's signed vote.
   *
   * @param outputDigest {@code sha256:} of {@code canonicalOutput}
   * @param signature {@code 0x} + 130 hex: the 65-byte r ‖ s ‖ v signature of the attestation
   * @param canonicalOutput the canonical output bytes under the job's policy
   */
  public record Executed(String validator, String outputDigest, String signature,
                         byte[] canonicalOutput) implements ExecutionResult {}

  /** The validator could not execute the job (model missing, engine error, overload...). */
  public record ExecutionFailed(String validator, String reason) implements ExecutionResult {}
}
