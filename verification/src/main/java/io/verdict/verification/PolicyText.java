package io.verdict.verification;

/**
 * The canonical text of an agreement policy ({@code EXACT}, {@code QUANTIZED(<step>)},
 * {@code ARGMAX}, {@code TOPK(<k>)}) as produced by the inference module. Opaque here: this module
 * only signs and compares it, so it only requires non-empty printable ASCII.
 */
public record PolicyText(String value) {
  public PolicyText {
    if (value == null || value.isEmpty()) {
      throw new MalformedValueException("policy", "must be non-empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new MalformedValueException("policy", "must be printable ASCII (position " + i + ")");
      }
    }
  }

  public static PolicyText of(String value) {
    return new PolicyText(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
