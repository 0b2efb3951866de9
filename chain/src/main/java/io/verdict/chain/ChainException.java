package io.verdict.chain;

/**
 * A call to the anchor chain failed. Unchecked; see the two kinds below. Messages name the RPC
 * endpoint by scheme, host and port only and never carry key material.
 *
 * @see ChainUnavailableException
 * @see ChainRejectedException
 */
public class ChainException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ChainException(String message) {
    super(message);
  }

  public ChainException(String message, Throwable cause) {
    super(message, cause);
  }
}
