package io.verdict.verification.eip712;

/** Typed data that does not fit its declared EIP-712 types (unknown type, missing field, range). */
public final class Eip712Exception extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public Eip712Exception(String message) {
    super(message);
  }
}
