package io.verdict.verification;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A 20-byte Ethereum address. {@link #toString()} is the EIP-55 mixed-case checksum form;
 * {@link #parse(String)} accepts all-lowercase or all-uppercase hex, and mixed case only when the
 * EIP-55 checksum is right. Ordered as unsigned 160-bit numbers (the canonical member order).
 */
public record Address(byte[] bytes) implements Comparable<Address> {
  public static final int LENGTH = 20;

  public Address {
    if (bytes == null || bytes.length != LENGTH) {
      throw new MalformedValueException("address", "expected 20 bytes, got "
          + (bytes == null ? "null" : bytes.length));
    }
    bytes = bytes.clone();
  }

  public static Address wrap(byte[] bytes) {
    return new Address(bytes);
  }

  public static Address parse(String text) {
    byte[] raw = Hex.decodePrefixed(text, LENGTH, "address");
    String digits = text.substring(2);
    boolean allLower = digits.equals(digits.toLowerCase(java.util.Locale.ROOT));
    boolean allUpper = digits.equals(digits.toUpperCase(java.util.Locale.ROOT));
    Address address = new Address(raw);
    if (!allLower && !allUpper && !address.toString().substring(2).equals(digits)) {
      throw new MalformedValueException("address", "EIP-55 checksum mismatch");
    }
    return address;
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The address left-padded to a 32-byte ABI word. */
  public byte[] toWord() {
    byte[] word = new byte[32];
    System.arraycopy(bytes, 0, word, 12, LENGTH);
    return word;
  }

  /** Lowercase {@code 0x}-prefixed hex (no checksum). */
  public String toLowerHex() {
    return Hex.encodePrefixed(bytes);
  }

  /** EIP-55 checksum form. */
  @Override
  public String toString() {
    String lower = Hex.encode(bytes);
    byte[] hash = Keccak.hash(lower.getBytes(StandardCharsets.US_ASCII));
    StringBuilder out = new StringBuilder("0x");
    for (int i = 0; i < lower.length(); i++) {
      char c = lower.charAt(i);
      int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xf;
      out.append(c >= 'a' && nibble >= 8 ? Character.toUpperCase(c) : c);
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Address other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(Address o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }
}
