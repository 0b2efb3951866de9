package io.verdict.chain;

/**
 * An anchorer key could not be loaded: missing environment variable, malformed hex, unreadable
 * keystore, wrong password. The message names the source (variable or file), never the key.
 */
public class AnchorerKeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AnchorerKeyException(String message) {
    super(message);
  }
}
