package io.verdict.chain;

import java.util.regex.Pattern;

/**
 * A signed transaction, ready to broadcast any number of times.
 *
 * @param nonce the sender's nonce it uses
 * @param rawHex the signed RLP encoding, {@code 0x}-hex
 * @param txHash keccak256 of the raw bytes, {@code 0x} + 64 lowercase hex digits
 */
public record SignedTx(long nonce, String rawHex, String txHash) {
  static final Pattern HASH = Pattern.compile("0x[0-9a-f]{64}");
  private static final Pattern RAW = Pattern.compile("0x([0-9a-fA-F]{2})+");

  public SignedTx {
    if (nonce < 0) {
      throw new IllegalArgumentException("nonce must not be negative, got " + nonce);
    }
    if (rawHex == null || !RAW.matcher(rawHex).matches()) {
      throw new IllegalArgumentException("raw transaction must be 0x-prefixed hex bytes");
    }
    if (txHash == null || !HASH.matcher(txHash).matches()) {
      throw new IllegalArgumentException("transaction hash must be 0x + 64 lowercase hex digits");
    }
  }

  @Override
  public String toString() {
    return "SignedTx[nonce=" + nonce + ", txHash=" + txHash + "]";
  }
}
