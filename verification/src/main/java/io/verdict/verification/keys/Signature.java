package io.verdict.verification.keys;

import io.verdict.verification.Bytes32;
import io.verdict.verification.Hex;
import io.verdict.verification.MalformedValueException;
import java.math.BigInteger;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A recoverable secp256k1 signature in Ethereum form: {@code r}, {@code s} and {@code v} (27 or
 * 28). Only canonical signatures exist as values: 0 &lt; r &lt; n and 0 &lt; s &le; n/2 (low s,
 * as EIP-2 and OpenZeppelin's ECDSA require), so a signature cannot be malleated into a second
 * valid one. The 65-byte form is r (32) ‖ s (32) ‖ v (1), as {@code ecrecover} callers and ethers
 * use.
 */
public record Signature(BigInteger r, BigInteger s, int v) {
  public static final int LENGTH = 65;

  public Signature {
    if (r == null || r.signum() <= 0 || r.compareTo(Secp256k1.N) >= 0) {
      throw new MalformedValueException("signature", "r out of range");
    }
    if (s == null || s.signum() <= 0 || s.compareTo(Secp256k1.HALF_N) > 0) {
      throw new MalformedValueException("signature", "s out of range (must be low-s)");
    }
    if (v != 27 && v != 28) {
      throw new MalformedValueException("signature", "v must be 27 or 28, got " + v);
    }
  }

  /** Parses the 65-byte form r ‖ s ‖ v. */
  public static Signature fromBytes(byte[] bytes) {
    if (bytes == null || bytes.length != LENGTH) {
      throw new MalformedValueException("signature", "expected 65 bytes, got "
          + (bytes == null ? "null" : bytes.length));
    }
    BigInteger r = new BigInteger(1, java.util.Arrays.copyOfRange(bytes, 0, 32));
    BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(bytes, 32, 64));
    return new Signature(r, s, bytes[64] & 0xff);
  }

  /** Parses {@code 0x} + 130 hex digits (r ‖ s ‖ v). */
  public static Signature parse(String hex) {
    return fromBytes(Hex.decodePrefixed(hex, LENGTH, "signature"));
  }

  /** r ‖ s ‖ v, 65 bytes. */
  public byte[] toBytes() {
    byte[] out = new byte[LENGTH];
    System.arraycopy(word(r), 0, out, 0, 32);
    System.arraycopy(word(s), 0, out, 32, 32);
    out[64] = (byte) v;
    return out;
  }

  public Bytes32 rBytes() {
    return Bytes32.wrap(word(r));
  }

  public Bytes32 sBytes() {
    return Bytes32.wrap(word(s));
  }

  /** {@code 0x} + 130 lowercase hex digits. */
  public String toHex() {
    return Hex.encodePrefixed(toBytes());
  }

  /**
   * The address whose key produced this signature over {@code digest}.
   *
   * @throws InvalidSignatureException if no public key can be recovered
   */
  public ValidatorAddress recover(Bytes32 digest) {
    ECPoint q = Secp256k1.recover(r, s, v - 27, digest.bytes());
    if (q == null) {
      throw new InvalidSignatureException("no public key recoverable from signature " + toHex());
    }
    return Secp256k1.address(q);
  }

  /** True when this signature over {@code digest} recovers to {@code expected}. */
  public boolean isBy(ValidatorAddress expected, Bytes32 digest) {
    try {
      return recover(digest).equals(expected);
    } catch (InvalidSignatureException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return toHex();
  }

  private static byte[] word(BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
    return out;
  }
}
