package io.verdict.verification;

/** The 32-byte identifier of an inference job (Solidity {@code bytes32}); text {@code 0x<64 hex>}. */
public record JobId(Bytes32 value) {
  public JobId {
    if (value == null) {
      throw new MalformedValueException("job id", "null");
    }
  }

  public static JobId parse(String text) {
    try {
      return new JobId(Bytes32.parse(text));
    } catch (MalformedValueException e) {
      throw new MalformedValueException("job id", e.getMessage());
    }
  }

  public static JobId of(byte[] bytes) {
    return new JobId(Bytes32.wrap(bytes));
  }

  @Override
  public String toString() {
    return value.toHex();
  }
}
