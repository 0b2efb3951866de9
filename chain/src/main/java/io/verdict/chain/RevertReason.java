package io.verdict.chain;

import io.verdict.verification.Hex;
import io.verdict.verification.Keccak;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A decoded revert: the custom error of {@code VerdictAnchor} (or Solidity's {@code Error(string)}
 * / {@code Panic(uint256)}) and its arguments as text. An unknown selector keeps its 4 bytes as
 * the name and no arguments; empty revert data is {@link #NO_DATA}.
 *
 * @param name the error's name, e.g. {@code "RootMismatch"}
 * @param args its arguments in declaration order: {@code 0x}-hex for addresses and bytes32,
 *     decimal for integers, the text for strings
 * @param data the raw revert data, {@code 0x}-hex
 */
public record RevertReason(String name, List<String> args, String data) {
  /** A revert without data (e.g. {@code revert()} or an out-of-gas failure). */
  public static final RevertReason NO_DATA = new RevertReason("(no revert data)", List.of(), "0x");

  /** The custom errors of VerdictAnchor, and Solidity's two built-in ones. */
  static final List<String> SIGNATURES = List.of(
      "NotOwner(address)",
      "NotAnchorer(address)",
      "ZeroAddress()",
      "EmptyRoot()",
      "EmptyBatch()",
      "RootMismatch(bytes32,bytes32,bytes32)",
      "EpochAlreadyRegistered(uint64)",
      "NoMembers()",
      "MembersNotAscending(uint256)",
      "BadThreshold(uint256,uint256)",
      "Error(string)",
      "Panic(uint256)");

  private static final Map<String, String> BY_SELECTOR = SIGNATURES.stream()
      .collect(Collectors.toUnmodifiableMap(RevertReason::selector, Function.identity()));

  public RevertReason {
    args = List.copyOf(args);
  }

  /** True when the selector was one of {@link #SIGNATURES}. */
  public boolean known() {
    return BY_SELECTOR.containsKey(data.length() >= 10 ? data.substring(0, 10) : "");
  }

  /** {@code 0x} + the first 4 bytes of keccak256 of the signature. */
  static String selector(String signature) {
    byte[] hash = Keccak.hash(signature.getBytes(StandardCharsets.US_ASCII));
    return Hex.encodePrefixed(Arrays.copyOf(hash, 4));
  }

  /** Decodes revert data ({@code 0x}-hex); never throws for malformed data. */
  public static RevertReason decode(String dataHex) {
    byte[] data;
    try {
      data = Hex.decode(dataHex);
    } catch (IllegalArgumentException e) {
      return new RevertReason("(malformed revert data)", List.of(), "0x");
    }
    String hex = Hex.encodePrefixed(data);
    if (data.length == 0) {
      return NO_DATA;
    }
    if (data.length < 4) {
      return new RevertReason(hex, List.of(), hex);
    }
    String selector = Hex.encodePrefixed(Arrays.copyOf(data, 4));
    String signature = BY_SELECTOR.get(selector);
    if (signature == null) {
      return new RevertReason(selector, List.of(), hex);
    }
    String name = signature.substring(0, signature.indexOf('('));
    String params = signature.substring(name.length() + 1, signature.length() - 1);
    List<String> types = params.isEmpty() ? List.of() : List.of(params.split(","));
    try {
      return new RevertReason(name, decodeArgs(types, Arrays.copyOfRange(data, 4, data.length)),
          hex);
    } catch (RuntimeException e) {
      return new RevertReason(name, List.of("(undecodable arguments)"), hex);
    }
  }

  private static List<String> decodeArgs(List<String> types, byte[] body) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      if (body.length < 32 * i + 32) {
        throw new IllegalArgumentException("short revert data");
      }
      byte[] word = Arrays.copyOfRange(body, 32 * i, 32 * i + 32);
      switch (types.get(i)) {
        case "address" -> out.add(Hex.encodePrefixed(Arrays.copyOfRange(word, 12, 32)));
        case "bytes32" -> out.add(Hex.encodePrefixed(word));
        case "string" -> out.add(string(body, new BigInteger(1, word).intValueExact()));
        default -> out.add(new BigInteger(1, word).toString());
      }
    }
    return out;
  }

  private static String string(byte[] body, int offset) {
    int length = new BigInteger(1, Arrays.copyOfRange(body, offset, offset + 32)).intValueExact();
    if (offset + 32 + length > body.length) {
      throw new IllegalArgumentException("short revert data");
    }
    return new String(body, offset + 32, length, StandardCharsets.UTF_8);
  }

  /** {@code RootMismatch(0x…, 0x…, 0x…)}. */
  @Override
  public String toString() {
    return name + "(" + String.join(", ", args) + ")";
  }
}
