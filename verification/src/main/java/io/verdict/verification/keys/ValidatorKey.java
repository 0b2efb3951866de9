package io.verdict.verification.keys;

import io.verdict.verification.Bytes32;
import io.verdict.verification.MalformedValueException;
import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A validator's secp256k1 signing key. The private scalar never appears in {@link #toString()},
 * in logs or in exception messages; it leaves this object only towards the keystore.
 */
public final class ValidatorKey {
  private final BigInteger privateKey;
  private final ECPoint publicKey;
  private final ValidatorAddress address;

  private ValidatorKey(BigInteger privateKey) {
    if (privateKey.signum() <= 0 || privateKey.compareTo(Secp256k1.N) >= 0) {
      throw new MalformedValueException("private key", "out of range for secp256k1");
    }
    this.privateKey = privateKey;
    this.publicKey = Secp256k1.publicPoint(privateKey);
    this.address = Secp256k1.address(publicKey);
  }

  /** A fresh key from a new {@link SecureRandom}. */
  public static ValidatorKey generate() {
    return generate(new SecureRandom());
  }

  public static ValidatorKey generate(SecureRandom random) {
    while (true) {
      byte[] candidate = new byte[32];
      random.nextBytes(candidate);
      BigInteger d = new BigInteger(1, candidate);
      if (d.signum() > 0 && d.compareTo(Secp256k1.N) < 0) {
        return new ValidatorKey(d);
      }
    }
  }

  /** A key from its 32-byte big-endian private scalar (1 &le; d &lt; n). */
  public static ValidatorKey fromPrivateKey(byte[] privateKey32) {
    if (privateKey32 == null || privateKey32.length != 32) {
      throw new MalformedValueException("private key", "expected 32 bytes");
    }
    return new ValidatorKey(new BigInteger(1, privateKey32));
  }

  static ValidatorKey fromPrivateKey(BigInteger privateKey) {
    return new ValidatorKey(privateKey);
  }

  public ValidatorAddress address() {
    return address;
  }

  /** The 64-byte uncompressed public key x ‖ y (without the 0x04 prefix). */
  public byte[] publicKey() {
    byte[] encoded = publicKey.getEncoded(false);
    return java.util.Arrays.copyOfRange(encoded, 1, encoded.length);
  }

  /** Signs a 32-byte digest (RFC 6979 deterministic, low-s, v = 27/28). */
  public Signature sign(Bytes32 digest) {
    return Secp256k1.sign(privateKey, publicKey, digest);
  }

  BigInteger privateScalar() {
    return privateKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ValidatorKey other && privateKey.equals(other.privateKey);
  }

  @Override
  public int hashCode() {
    return address.hashCode();
  }

  @Override
  public String toString() {
    return "ValidatorKey[address=" + address + "]";
  }
}
