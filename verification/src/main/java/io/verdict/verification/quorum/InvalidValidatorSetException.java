package io.verdict.verification.quorum;

/** A validator set, committee or quorum that breaks its invariants. */
public final class InvalidValidatorSetException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidValidatorSetException(String message) {
    super(message);
  }
}
