package io.verdict.verification.keys;

import java.nio.file.Path;

/**
 * A keystore file could not be written, read or decrypted (wrong password, corrupt file, I/O).
 * Never carries key material.
 */
public final class KeystoreException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public KeystoreException(Path file, String message, Throwable cause) {
    super(message + ": " + file, cause);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
