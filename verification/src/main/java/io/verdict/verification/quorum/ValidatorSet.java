package io.verdict.verification.quorum;

import io.verdict.verification.Bytes32;
import io.verdict.verification.Keccak;
import io.verdict.verification.keys.ValidatorAddress;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * The validators of one epoch: distinct member addresses in canonical order (ascending as
 * unsigned 160-bit numbers), and the threshold — the smallest quorum q any job of this epoch may
 * use.
 *
 * <p>Its digest is {@code keccak256(abi.encode(uint64 epoch, uint256 threshold, address[]
 * members))} with members in canonical order, so a contract recomputes it with one line of
 * Solidity. The ABI encoding is: epoch word, threshold word, offset word (0x60), member count word,
 * then one left-padded word per member.
 */
public record ValidatorSet(long epoch, List<ValidatorAddress> members, int threshold) {
  public ValidatorSet {
    if (epoch < 0) {
      throw new InvalidValidatorSetException("epoch must not be negative");
    }
    if (members == null || members.isEmpty()) {
      throw new InvalidValidatorSetException("a validator set needs at least one member");
    }
    List<ValidatorAddress> sorted = new ArrayList<>(members);
    Collections.sort(sorted);
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).equals(sorted.get(i - 1))) {
        throw new InvalidValidatorSetException("duplicate member " + sorted.get(i));
      }
    }
    if (threshold < 1 || threshold > sorted.size()) {
      throw new InvalidValidatorSetException("threshold " + threshold + " outside 1.."
          + sorted.size());
    }
    members = List.copyOf(sorted);
  }

  /** A set from members in any order; they are sorted canonically. */
  public static ValidatorSet of(long epoch, Collection<ValidatorAddress> members, int threshold) {
    return new ValidatorSet(epoch, List.copyOf(members), threshold);
  }

  public boolean contains(ValidatorAddress address) {
    return Collections.binarySearch(members, address) >= 0;
  }

  public int size() {
    return members.size();
  }

  /** {@code abi.encode(uint64 epoch, uint256 threshold, address[] members)}. */
  public byte[] abiEncode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(Bytes32.ofUnsigned(epoch).bytes());
    out.writeBytes(Bytes32.ofUnsigned(threshold).bytes());
    out.writeBytes(Bytes32.ofUnsigned(0x60).bytes());
    out.writeBytes(Bytes32.ofUnsigned(members.size()).bytes());
    for (ValidatorAddress member : members) {
      out.writeBytes(member.address().toWord());
    }
    return out.toByteArray();
  }

  /** {@code keccak256(abi.encode(uint64 epoch, uint256 threshold, address[] members))}. */
  public Bytes32 digest() {
    return Keccak.hash32(abiEncode());
  }
}
