package io.verdict.verification;

import io.verdict.verification.keys.ValidatorKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Deterministic keys for tests: private key = keccak256(seed text). Never use outside tests. */
public final class TestKeys {
  private TestKeys() {}

  public static ValidatorKey fromSeed(String seed) {
    return ValidatorKey.fromPrivateKey(Keccak.hash(seed.getBytes(StandardCharsets.UTF_8)));
  }

  /** {@code n} keys from seeds "validator-0" ... , sorted by address. */
  public static List<ValidatorKey> validators(int n) {
    List<ValidatorKey> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(fromSeed("validator-" + i));
    }
    keys.sort(Comparator.comparing(ValidatorKey::address));
    return keys;
  }

  public static byte[] privateKeyOf(String seed) {
    return Keccak.hash(seed.getBytes(StandardCharsets.UTF_8));
  }
}
