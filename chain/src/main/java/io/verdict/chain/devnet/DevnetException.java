package io.verdict.chain.devnet;

/** The devnet could not be started (missing Node.js packages, start-up failure, timeout). */
public class DevnetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DevnetException(String message) {
    super(message);
  }

  public DevnetException(String message, Throwable cause) {
    super(message, cause);
  }
}
