package io.verdict.chain;

/**
 * The chain could not be asked: connection refused or reset, I/O error, timeout, an HTTP error
 * status, a node that is overloaded or still syncing. Nothing was decided; the caller retries
 * with backoff.
 */
public class ChainUnavailableException extends ChainException {
  private static final long serialVersionUID = 1L;

  public ChainUnavailableException(String message) {
    super(message);
  }

  public ChainUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
