package io.verdict.chain;

import java.util.List;
import java.util.Optional;

/**
 * The chain answered and refused: a revert (with the contract's custom error when it could be
 * decoded, e.g. {@code RootMismatch}), insufficient funds, a wrong chain id, a bad nonce.
 * Retrying the same request gives the same answer.
 */
public class ChainRejectedException extends ChainException {
  private static final long serialVersionUID = 1L;

  private final transient RevertReason revert;

  public ChainRejectedException(String message) {
    this(message, (RevertReason) null);
  }

  public ChainRejectedException(String message, RevertReason revert) {
    super(message);
    this.revert = revert;
  }

  /** The decoded revert, when the refusal was a revert whose data came back. */
  public Optional<RevertReason> revert() {
    return Optional.ofNullable(revert);
  }

  /** The custom error's name ({@code "RootMismatch"}), when it was a decoded revert. */
  public Optional<String> errorName() {
    return revert().map(RevertReason::name);
  }

  /** The custom error's arguments as text, empty when there are none or it was not decoded. */
  public List<String> errorArgs() {
    return revert == null ? List.of() : revert.args();
  }
}
