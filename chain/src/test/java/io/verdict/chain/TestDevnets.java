package io.verdict.chain;

import io.verdict.chain.devnet.Devnet;
import io.verdict.verification.Bytes32;
import io.verdict.verification.Keccak;
import io.verdict.verification.keys.ValidatorKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** One devnet per test class, under target/devnet/&lt;class&gt;; deterministic test keys. */
public final class TestDevnets {
  private TestDevnets() {}

  public static Devnet start(Class<?> testClass) {
    return start(testClass, Devnet.DEFAULT_BLOCK_TIME);
  }

  public static Devnet start(Class<?> testClass, Duration blockTime) {
    return Devnet.start(Devnet.locateContractsDir(),
        Path.of("target", "devnet", testClass.getSimpleName()), blockTime);
  }

  /** A validator key whose private key is keccak256(seed). Tests only. */
  public static ValidatorKey validator(String seed) {
    return ValidatorKey.fromPrivateKey(Keccak.hash(seed.getBytes(StandardCharsets.UTF_8)));
  }

  /** keccak256(text) as a Bytes32, for roots and digests in tests. */
  public static Bytes32 hash(String text) {
    return Keccak.hash32(text.getBytes(StandardCharsets.UTF_8));
  }
}
