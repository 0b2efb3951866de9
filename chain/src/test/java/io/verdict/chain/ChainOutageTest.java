package io.verdict.chain;

import static io.verdict.chain.TestDevnets.hash;
import static io.verdict.chain.TestDevnets.validator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.chain.devnet.Devnet;
import io.verdict.chain.devnet.TcpProxy;
import io.verdict.verification.Bytes32;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.quorum.ValidatorSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The RPC endpoint goes away and comes back (a TcpProxy in front of the devnet). */
class ChainOutageTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final Duration MINED = Duration.ofSeconds(10);

  private static Devnet devnet;
  private static TcpProxy proxy;

  @BeforeAll
  static void start() {
    devnet = TestDevnets.start(ChainOutageTest.class);
    proxy = TcpProxy.start(devnet.port());
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (devnet != null) {
      devnet.stop();
    }
  }

  private static Web3AnchorChain throughProxy() {
    return new Web3AnchorChain(new ChainSettings("http://127.0.0.1:" + proxy.port(),
        devnet.chainId(), devnet.contract(), devnet.anchorerKey(), TIMEOUT));
  }

  @Test
  void everyCallFailsAsUnavailableWhileDownAndWorksAgainWhenUp() {
    try (Web3AnchorChain chain = throughProxy()) {
      Bytes32 root = hash("before the outage");
      SignedTx first = chain.signAnchor(1, root, 3, chain.pendingNonce());
      chain.broadcast(first);
      TxOutcome mined = chain.awaitReceipt(first.txHash(), MINED);
      SignedTx pending = chain.signAnchor(2, hash("during the outage"), 1, chain.pendingNonce());

      proxy.down();

      Attestation attestation = new Attestation(new JobId(hash("job")),
          ContentDigest.of(new byte[] {1}), ContentDigest.of(new byte[] {2}),
          ContentDigest.of(new byte[] {3}), PolicyText.of("EXACT"), 1);
      Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
      calls.put("chainId", chain::chainId);
      calls.put("blockNumber", chain::blockNumber);
      calls.put("checkChainId", chain::checkChainId);
      calls.put("pendingNonce", chain::pendingNonce);
      calls.put("signAnchor", () -> chain.signAnchor(3, hash("x"), 1, 9));
      calls.put("broadcast", () -> chain.broadcast(pending));
      calls.put("receipt", () -> chain.receipt(first.txHash()));
      calls.put("batch", () -> chain.batch(1));
      calls.put("validatorSetDigest", () -> chain.validatorSetDigest(1));
      calls.put("registerValidatorSet", () -> chain.registerValidatorSet(
          ValidatorSet.of(1, List.of(validator("a").address()), 1), MINED));
      calls.put("verifyInclusion", () -> chain.verifyInclusion(1, root, List.of()));
      calls.put("verifyAttestation", () -> chain.verifyAttestation(attestation, List.of()));
      for (Map.Entry<String, ThrowingCallable> call : calls.entrySet()) {
        long started = System.nanoTime();
        assertThatThrownBy(call.getValue()).as(call.getKey())
            .isInstanceOf(ChainUnavailableException.class)
            .hasMessageContaining("127.0.0.1:" + proxy.port());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as(call.getKey())
            .isLessThan(TIMEOUT.plusSeconds(1));
      }

      proxy.up();

      assertThat(chain.blockNumber()).isGreaterThanOrEqualTo(mined.blockNumber());
      assertThat(chain.batch(1)).contains(new AnchoredBatch(root, 3, mined.blockNumber()));
      chain.broadcast(pending);
      assertThat(chain.awaitReceipt(pending.txHash(), MINED).success()).isTrue();
      assertThat(chain.batch(2)).isPresent();
    }
  }

  @Test
  void aClientBuiltWhileTheEndpointIsDownWorksOnceItIsUp() {
    proxy.down();
    try (Web3AnchorChain chain = throughProxy()) {
      assertThatThrownBy(chain::blockNumber).isInstanceOf(ChainUnavailableException.class)
          .hasMessageContaining("connection refused");
      proxy.up();
      assertThat(chain.blockNumber()).isPositive();
    } finally {
      proxy.up();
    }
  }

  @Test
  void blocksAreMinedWithoutTraffic() throws InterruptedException {
    try (Web3AnchorChain chain = new Web3AnchorChain(devnet.settings())) {
      long before = chain.blockNumber();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (chain.blockNumber() < before + 2 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(chain.blockNumber()).isGreaterThanOrEqualTo(before + 2);
    }
  }
}
