package io.verdict.verification.keys;

/** A signature that is malformed or from which no public key can be recovered. */
public final class InvalidSignatureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidSignatureException(String message) {
    super(message);
  }
}
