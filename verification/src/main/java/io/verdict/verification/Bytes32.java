package io.verdict.verification;

import java.util.Arrays;

/**
 * Exactly 32 raw bytes (Solidity {@code bytes32}): hashes, job ids, Merkle nodes. Immutable; text
 * form is {@code 0x} followed by 64 lowercase hex digits. Ordered as unsigned big-endian numbers,
 * which is the order OpenZeppelin's Merkle tree uses.
 */
public record Bytes32(byte[] bytes) implements Comparable<Bytes32> {
  public static final int LENGTH = 32;
  public static final Bytes32 ZERO = new Bytes32(new byte[LENGTH]);

  public Bytes32 {
    if (bytes == null || bytes.length != LENGTH) {
      throw new MalformedValueException("bytes32", "expected 32 bytes, got "
          + (bytes == null ? "null" : bytes.length));
    }
    bytes = bytes.clone();
  }

  /** Copies {@code bytes}; they must be exactly 32 long. */
  public static Bytes32 wrap(byte[] bytes) {
    return new Bytes32(bytes);
  }

  /** Parses {@code 0x} followed by 64 hex digits. */
  /** {@code bytes32(uint256(value))}: the ABI word of a non-negative integer, big-endian, left-padded. */
  public static Bytes32 ofUnsigned(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("value must not be negative, got " + value);
    }
    byte[] out = new byte[LENGTH];
    for (int i = 0; i < Long.BYTES; i++) {
      out[LENGTH - 1 - i] = (byte) (value >>> (8 * i));
    }
    return new Bytes32(out);
  }

  public static Bytes32 parse(String text) {
    return new Bytes32(Hex.decodePrefixed(text, LENGTH, "bytes32"));
  }

  /** A copy of the 32 bytes. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The i-th byte, without copying. */
  public byte get(int i) {
    return bytes[i];
  }

  public String toHex() {
    return Hex.encodePrefixed(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes32 other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(Bytes32 o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
