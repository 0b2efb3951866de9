package io.verdict.chain.devnet;

import static io.verdict.chain.TestDevnets.hash;
import static io.verdict.chain.TestDevnets.validator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verdict.chain.AnchoredBatch;
import io.verdict.chain.SignedTx;
import io.verdict.chain.TxOutcome;
import io.verdict.chain.Web3AnchorChain;
import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import io.verdict.verification.quorum.ValidatorSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevnetTest {
  /** Hardhat's account #0 (public development account). */
  private static final Address ACCOUNT_0 =
      Address.parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  private static final Duration BLOCK_TIME = Duration.ofMillis(200);
  private static final Duration MINED = Duration.ofSeconds(10);

  @Test
  void startsDeploysMinesOnItsOwnAndStopsWithoutLeavingAProcess() throws Exception {
    Path work = Path.of("target", "devnet", "DevnetTest");
    Devnet devnet = Devnet.start(Devnet.locateContractsDir(), work, Duration.ofMillis(200));
    List<ProcessHandle> family;
    try {
      assertThat(devnet.rpcUrl()).startsWith("http://127.0.0.1:");
      assertThat(devnet.chainId()).isEqualTo(31337);
      assertThat(devnet.ownerKey().address()).isEqualTo(ACCOUNT_0);
      assertThat(devnet.anchorerKey().address()).isEqualTo(ACCOUNT_0);
      assertThat(devnet.toString()).doesNotContain("0xac09"); // the key's first digits
      assertThat(devnet.stateFile()).isEmpty();
      JsonNode info = new ObjectMapper().readTree(work.resolve("devnet.json").toFile());
      assertThat(info.get("pid").asLong()).isEqualTo(devnet.pid());
      assertThat(info.get("contract").asText()).isEqualTo(devnet.contract().toString());
      assertThat(Files.readString(devnet.logFile()))
          .contains("devnet ready " + devnet.rpcUrl() + " " + devnet.contract());

      try (Web3AnchorChain chain = new Web3AnchorChain(devnet.settings())) {
        long first = chain.blockNumber();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (chain.blockNumber() < first + 3 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(chain.blockNumber()).isGreaterThanOrEqualTo(first + 3);
      }
      family = ProcessHandle.of(devnet.pid()).orElseThrow().descendants().toList();
    } finally {
      devnet.stop();
    }

    assertThat(devnet.isAlive()).isFalse();
    assertThat(ProcessHandle.of(devnet.pid()).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(family).noneMatch(ProcessHandle::isAlive);
    devnet.stop(); // idempotent
  }

  @Test
  void withAStateFileAnchorsAndValidatorSetsSurviveRestarts(@TempDir Path dir) throws Exception {
    Path contracts = Devnet.locateContractsDir();
    Path work = Path.of("target", "devnet", "DevnetTest-state");
    Path state = dir.resolve("chain.jsonl");
    ValidatorSet set = ValidatorSet.of(4, List.of(validator("a").address(),
        validator("b").address(), validator("c").address()), 2);
    Bytes32 root1 = hash("root of batch 1");
    Bytes32 root2 = hash("root of batch 2");

    TxOutcome anchored1;
    TxOutcome registered;
    long headBeforeStop;
    try (Devnet devnet = Devnet.start(contracts, work, BLOCK_TIME, state);
        Web3AnchorChain chain = new Web3AnchorChain(devnet.settings())) {
      assertThat(devnet.stateFile()).contains(state.toAbsolutePath().normalize());
      anchored1 = anchor(chain, 1, root1, 3);
      registered = chain.registerValidatorSet(set, MINED);
      assertThat(anchored1.success()).isTrue();
      assertThat(chain.validatorSetDigest(4)).contains(set.digest());
      headBeforeStop = awaitBlock(chain, registered.blockNumber() + 5); // empty interval blocks
    }
    assertThat(Files.readAllLines(state)).last().asString().startsWith("{\"head\":");

    Address contract;
    TxOutcome anchored2;
    try (Devnet devnet = Devnet.start(contracts, work, BLOCK_TIME, state);
        Web3AnchorChain chain = new Web3AnchorChain(devnet.settings())) {
      contract = devnet.contract();
      assertThat(Files.readString(devnet.logFile())).contains("replayed 4 transactions");
      assertThat(chain.blockNumber()).isGreaterThanOrEqualTo(headBeforeStop);
      assertSurvived(chain, 1, root1, 3, anchored1);
      assertThat(chain.validatorSetDigest(4)).contains(set.digest());
      long nonce = chain.pendingNonce();
      TxOutcome again = chain.registerValidatorSet(set, MINED); // found on chain: nothing sent
      assertThat(chain.pendingNonce()).isEqualTo(nonce);
      assertThat(again.txHash()).isEqualTo(registered.txHash());
      assertThat(again.blockNumber()).isEqualTo(registered.blockNumber());

      anchored2 = anchor(chain, 2, root2, 5); // recording goes on after a replay
      assertThat(anchored2.blockNumber()).isGreaterThan(headBeforeStop);
    }

    try (Devnet devnet = Devnet.start(contracts, work, BLOCK_TIME, state);
        Web3AnchorChain chain = new Web3AnchorChain(devnet.settings())) {
      assertThat(devnet.contract()).isEqualTo(contract);
      assertSurvived(chain, 1, root1, 3, anchored1);
      assertSurvived(chain, 2, root2, 5, anchored2);
      assertThat(chain.validatorSetDigest(4)).contains(set.digest());
    }

    // without the state file, the same call is a fresh chain again
    try (Devnet devnet = Devnet.start(contracts, work, BLOCK_TIME);
        Web3AnchorChain chain = new Web3AnchorChain(devnet.settings())) {
      assertThat(chain.batch(1)).isEmpty();
    }
  }

  @Test
  void aDefectiveStateFileIsRefusedNamingTheFileAndLine(@TempDir Path dir) throws IOException {
    Path state = dir.resolve("chain.jsonl");
    Files.writeString(state, "{\"format\":\"verdict-devnet-state/1\",\"chainId\":31337}\n"
        + "{\"block\":1,\"index\":0,\"hash\":\"0x12\"\n"
        + "{\"head\":3}\n");
    assertThatThrownBy(() -> Devnet.start(Devnet.locateContractsDir(), dir.resolve("work"),
        BLOCK_TIME, state))
        .isInstanceOf(DevnetException.class)
        .hasMessageContaining("exited with status 1")
        .hasMessageContaining(state.toAbsolutePath().normalize() + " line 2: ");
  }

  private static TxOutcome anchor(Web3AnchorChain chain, long batchId, Bytes32 root, long count) {
    SignedTx tx = chain.signAnchor(batchId, root, count, chain.pendingNonce());
    chain.broadcast(tx);
    return chain.awaitReceipt(tx.txHash(), MINED);
  }

  /** The batch, its block number and the anchoring transaction's receipt are as first mined. */
  private static void assertSurvived(Web3AnchorChain chain, long batchId, Bytes32 root, long count,
      TxOutcome anchored) {
    assertThat(chain.batch(batchId))
        .contains(new AnchoredBatch(root, count, anchored.blockNumber()));
    TxOutcome receipt = chain.receipt(anchored.txHash()).orElseThrow();
    assertThat(receipt.blockNumber()).isEqualTo(anchored.blockNumber());
    assertThat(receipt.success()).isEqualTo(anchored.success()).isTrue();
  }

  private static long awaitBlock(Web3AnchorChain chain, long block) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (chain.blockNumber() < block && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(chain.blockNumber()).isGreaterThanOrEqualTo(block);
    return chain.blockNumber();
  }

  @Test
  void theScriptExitsZeroOnSigterm(@TempDir Path dir) throws Exception {
    Path contracts = Devnet.locateContractsDir();
    Path out = dir.resolve("devnet.json");
    Process node = new ProcessBuilder(Devnet.nodeExecutable(), contracts.resolve("scripts/devnet.mjs").toString(),
        "--port", "0", "--home", dir.resolve("home").toString(), "--out", out.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("log").toFile())
        .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(out) && node.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(out).exists();
      node.destroy(); // SIGTERM
      assertThat(node.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(node.exitValue()).isZero();
      assertThat(Files.readString(dir.resolve("log"))).contains("devnet: SIGTERM, stopping");
    } finally {
      node.destroyForcibly();
    }
  }

  @Test
  void aMissingScriptOrHardhatIsReportedClearly(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> Devnet.start(dir, dir.resolve("work")))
        .isInstanceOf(DevnetException.class)
        .hasMessageContaining("no devnet script");
    Files.createDirectories(dir.resolve("scripts"));
    Files.writeString(dir.resolve("scripts/devnet.mjs"), "");
    assertThatThrownBy(() -> Devnet.start(dir, dir.resolve("work")))
        .isInstanceOf(DevnetException.class)
        .hasMessageContaining("npm ci");
  }

  @Test
  void aStartUpFailureCarriesTheLogTail(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("node_modules/hardhat"));
    Files.createDirectories(dir.resolve("scripts"));
    Files.writeString(dir.resolve("scripts/devnet.mjs"),
        "console.error('devnet: cannot start, port taken'); process.exit(3);\n");
    assertThatThrownBy(() -> Devnet.start(dir, dir.resolve("work")))
        .isInstanceOf(DevnetException.class)
        .hasMessageContaining("exited with status 3")
        .hasMessageContaining("cannot start, port taken");
  }
}
