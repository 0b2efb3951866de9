package io.verdict.chain;

import io.verdict.verification.Bytes32;
import io.verdict.verification.Hex;
import io.verdict.verification.Keccak;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.quorum.ValidatorSet;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint64;

/**
 * The VerdictAnchor calls this module makes, as ABI call data (web3j's encoder), and the decoding
 * of their results. The attestation is the dynamic tuple
 * {@code (bytes32,bytes32,bytes32,bytes32,string,uint64)}.
 */
final class AnchorAbi {
  /** topic0 of {@code ValidatorSetRegistered(uint64 indexed epoch, uint256, bytes32, address[])}. */
  static final String VALIDATOR_SET_REGISTERED = Hex.encodePrefixed(Keccak.hash(
      "ValidatorSetRegistered(uint64,uint256,bytes32,address[])".getBytes(StandardCharsets.US_ASCII)));

  private AnchorAbi() {}

  /** {@code bytes32(uint256(batchId))}. */
  static Bytes32 batchKey(long batchId) {
    if (batchId < 0) {
      throw new IllegalArgumentException("batch id must not be negative, got " + batchId);
    }
    return Bytes32.ofUnsigned(batchId);
  }

  /** A uint64 as a 32-byte topic or word, for {@code epoch}. */
  static String uint64Topic(long value) {
    return Hex.encodePrefixed(Bytes32.ofUnsigned(value).bytes());
  }

  static String anchor(long batchId, Bytes32 root, long count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, got " + count);
    }
    return encode("anchor", List.of(b32(batchKey(batchId)), b32(root), new Uint64(count)));
  }

  static String batchOf(long batchId) {
    return encode("batchOf", List.of(b32(batchKey(batchId))));
  }

  static String thresholdOf(long epoch) {
    return encode("thresholdOf", List.of(new Uint64(nonNegative(epoch, "epoch"))));
  }

  static String validatorSetDigest(long epoch) {
    return encode("validatorSetDigest", List.of(new Uint64(nonNegative(epoch, "epoch"))));
  }

  static String registerValidatorSet(ValidatorSet set) {
    List<Address> members = new ArrayList<>();
    for (ValidatorAddress member : set.members()) { // canonical (ascending) order
      members.add(new Address(member.address().toLowerHex()));
    }
    return encode("registerValidatorSet", List.of(new Uint64(set.epoch()),
        new DynamicArray<>(Address.class, members), new Uint256(set.threshold())));
  }

  static String verifyInclusion(long batchId, Bytes32 leaf, List<Bytes32> proof) {
    List<org.web3j.abi.datatypes.generated.Bytes32> nodes = new ArrayList<>();
    for (Bytes32 node : proof) {
      nodes.add(b32(node));
    }
    return encode("verifyInclusion", List.of(b32(batchKey(batchId)), b32(leaf),
        new DynamicArray<>(org.web3j.abi.datatypes.generated.Bytes32.class, nodes)));
  }

  static String verifyAttestation(Attestation a, List<Signature> signatures) {
    return attestationCall("verifyAttestation", a, signatures);
  }

  static String countSigners(Attestation a, List<Signature> signatures) {
    return attestationCall("countSigners", a, signatures);
  }

  private static String attestationCall(String function, Attestation a, List<Signature> signatures) {
    DynamicStruct tuple = new DynamicStruct(
        b32(a.jobId().value()),
        b32(a.modelDigest().value()),
        b32(a.inputDigest().value()),
        b32(a.outputDigest().value()),
        new Utf8String(a.policy().value()),
        new Uint64(a.epoch()));
    List<DynamicBytes> sigs = new ArrayList<>();
    for (Signature s : signatures) {
      sigs.add(new DynamicBytes(s.toBytes()));
    }
    return encode(function, List.of(tuple, new DynamicArray<>(DynamicBytes.class, sigs)));
  }

  static Bytes32 decodeBytes32(String returned) {
    return Bytes32.wrap(fixedWords(returned, 1)[0]);
  }

  static BigInteger decodeUint(String returned) {
    return new BigInteger(1, fixedWords(returned, 1)[0]);
  }

  static boolean decodeBool(String returned) {
    BigInteger v = decodeUint(returned);
    if (v.compareTo(BigInteger.ONE) > 0) {
      throw new IllegalArgumentException("not an ABI bool: " + v);
    }
    return v.signum() == 1;
  }

  /** The first {@code n} 32-byte words of the return data. */
  static byte[][] fixedWords(String returned, int n) {
    byte[] data = Hex.decode(returned);
    if (data.length < 32 * n) {
      throw new IllegalArgumentException("expected " + n + " ABI words, got " + data.length + " bytes");
    }
    byte[][] words = new byte[n][];
    for (int i = 0; i < n; i++) {
      words[i] = Arrays.copyOfRange(data, 32 * i, 32 * i + 32);
    }
    return words;
  }

  @SuppressWarnings("rawtypes") // web3j's Function takes a List of raw Type
  private static String encode(String name, List<Type> inputs) {
    return FunctionEncoder.encode(new Function(name, inputs, List.of()));
  }

  private static org.web3j.abi.datatypes.generated.Bytes32 b32(Bytes32 value) {
    return new org.web3j.abi.datatypes.generated.Bytes32(value.bytes());
  }

  private static long nonNegative(long value, String what) {
    if (value < 0) {
      throw new IllegalArgumentException(what + " must not be negative, got " + value);
    }
    return value;
  }
}
