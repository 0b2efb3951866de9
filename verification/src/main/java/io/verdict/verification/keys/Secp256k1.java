package io.verdict.verification.keys;

import io.verdict.verification.Bytes32;
import io.verdict.verification.Keccak;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9IntegerConverter;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * secp256k1 ECDSA with Bouncy Castle: deterministic (RFC 6979, HMAC-SHA256) signing, low-s
 * normalisation, and public-key recovery as Ethereum's {@code ecrecover} does it.
 */
final class Secp256k1 {
  private static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256k1");
  static final ECDomainParameters DOMAIN =
      new ECDomainParameters(PARAMS.getCurve(), PARAMS.getG(), PARAMS.getN(), PARAMS.getH());
  static final BigInteger N = PARAMS.getN();
  static final BigInteger HALF_N = N.shiftRight(1);

  private Secp256k1() {}

  static ECPoint publicPoint(BigInteger privateKey) {
    return new FixedPointCombMultiplier().multiply(DOMAIN.getG(), privateKey).normalize();
  }

  static ValidatorAddress address(ECPoint publicKey) {
    byte[] uncompressed = publicKey.getEncoded(false);
    byte[] hash = Keccak.hash(Arrays.copyOfRange(uncompressed, 1, uncompressed.length));
    return ValidatorAddress.of(Arrays.copyOfRange(hash, 12, 32));
  }

  /** Signs a 32-byte digest; returns a low-s signature with v = 27 + recovery id. */
  static Signature sign(BigInteger privateKey, ECPoint publicKey, Bytes32 digest) {
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, new ECPrivateKeyParameters(privateKey, DOMAIN));
    byte[] message = digest.bytes();
    BigInteger[] rs = signer.generateSignature(message);
    BigInteger r = rs[0];
    BigInteger s = rs[1].compareTo(HALF_N) > 0 ? N.subtract(rs[1]) : rs[1];
    for (int recId = 0; recId < 2; recId++) {
      ECPoint candidate = recover(r, s, recId, message);
      if (candidate != null && candidate.equals(publicKey)) {
        return new Signature(r, s, 27 + recId);
      }
    }
    throw new IllegalStateException("no recovery id reproduces the signing key");
  }

  /** SEC 1 v2 §4.1.6 for recovery ids 0 and 1 (x = r; r < n < p always on secp256k1). */
  static ECPoint recover(BigInteger r, BigInteger s, int recId, byte[] message) {
    ECPoint bigR = decompress(r, (recId & 1) == 1);
    if (bigR == null) {
      return null;
    }
    BigInteger e = new BigInteger(1, message);
    BigInteger rInv = r.modInverse(N);
    BigInteger u1 = N.subtract(e.mod(N)).mod(N).multiply(rInv).mod(N);
    BigInteger u2 = s.multiply(rInv).mod(N);
    ECPoint q = ECAlgorithms.sumOfTwoMultiplies(DOMAIN.getG(), u1, bigR, u2).normalize();
    return q.isInfinity() ? null : q;
  }

  private static ECPoint decompress(BigInteger x, boolean yOdd) {
    X9IntegerConverter converter = new X9IntegerConverter();
    byte[] encoded = converter.integerToBytes(x, 1 + converter.getByteLength(DOMAIN.getCurve()));
    encoded[0] = (byte) (yOdd ? 0x03 : 0x02);
    try {
      return DOMAIN.getCurve().decodePoint(encoded);
    } catch (IllegalArgumentException notOnCurve) {
      return null;
    }
  }
}
