package io.verdict.verification.receipt;

/** Text that is not a receipt document at all (not JSON, or JSON of another shape). */
public final class MalformedReceiptException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public MalformedReceiptException(String message) {
    super(message);
  }
}
