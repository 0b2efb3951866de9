package io.verdict.verification;

/**
 * A textual or binary value does not have the shape its type requires (wrong length, bad hex,
 * bad checksum, missing prefix). Carries which kind of value was being read. The message never
 * contains secret material; callers must not pass private keys through parsers that throw this.
 */
public final class MalformedValueException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String valueKind;

  public MalformedValueException(String valueKind, String problem) {
    super(valueKind + ": " + problem);
    this.valueKind = valueKind;
  }

  /** The kind of value that failed to parse, e.g. {@code "sha256 digest"} or {@code "address"}. */
  public String valueKind() {
    return valueKind;
  }
}
