package io.verdict.verification.receipt;

/**
 * One verification failure.
 *
 * @param path where in the receipt, as a JSON path such as {@code signatures[1]} or
 *     {@code merkle.root}
 * @param detail human-readable specifics (addresses, expected and actual values)
 */
public record Failure(FailureCode code, String path, String detail) {
  @Override
  public String toString() {
    return code + " at " + path + ": " + detail;
  }
}
