package io.verdict.verification.keys;

import io.verdict.verification.Address;
import io.verdict.verification.MalformedValueException;

/**
 * The Ethereum address of a validator's secp256k1 key: the last 20 bytes of keccak256 of the
 * uncompressed public key. Printed in EIP-55 checksum form; ordered as unsigned 160-bit numbers,
 * which is the canonical order of validator-set members.
 */
public record ValidatorAddress(Address address) implements Comparable<ValidatorAddress> {
  public ValidatorAddress {
    if (address == null) {
      throw new MalformedValueException("validator address", "null");
    }
  }

  /**
   * Parses {@code 0x} + 40 hex digits; mixed case must carry a correct EIP-55 checksum.
   *
   * @throws MalformedValueException on bad length, hex or checksum
   */
  public static ValidatorAddress parse(String text) {
    try {
      return new ValidatorAddress(Address.parse(text));
    } catch (MalformedValueException e) {
      throw new MalformedValueException("validator address", e.getMessage());
    }
  }

  public static ValidatorAddress of(byte[] twentyBytes) {
    return new ValidatorAddress(Address.wrap(twentyBytes));
  }

  public byte[] bytes() {
    return address.bytes();
  }

  @Override
  public int compareTo(ValidatorAddress o) {
    return address.compareTo(o.address);
  }

  /** EIP-55 checksum form. */
  @Override
  public String toString() {
    return address.toString();
  }
}
