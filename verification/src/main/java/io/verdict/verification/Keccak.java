package io.verdict.verification;

import org.bouncycastle.jcajce.provider.digest.Keccak.Digest256;

/** Ethereum's Keccak-256 (the original Keccak padding, not NIST SHA3-256), via Bouncy Castle. */
public final class Keccak {
  private Keccak() {}

  public static byte[] hash(byte[] input) {
    return new Digest256().digest(input);
  }

  /** Keccak-256 of the concatenation of the parts. */
  public static byte[] hash(byte[]... parts) {
    Digest256 digest = new Digest256();
    for (byte[] part : parts) {
      digest.update(part);
    }
    return digest.digest();
  }

  public static Bytes32 hash32(byte[]... parts) {
    return Bytes32.wrap(hash(parts));
  }
}
