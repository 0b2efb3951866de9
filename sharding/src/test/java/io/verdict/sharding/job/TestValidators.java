package io.verdict.sharding.job;

import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import io.verdict.verification.Address;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.quorum.ValidatorSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/**
 * Validators for tests: real secp256k1 keys (deterministic), one TestProbe per validator acting as
 * its actor, spread over named nodes, and a directory whose live pool tests can shrink.
 */
final class TestValidators implements ValidatorDirectory {
  static final AttestationDomain DOMAIN =
      new AttestationDomain(31337, Address.parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
  static final long EPOCH = 7;
  static final byte[] OUTPUT_A = "output A".getBytes(StandardCharsets.US_ASCII);
  static final byte[] OUTPUT_B = "output B".getBytes(StandardCharsets.US_ASCII);
  static final byte[] INPUTS = NamedTensors.of("x", Tensor.ofFloats(Shape.of(1, 2), 1f, 2f))
      .canonicalBytes();
  static final String MODEL = ContentDigest.of("model".getBytes(StandardCharsets.US_ASCII))
      .toString();

  final Map<ValidatorAddress, ValidatorKey> keys = new LinkedHashMap<>();
  final Map<ValidatorAddress, TestProbe<ValidatorProtocol.Execute>> probes = new LinkedHashMap<>();
  final Map<ValidatorAddress, String> nodes = new LinkedHashMap<>();
  final ValidatorSet set;
  private volatile List<ValidatorPool.ValidatorHandle> live;

  /** {@code n} validators, round-robin over {@code nodeCount} nodes, set threshold 2. */
  TestValidators(ActorTestKit kit, int n, int nodeCount) {
    this(kit, n, nodeCount, 2);
  }

  TestValidators(ActorTestKit kit, int n, int nodeCount, int threshold) {
    List<ValidatorPool.ValidatorHandle> handles = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] secret = new byte[32];
      secret[31] = (byte) (i + 1);
      secret[0] = 0x11;
      ValidatorKey key = ValidatorKey.fromPrivateKey(secret);
      TestProbe<ValidatorProtocol.Execute> probe = kit.createTestProbe();
      String node = "node-" + (i % nodeCount);
      keys.put(key.address(), key);
      probes.put(key.address(), probe);
      nodes.put(key.address(), node);
      handles.add(new ValidatorPool.ValidatorHandle(key.address(), node, probe.ref()));
    }
    set = ValidatorSet.of(EPOCH, keys.keySet(), threshold);
    live = List.copyOf(handles);
  }

  @Override
  public ValidatorPool snapshot() {
    return new ValidatorPool(set, DOMAIN, live);
  }

  /** Takes a validator out of the live pool (its node went away). */
  void remove(ValidatorAddress a) {
    live = live.stream().filter(h -> !h.address().equals(a)).toList();
  }

  TestProbe<ValidatorProtocol.Execute> probe(ValidatorAddress a) {
    return probes.get(a);
  }

  ValidatorProtocol.Execute expectExecute(ValidatorAddress a) {
    return probes.get(a).expectMessageClass(ValidatorProtocol.Execute.class);
  }

  /** An honest validator's answer: signs the attestation of {@code output} for this Execute. */
  ValidatorProtocol.Executed vote(ValidatorAddress a, ValidatorProtocol.Execute ex,
                                  byte[] output) {
    Vote vote = Vote.sign(keys.get(a), DOMAIN, attestation(ex, ContentDigest.of(output)));
    return new ValidatorProtocol.Executed(a.toString(), ContentDigest.of(output).toString(),
        vote.signature().toHex(), output);
  }

  /** Executes, answers honestly with {@code output}. */
  void answer(ValidatorAddress a, byte[] output) {
    ValidatorProtocol.Execute ex = expectExecute(a);
    ex.replyTo().tell(vote(a, ex, output));
  }

  static Attestation attestation(ValidatorProtocol.Execute ex, ContentDigest output) {
    return new Attestation(JobId.parse(ex.jobId()), ContentDigest.parse(ex.modelDigest()),
        ContentDigest.of(ex.inputs()), output, PolicyText.of(ex.policy()), ex.epoch());
  }

  private static final java.util.concurrent.atomic.AtomicInteger REQUESTS =
      new java.util.concurrent.atomic.AtomicInteger();

  /** A spec with a fresh client request id, hence a fresh job id (one entity per test). */
  static JobSpec spec(int r, int q) {
    return spec(r, q, 0);
  }

  static JobSpec spec(int r, int q, long timeoutMillis) {
    return spec(r, q, "req-" + REQUESTS.incrementAndGet(), timeoutMillis);
  }

  static JobSpec spec(int r, int q, String clientRequestId, long timeoutMillis) {
    return JobSpec.of("demo", "1", MODEL, "EXACT", ContentDigest.of(INPUTS).toString(), INPUTS,
        r, q, "alice", clientRequestId, timeoutMillis);
  }
}
